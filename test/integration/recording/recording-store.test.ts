import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayFileKind } from '../../../cli/replay-source';
import { SqliteStorage, type AlertRecord, type FeatureRecord, type Storage } from '../../../cloud';
import { ConfigError } from '../../../protocol';
import { importCsv, readScenario, runScenario, storeFromRecording, type RecordingStore, type RunResult } from '../../../scenarios';
import { ROOT, runTwinbed } from '../../support/twinbed-process';
import { countsByTopic, readMcap } from './support';

// Issue 11: `twinbed demo --replay REC.mcap` builds a store from a recording. Built from a run's recording, it holds
// what the run's own store (`--store`) holds: the same feature windows and the same alerts.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-recording-store-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every window of the store, without when the cloud received it (a virtual clock's instant, not the run's). */
async function windowsOf(storage: Storage): Promise<Omit<FeatureRecord, 'receivedMs'>[]> {
  const all: Omit<FeatureRecord, 'receivedMs'>[] = [];
  for (const device of await storage.devices()) {
    for (const sensor of device.sensors) {
      for (const { receivedMs: _received, ...window } of await storage.series({ device: device.device, sensor, limit: 100_000 })) all.push(window);
    }
  }
  return all;
}

async function readStore(file: string): Promise<{ windows: Omit<FeatureRecord, 'receivedMs'>[]; alerts: AlertRecord[]; raw: number }> {
  const storage = new SqliteStorage(file);
  try {
    return { windows: await windowsOf(storage), alerts: await storage.alerts(), raw: (await storage.counts()).raw };
  } finally {
    await storage.close();
  }
}

describe('a store built from a run\'s recording (storeFromRecording)', () => {
  // pump-imbalance.yaml: 40 s, an imbalance from 15 s; the cloud's RMS rule and the edge's own rule both fire.
  const fixture = join(ROOT, 'test/fixtures/recordings/pump-imbalance.yaml');
  let original: RunResult;
  let recording: string;
  let built: RecordingStore;

  beforeAll(async () => {
    const { scenario, source } = await readScenario(fixture);
    recording = join(dir, 'pump-imbalance.mcap');
    original = await runScenario(scenario, { file: fixture, source, store: join(dir, 'run.db'), record: { file: recording } });
    built = await storeFromRecording(recording, { tmpDir: dir });
  });

  it('holds the run store\'s feature windows and alerts, from the recorded windows and edge events through a cloud', async () => {
    expect(original.passed).toBe(true);
    const counts = countsByTopic(await readMcap(recording, { messages: false }));
    const recordedWindows = Object.entries(counts).filter(([topic]) => topic.includes('/features/')).reduce((n, [, c]) => n + c, 0);
    expect(recordedWindows).toBe(original.stats.windows);

    const run = await readStore(join(dir, 'run.db'));
    const rebuilt = await readStore(built.file);
    expect(built.from).toBe('features');
    expect(built.scenario?.name).toBe('recorded pump imbalance');
    // Windows: every one the run stored, field for field (3 sensors of pump-1 over 40 s).
    expect(rebuilt.windows).toHaveLength(original.stats.windows);
    expect(rebuilt.windows).toEqual(run.windows);
    // Alerts: the cloud's RMS rule made again from the windows, and the edge's rule's events as the gateway sent them.
    expect(rebuilt.alerts).toEqual(run.alerts);
    expect(new Set(run.alerts.map((a) => a.origin))).toEqual(new Set(['cloud', 'edge']));
    expect(run.alerts.find((a) => a.origin === 'cloud' && a.state === 'raised')).toMatchObject({ device: 'pump-1', sensor: 'accel' });
    // Fed: each window and each edge event once; the cloud's own alerts are not fed, its rules make them.
    const edgeEvents = run.alerts.filter((a) => a.origin === 'edge').length;
    expect(built.published).toBe(original.stats.windows + edgeEvents);
    expect(built.counts).toMatchObject({ features: original.stats.windows, alerts: run.alerts.length, raw: 0 });
  });

  it('applies the rules of a scenario given instead of the recorded one: a threshold no window reaches leaves the edge\'s event only', async () => {
    const { scenario } = await readScenario(fixture);
    const strict = { ...scenario, name: 'strict', rules: [{ ...scenario.rules[0]!, above: 100 }] };
    const other = await storeFromRecording(recording, { tmpDir: dir, scenario: { scenario: strict } });
    try {
      expect(other.scenario?.name).toBe('strict');
      const { windows, alerts } = await readStore(other.file);
      expect(windows).toHaveLength(original.stats.windows);
      expect(alerts.map((a) => [a.origin, a.rule, a.state])).toEqual([['edge', 'accel-rms-high', 'raised']]);
    } finally {
      await other.remove();
    }
  });

  it('lives in a folder of its own that remove() deletes', async () => {
    expect(existsSync(built.file)).toBe(true);
    await built.remove();
    expect(existsSync(built.file)).toBe(false);
  });
});

