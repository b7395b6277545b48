import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../../scenarios';
import { ROOT } from '../support/twinbed-process';

describe('an uplink partition of 5 simulated minutes', () => {
  it('loses no QoS 1 reading: after it heals stored equals published, duplicates are removed, QoS 0 losses are counted', async () => {
    const scenario = await loadScenario(`${ROOT}/scenarios/library/uplink-partition.yaml`);
    expect(scenario.links.find((l) => l.partition)).toMatchObject({ link: 'edge->cloud', atS: 120, forS: 300 });
    const result = await runScenario(scenario);

    expect(result.passed).toBe(true);
    const { qos0, qos1, duplicatesDropped } = result.stats;
    // 3 twins × 600 s of 40 ms accel blocks + 10 s RTD blocks (the QoS 1 ones).
    expect(qos1.published).toBe(3 * 15_000 + 4 * 60);
    expect(qos1.stored).toBe(qos1.published);
    // The uplink duplicates 1% of what it carries, and the cloud drops every copy.
    expect(duplicatesDropped).toBeGreaterThan(300);
    expect(result.stats.stored).toBe(qos1.stored + qos0.stored);
    // Two QoS 0 winding RTDs publish a block every 10 s: the 30 blocks each sent into the partition are gone.
    expect(qos0).toEqual({ published: 120, stored: 60, lost: 60 });
    const uplink = result.links!['edge->cloud']!;
    expect(uplink.lostQos0).toBe(60);
    // Everything the gateway sent during the partition went out again when it healed.
    expect(uplink.retransmittedQos1).toBeGreaterThan(300 * 25 * 3 * 0.95);
    expect(result.links!['twins->edge']!.latencyP50Ms).toBeCloseTo(15, 0);
  });
});
