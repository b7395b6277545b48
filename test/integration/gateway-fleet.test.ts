import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedTarget, parseScenario, Recording, runScenario, type RunResult } from '../../scenarios';
import { VirtualClock } from '../../sim';

// A staged rollout needs a fleet: three pumps, each on its own gateway, all sharing one device broker and one cloud.

const SITE = 'plant-f';
const GATEWAY_OF: Record<string, string> = { 'pump-1': 'gw-a', 'pump-2': 'gw-b', 'pump-3': 'gw-c' };

const fleet = parseScenario(
  `
name: three gateways
seed: 5
durationS: 30
site: ${SITE}
twins:
  - { template: pump, id: pump-1 }
  - { template: pump, id: pump-2 }
  - { template: pump, id: pump-3 }
faults:
  - { type: imbalance, device: pump-2, atS: 10, rampS: 5, unbalanceGmm: 20000 }
gateways:
  - { id: gw-a, devices: [pump-1] }
  - { id: gw-b, devices: [pump-2] }
  - { id: gw-c, devices: [pump-3] }
gateway:
  rules:
    - { name: accel-rms-high, metric: rms, sensor: accel, above: 0.3 }
  actions:
    - { on: accel-rms-high, action: slow-down, args: { speedRpm: 1000, rampS: 5 } }
steps:
  - { atS: 5, device: gw-b, action: crash, args: { downMs: 50 } }
expect:
  - { type: command, device: pump-2, action: slow-down, withinS: 10 }
  - { type: no-alert, device: pump-1 }
  - { type: no-alert, device: pump-3 }
  - { type: stored-exactly-once }
`,
  'fleet.yaml',
);

interface LogLine {
  msg: string;
  layer?: string;
  gateway?: string;
  device?: string;
  action?: string;
}

describe('a scenario with a fleet of gateways, each serving its own pump (gateways:)', () => {
  let dir: string;
  let result: RunResult;
  const log: LogLine[] = [];
  const windows: { device: string; gateway: unknown }[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-gateway-fleet-'));
    // The run's own log says which gateway did what: each fleet gateway logs with its id.
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) log.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    const file = join(dir, 'fleet.mcap');
    result = await runScenario(fleet, { file: 'fleet.yaml', record: { file }, logger: pino({ level: 'info' }, sink) });
    // The recording holds the feature windows as the cloud broker carried them.
    const recording = await Recording.open(file);
    try {
      const features = recording.channels.filter((c) => c.topic.includes('/features/'));
      for await (const message of recording.messages(features)) {
        const window = JSON.parse(new TextDecoder().decode(message.data)) as { device: string; gateway?: unknown };
        windows.push({ device: window.device, gateway: window.gateway });
      }
    } finally {
      await recording.close();
    }
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores every reading of every pump exactly once, across a crash of gw-b', () => {
    expect(result.expectations.map((e) => [e.type, e.passed])).toEqual([
      ['command', true],
      ['no-alert', true],
      ['no-alert', true],
      ['stored-exactly-once', true],
    ]);
    // 3 pumps × 30 s: 750 accel blocks (40 ms) and 3 blocks of each of two RTDs (10 s), each stored once.
    expect(result.stats.qos1).toEqual({ published: 3 * (750 + 2 * 3), stored: 3 * (750 + 2 * 3) });
    expect(result.wall.settle.how).toBe('complete');
  });

  it("stamps each pump's windows with its own gateway's id, and only that one", () => {
    const byDevice = new Map<string, Set<unknown>>();
    for (const { device, gateway } of windows) byDevice.set(device, (byDevice.get(device) ?? new Set()).add(gateway));
    expect(Object.fromEntries([...byDevice].map(([device, gateways]) => [device, [...gateways]]))).toEqual({ 'pump-1': ['gw-a'], 'pump-2': ['gw-b'], 'pump-3': ['gw-c'] });
    expect(windows).toHaveLength(result.stats.windows);
  });

  it("sends the local action once, from the pump's own gateway, and the pump slows down", () => {
    expect(result.timeline.commands).toEqual([{ device: 'pump-2', action: 'slow-down', atS: expect.any(Number) }]);
    const actions = log.filter((l) => l.msg === 'local action');
    expect(actions.map((l) => [l.gateway, l.device, l.action])).toEqual([['gw-b', 'pump-2', 'slow-down']]);
    // The figures sum the fleet: one command, sent by gw-b alone.
    expect(result.stats.edge?.commands).toBe(1);
    expect(result.timeline.alerts.filter((a) => a.state === 'raised').map((a) => a.device)).toEqual(['pump-2']);
  });

  it('crashes gw-b alone: only it is started a second time', () => {
    expect(result.timeline.steps).toEqual([{ device: 'gw-b', action: 'crash', atS: 5, outcome: 'gw-b killed, restarted after 50 ms of wall time (crash 1 of gw-b)' }]);
    const starts = log.filter((l) => l.msg === 'gateway ready').map((l) => l.gateway);
    expect(starts.sort()).toEqual(['gw-a', 'gw-b', 'gw-b', 'gw-c']);
    for (const [device, gateway] of Object.entries(GATEWAY_OF)) expect(windows.filter((w) => w.device === device).length, `${device} on ${gateway}`).toBeGreaterThan(0);
  });
});

describe('the embedded target with a fleet of gateways', () => {
  it('crashes the gateway a step names, on `gateway` with args.gateway too, and leaves the others running', async () => {
    const startMs = Date.parse(fleet.startTime);
    const target = await EmbeddedTarget.start({ scenario: fleet, config: { kind: 'embedded', skip: [] }, baseDir: process.cwd(), clock: new VirtualClock(startMs), links: new Map(), settleTimeoutMs: 5000 });
    try {
      const [a, b, c] = target.system.gateways;
      expect(target.system.gateways.map((g) => g.config.id)).toEqual(['gw-a', 'gw-b', 'gw-c']);
      expect(target.system.gateways.map((g) => g.config.devices)).toEqual(['pump-1', 'pump-2', 'pump-3'].map((device) => ({ url: target.devices.url, only: [device] })));

      expect(await target.act('gw-b', 'crash', { downMs: 10 })).toBe('gw-b killed, restarted after 10 ms of wall time (crash 1 of gw-b)');
      const [a2, b2, c2] = target.system.gateways;
      expect([a2 === a, b2 === b, c2 === c]).toEqual([true, false, true]);
      expect(b2!.config.id).toBe('gw-b');

      expect(await target.act('gateway', 'crash', { downMs: 10, gateway: 'gw-c' })).toBe('gw-c killed, restarted after 10 ms of wall time (crash 1 of gw-c)');
      expect(await target.act('gateway', 'crash', { downMs: 10 })).toBe('gw-a killed, restarted after 10 ms of wall time (crash 1 of gw-a)');
      expect(['gw-a', 'gw-b', 'gw-c'].map((id) => target.system.crashesOf(id))).toEqual([1, 1, 1]);
      expect(target.system.crashes).toBe(3);

      expect(await target.act('gw-b', 'reboot', {})).toBe('gateway gw-b does not take "reboot"');
      expect(await target.act('cloud', 'restart', {})).toBe('the embedded cloud does not take "restart"; it takes model.train, model.rollout, model.stage, rollout.resume, rollout.cancel');
    } finally {
      await target.stop();
    }
  });
});
