import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage, type FeatureRecord } from '../../../cloud';
import { Gateway, GatewayConfigSchema } from '../../../gateway';
import { RandomStreams, Scheduler, ScaledRealClock, startBroker, type EmbeddedBroker } from '../../../sim';
import { createMachines, PumpSchema, TwinFleet } from '../../../twins';
import { waitUntil } from '../../support/twinbed-process';

// ×20: pump-1 is unbalanced from 10 s; once the cloud's rule has seen accel RMS over 0.2 g for 5 s it slows the pump
// to 60 % (888 rpm), which cuts the unbalance force (∝ ω²) to a third; the run ends at 60 s.
const FACTOR = 20;
const FAULT_AT_S = 10;
const END_S = 60;
const START_MS = Date.parse('2026-01-01T00:00:00Z');
const SITE = 'plant-heal';

describe('self-healing: a cloud rule commands the twin, and the audit log says who and why', () => {
  let broker: EmbeddedBroker;
  let gateway: Gateway;
  let storage: SqliteStorage;
  let cloud: Cloud;
  const clock = new ScaledRealClock({ factor: FACTOR, startMs: START_MS });

  beforeAll(async () => {
    broker = await startBroker();
    storage = new SqliteStorage(':memory:');
    cloud = await Cloud.start({
      brokerUrl: broker.url,
      storage,
      clock,
      rules: [
        {
          // A for-duration rule: the fault has reached full severity when it fires, the shaking to compare with.
          type: 'for',
          name: 'pump-shaking',
          metric: 'rms',
          sensor: 'accel',
          above: 0.2,
          forS: 5,
          severity: 'critical',
          then: [{ command: { action: 'slow-down', args: { speedRpm: 888, rampS: 2 } } }],
        },
      ],
    });
    gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({ site: SITE, id: 'gw-1', devices: { listen: { port: 0 } }, upstream: { url: broker.url } }),
      clock,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await cloud?.stop();
    await storage?.close();
    await broker?.close();
  });

  it('slows the shaking pump through its gateway, the shaking drops, and the audit log records the rule and its reason', async () => {
    const windows: FeatureRecord[] = [];
    cloud.on('features', (record) => {
      if (record.device === 'pump-1' && record.sensor === 'accel') windows.push(record);
    });
    const fleet = await TwinFleet.start({
      brokerUrl: gateway.deviceUrl,
      site: SITE,
      machines: (streams) =>
        createMachines(
          {
            twins: [PumpSchema.parse({ template: 'pump', id: 'pump-1', speedRpm: 1480 })],
            faults: [{ type: 'imbalance', device: 'pump-1', atS: FAULT_AT_S, rampS: 1, unbalanceGmm: 20_000, severity: 1 }],
            startTime: new Date(START_MS).toISOString(),
          },
          streams,
        ),
      scheduler: new Scheduler(clock),
      streams: new RandomStreams(3),
      startMs: START_MS,
      endMs: START_MS + END_S * 1000,
    });
    try {
      expect(await waitUntil(() => fleet.commands().length > 0, (END_S * 1000) / FACTOR + 30_000), 'the twin got a command').toBe(true);
      const [received] = fleet.commands();
      expect(received!.command.action).toBe('slow-down');
      expect(received!.command.args).toEqual({ speedRpm: 888, rampS: 2 });
      expect(received!.outcome).toBe('slowing to 888 rpm over 2 s');
      const commandAtMs = START_MS + received!.atS * 1000;
      // Windows that start once the ramp is over, against the windows of the fault before the command.
      expect(await waitUntil(() => windows.some((w) => w.tsMs >= commandAtMs + 5000), 60_000), 'windows after the slow-down').toBe(true);
      const mean = (list: readonly FeatureRecord[]) => list.reduce((n, w) => n + w.features.rms!, 0) / list.length;
      // The window that fired the rule ended before the command: the shaking the cloud saw.
      const shaking = windows.filter((w) => w.tsMs >= START_MS + (FAULT_AT_S + 2) * 1000 && w.tsMs + w.windowMs <= commandAtMs);
      const healed = windows.filter((w) => w.tsMs >= commandAtMs + 3000);
      expect(shaking.length).toBeGreaterThanOrEqual(3);
      expect(mean(shaking)).toBeGreaterThan(0.2);
      // (888 / 1480)² = 0.36 of the force: the RMS falls to about a third of the full-severity shaking.
      expect(mean(healed)).toBeLessThan(0.5 * mean(shaking));
      await cloud.idle();

      const audit = (await storage.auditLog({ target: 'pump-1' })).items;
      expect(audit.filter((a) => a.outcome === 'sent')).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor: 'rule:pump-shaking', target: 'pump-1', action: 'slow-down', args: { speedRpm: 888, rampS: 2 }, outcome: 'sent', commandId: received!.command.id });
      expect(audit[0]!.reason).toMatch(/^pump-shaking: pump-1\/accel rms [\d.]+ g exceeds 0\.2 for 5 s$/);
      expect(cloud.stats().commandsSent).toBe(1);
    } finally {
      await fleet.stop();
    }
  }, 120_000);
});
