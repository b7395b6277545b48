import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../../scenarios';
import { ROOT } from '../support/twinbed-process';

describe('an uplink partition of 5 simulated minutes', () => {
  it('loses no QoS 1 reading: after it heals stored equals published, duplicates are removed, QoS 0 losses are counted (only those in flight)', async () => {
    const scenario = await loadScenario(`${ROOT}/scenarios/library/uplink-partition.yaml`);
    expect(scenario.links.find((l) => l.partition)).toMatchObject({ link: 'edge->cloud', atS: 120, forS: 300 });
    const result = await runScenario(scenario);

    expect(result.passed).toBe(true);
    const { qos0, qos1, duplicatesDropped } = result.stats;
    // 3 twins × 600 s of 40 ms accel blocks + 10 s RTD blocks (the QoS 1 ones).
    expect(qos1.published).toBe(3 * 15_000 + 4 * 60);
    expect(qos1.stored).toBe(qos1.published);
    const uplink = result.links!['edge->cloud']!;
    // The uplink duplicates 1% of what it carries (2,160 windows), and the cloud drops every copy.
    expect(uplink.duplicated).toBeGreaterThan(5);
    expect(duplicatesDropped).toBeGreaterThanOrEqual(uplink.duplicated - 2);
    expect(result.stats.stored).toBe(qos1.stored + qos0.stored);
    // Store-and-forward: during the partition the gateway's outbox holds what it cannot send. Only the QoS 0
    // windows already on the wire when the link went down are lost (at most the forwarder's in-flight window),
    // not the 60 RTD blocks published during the 5 minutes. An RTD window is two blocks (a record costs more than
    // one: issue 12), so each window lost loses two readings.
    expect(qos0.published).toBe(120);
    expect(qos0.lost).toBe(2 * uplink.lostQos0);
    expect(qos0.lost).toBeLessThan(10);
    // QoS 1 windows that were in flight went out again when the link healed.
    expect(uplink.retransmittedQos1).toBeGreaterThan(0);
    expect(result.links!['twins->edge']!.latencyP50Ms).toBeCloseTo(15, 0);
  });
});
