import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, runScenario, type RunResult } from '../../../scenarios';
import { startBroker, type EmbeddedBroker } from '../../../sim';
import { emulator, ptyPair } from './support';

// Hardware in the loop, end to end: pump-1 is not simulated but bound to `twinbed emulate` (standing in for a device
// on a serial line or a broker), pump-2 is simulated beside it; pump-1's lines are published into the embedded
// gateway as pump-1, the scenario's step goes to the device, and its link is cut mid-run. The run reports the device
// going offline and carries on.

const DRIFT_PPM = 20_000;

function scenario(hardware: string, durationS = 9, devicesUrl?: string): ReturnType<typeof parseScenario> {
  return parseScenario(
    [
      'name: hardware-in-the-loop',
      `durationS: ${durationS}`,
      'timeScale: 1',
      'twins:',
      '  - { template: pump, id: pump-1 }',
      '  - { template: pump, id: pump-2 }',
      'rules:',
      '  - { device: pump-1, sensor: accel, metric: rms, above: 5 }',
      'steps:',
      '  - { atS: 3, device: pump-1, action: stop, args: { rampS: 0.2 } }',
      'expect:',
      '  - { type: stored-exactly-once }',
      'target:',
      '  kind: embedded',
      ...(devicesUrl ? [`  devices: { url: '${devicesUrl}' }`] : []),
      '  hardware:',
      ...hardware.split('\n').map((line) => `    ${line}`),
      '',
    ].join('\n'),
    'hil.yaml',
  );
}

/** Runs the scenario and pulls the cable once the run is `cutAtS` seconds in. */
async function runAndCut(text: string, cut: () => Promise<void>, cutAtS = 6): Promise<RunResult> {
  let cutting: Promise<void> | undefined;
  const result = await runScenario(scenario(text), {
    progressIntervalMs: 50,
    onProgress: ({ simulatedS }) => {
      if (simulatedS >= cutAtS) cutting ??= cut();
    },
  });
  await cutting;
  return result;
}

/** Mean of the pump's accel RMS windows the system reported in [fromS, toS). */
function rmsBetween(result: RunResult, fromS: number, toS: number): number {
  const series = result.timeline.series.find((s) => s.device === 'pump-1' && s.sensor === 'accel' && s.metric === 'rms');
  const values = (series?.points ?? []).filter(([atS]) => atS >= fromS && atS < toS).map(([, v]) => v);
  expect(values.length, `rms windows in [${fromS}, ${toS})`).toBeGreaterThan(0);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function expectHardwareRun(result: RunResult, offlineReason: RegExp): void {
  // The run finished and judged: a device going away is a fact of the run, not a crash of it.
  expect(result.expectations).toEqual([expect.objectContaining({ type: 'stored-exactly-once', passed: true })]);
  const hw = result.stats.hardware!['pump-1']!;
  expect(hw.identity).toMatchObject({ device: 'pump-1', template: 'pump', firmware: 'twinbed-emulate/1' });
  expect(hw.status).toBe('offline');
  expect(hw.events[0]).toMatchObject({ status: 'online' });
  const offline = hw.events.find((e) => e.status === 'offline')!;
  expect(offline.reason).toMatch(offlineReason);
  expect(offline.atS).toBeGreaterThanOrEqual(6);
  expect(offline.atS).toBeLessThan(8);
  expect(hw.framingErrors).toEqual({});
  // The step went to the device, which said what it did; the system saw the vibration fall.
  expect(result.timeline.steps).toEqual([{ device: 'pump-1', action: 'stop', atS: 3, outcome: 'stopping over 0.2 s' }]);
  expect(hw.commands.acknowledged).toBe(1);
  expect(rmsBetween(result, 4, 6)).toBeLessThan(0.3 * rmsBetween(result, 0, 3));
  // Its readings went in as pump-1, next to the simulated pump-2, and were stored once each (the short block of what
  // it sent before the cut included).
  expect(hw.published.accel).toBeGreaterThanOrEqual(6);
  expect(result.stats.published).toBeGreaterThan(hw.published.accel! + hw.published['winding-temp']!);
  expect(result.stats.acked).toBe(result.stats.published);
  // Its clock runs 2 % fast: the estimate says so, and its last timestamps are ahead of the run's clock.
  expect(Math.abs(hw.clockDriftPpm! - DRIFT_PPM)).toBeLessThan(3000);
  expect(hw.clockOffsetMs!).toBeGreaterThan(0.5 * DRIFT_PPM * 1e-6 * 5000);
}

describe('a scenario with a twin bound to hardware', () => {
  let dir: string;
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-hil-'));
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('on a serial line: readings in, the step out, and the pty closing mid-run reported as the device going offline', async () => {
    const pty = await ptyPair(dir);
    const proc = await emulator(['--serial', pty.device, '--device', 'pump-1', '--drift-ppm', String(DRIFT_PPM), '--seed', '11']);
    try {
      const result = await runAndCut(
        [`- device: pump-1`, `  serial: { path: ${pty.host}, reopenMs: 0 }`, `  sensors: { accel: { unit: g, rateHz: 100 }, winding-temp: { unit: degC, rateHz: 1 } }`].join('\n'),
        () => pty.close(),
      );
      expectHardwareRun(result, /^port closed/);
      expect(result.stats.hardware!['pump-1']!.transport).toBe(`serial ${pty.host} @115200`);
      expect(await proc.exited).toBe(0);
    } finally {
      await pty.close();
      await proc.stop();
    }
  });

  it('on the system\'s own broker with forward: false: twinbed watches it and sends it the step, and publishes nothing as it', async () => {
    const proc = await emulator(['--mqtt', broker.url, '--device', 'pump-1', '--seed', '11']);
    try {
      // The embedded gateway takes its devices from that broker; the binding's broker defaults to it.
      const text = [`- device: pump-1`, `  mqtt: { forward: false }`, `  sensors: { accel: { unit: g, rateHz: 100 } }`].join('\n');
      const result = await runScenario(scenario(text, 4, broker.url));
      const hw = result.stats.hardware!['pump-1']!;
      expect(hw.samples.accel).toBeGreaterThan(300);
      expect(hw.published).toEqual({});
      expect(result.timeline.steps).toEqual([{ device: 'pump-1', action: 'stop', atS: 3, outcome: 'stopping over 0.2 s' }]);
      // Only the simulated pump-2 published through twinbed; pump-1 speaks to the system itself.
      expect(result.expectations).toEqual([expect.objectContaining({ type: 'stored-exactly-once', passed: true })]);
      expect(result.stats.published).toBeGreaterThan(0);
      expect(result.stats.hardware!['pump-1']!.status).toBe('online');
    } finally {
      await proc.stop();
    }
  });

  it('on a broker: the device crashing mid-run is reported offline through its will', async () => {
    const proc = await emulator(['--mqtt', broker.url, '--device', 'pump-1', '--drift-ppm', String(DRIFT_PPM), '--seed', '11']);
    try {
      const result = await runAndCut(
        [`- device: pump-1`, `  mqtt: { url: '${broker.url}' }`, `  sensors: { accel: { unit: g, rateHz: 100 }, winding-temp: { unit: degC, rateHz: 1 } }`].join('\n'),
        async () => {
          proc.child.kill('SIGKILL');
          await proc.exited;
        },
      );
      expectHardwareRun(result, /device status: offline \(connection lost\)/);
    } finally {
      await proc.stop();
    }
  });
});
