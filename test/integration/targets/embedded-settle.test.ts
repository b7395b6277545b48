import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../../scenarios/load';
import { EmbeddedTarget, EmbeddedTargetSchema } from '../../../scenarios/target';
import { VirtualClock } from '../../../sim';
import type { TwinFleet } from '../../../twins';
import { PUMP_SITE, pumpAccelBlocks } from '../../support/pump-blocks';
import { waitUntil } from '../../support/twinbed-process';

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

const SCENARIO = `
name: settle
seed: 1
durationS: 2
site: ${PUMP_SITE}
twins:
  - { template: pump, id: pump-1 }
  - { template: pump, id: pump-2 }
`;

// The edge worker's round trip made this likely (about one factory-20 run in 25 ended 10 windows short): the
// gateways' uplink sent and had acknowledged the last windows while settle awaited their flush, and settle judged
// the run complete against counters it had read before the flush, so results were taken before the cloud had them.
describe('settling the embedded target', () => {
  it('waits for the cloud to receive the windows the uplink had acknowledged while the gateways flushed', async () => {
    const target = await EmbeddedTarget.start({
      scenario: parseScenario(SCENARIO),
      config: EmbeddedTargetSchema.parse({ kind: 'embedded' }),
      baseDir: process.cwd(),
      clock: new VirtualClock(Date.parse('2026-01-01T00:00:00Z')),
      links: new Map(),
      settleTimeoutMs: 30_000,
    });
    closers.push(() => target.stop());
    const { system } = target;
    const [gateway] = system.gateways;

    // 1.6 s of two pumps: one whole 1 s window each while the blocks arrive, and a part window each that only the flush sends.
    const device = await mqtt.connectAsync(target.devices.url);
    closers.push(() => device.endAsync());
    const blocks = await pumpAccelBlocks(1.6);
    for (const { topic, payload } of blocks) await device.publishAsync(topic, payload, { qos: 1 });

    // The flush returns only after the uplink has sent its windows and had them acknowledged, and the cloud is made
    // to report them a moment later than that: the order the edge worker's round trip produced.
    const flush = gateway!.flush.bind(gateway);
    let ackedDuringFlush = 0;
    let cloudBehind = false;
    gateway!.flush = async () => {
      const before = gateway!.counters().uplinkAcked;
      await flush();
      expect(await waitUntil(() => gateway!.pending().outbox === 0 && gateway!.pending().inFlight === 0, 10_000)).toBe(true);
      ackedDuringFlush = gateway!.counters().uplinkAcked - before;
      cloudBehind = true;
      setTimeout(() => (cloudBehind = false), 200);
    };
    const stats = system.cloud.stats.bind(system.cloud);
    system.cloud.stats = () => {
      const real = stats();
      return { ...real, received: real.received - (cloudBehind ? ackedDuringFlush : 0) };
    };

    const fleet = { stats: () => [{ acked: blocks.length }] } as unknown as Pick<TwinFleet, 'stats'>;
    const outcome = await target.settle(fleet);

    expect(ackedDuringFlush).toBeGreaterThanOrEqual(2);
    expect(outcome.how).toBe('complete');
    // Settle returned only once the cloud said it had them all.
    expect(cloudBehind).toBe(false);
    expect((await system.storage.counts()).features).toBe(4);
  });
});