describe('a store built from a recording of readings only (an imported sensor log)', () => {
  it('replays the readings through the embedded gateway: its windows hold the log\'s RMS', async () => {
    // 0.1 g at 12.5 Hz, sampled at 1 kHz for 8 s: 80 whole periods, so every whole window's RMS is 0.1/√2.
    const rows = Array.from({ length: 8000 }, (_, i) => (0.1 * Math.sin((2 * Math.PI * 12.5 * i) / 1000)).toFixed(6));
    const csv = join(dir, 'sine.csv');
    await writeFile(csv, ['accel_g', ...rows, ''].join('\n'));
    const out = join(dir, 'sine.mcap');
    const imported = await importCsv({ file: csv, device: 'pump-1', sensor: 'accel', rateHz: 1000, out, blockSamples: 250 });
    expect(imported.blocks).toBe(32);

    const built = await storeFromRecording(out, { tmpDir: dir });
    try {
      expect(built.from).toBe('readings');
      expect(built.scenario).toBeUndefined();
      expect(built.published).toBe(32);
      const { windows } = await readStore(built.file);
      expect(windows.length).toBeGreaterThan(0);
      expect(windows.every((w) => w.device === 'pump-1' && w.sensor === 'accel')).toBe(true);
      for (const w of windows) expect(w.features.rms, `window at ${w.tsMs}`).toBeCloseTo(0.1 / Math.SQRT2, 3);
    } finally {
      await built.remove();
    }
  });
});

describe('twinbed demo --replay: which files it takes', () => {
  it('tells a recording from a store by their first bytes, whatever their names', async () => {
    const store = new SqliteStorage(join(dir, 'named.mcap'));
    await store.close();
    expect(await replayFileKind(join(dir, 'named.mcap'))).toBe('sqlite');
    const { scenario, source } = await readScenario(join(ROOT, 'test/fixtures/recordings/pump-imbalance.yaml'));
    await runScenario({ ...scenario, durationS: 2 }, { source, record: { file: join(dir, 'short.db') } });
    expect(await replayFileKind(join(dir, 'short.db'))).toBe('mcap');
  });

  it('refuses random bytes with a ConfigError naming the file and the two kinds it takes; the command exits 2', async () => {
    const bad = join(dir, 'noise.mcap');
    await writeFile(bad, randomBytes(4096));
    const refusal = await replayFileKind(bad).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).file).toBe(bad);
    expect((refusal as Error).message).toContain(bad);
    expect((refusal as Error).message).toMatch(/SQLite store .*--store.*MCAP recording/);

    const cli = await runTwinbed(['demo', '--replay', bad, '--port', '0']);
    expect(cli.code, cli.stdout + cli.stderr).toBe(2);
    expect(cli.stderr).toContain(`twinbed: invalid input\n${bad}: neither a SQLite store nor an MCAP recording`);
  });
});
