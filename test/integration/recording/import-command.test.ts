import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTwinbed } from '../../support/twinbed-process';
import { countsByTopic, messagesOn, readMcap } from './support';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('twinbed import csv', () => {
  it('turns 2,500 CSV rows at 1 kHz into ceil(2500 / 256) = 10 telemetry blocks holding every value as written', async () => {
    // A logger's export: a comment, a header, a time column and the accelerometer in the second column.
    const rows = Array.from({ length: 2500 }, (_, i) => [(i / 1000).toFixed(3), (Math.sin(i / 7) * 0.05 + (i % 13) * 1e-4).toFixed(6)]);
    const csv = join(dir, 'accel.csv');
    await writeFile(csv, ['# bench logger export', 'time_s,accel_g', ...rows.map((r) => r.join(',')), ''].join('\n'));
    const out = join(dir, 'accel.mcap');

    const { code, stdout, stderr } = await runTwinbed(['import', 'csv', csv, '--device', 'pump-1', '--sensor', 'accel', '--rate', '1000', '--column', 'accel_g', '--block', '256', '--out', out]);
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toContain(`imported 2500 samples (column accel_g) of ${csv} as site-1/pump-1/accel at 1000 Hz: 10 blocks into ${out}`);

    const mcap = await readMcap(out);
    const topic = 'twinbed/v1/site-1/pump-1/telemetry/accel';
    expect(countsByTopic(mcap)).toEqual({ [topic]: 10 });
    expect(Object.fromEntries(mcap.metadata.get('twinbed.recording')!)).toEqual({
      kind: 'import',
      source: csv,
      column: 'accel_g',
      device: 'pump-1',
      sensor: 'accel',
      site: 'site-1',
      rateHz: '1000',
      unit: 'g',
      blockSamples: '256',
      samples: '2500',
      startTime: '2026-01-01T00:00:00.000Z',
    });
    const blocks = messagesOn(mcap, topic) as { seq: number; tsMs: number; rateHz: number; values: number[] }[];
    expect(blocks.map((b) => b.values.length)).toEqual([...Array(9).fill(256), 2500 - 9 * 256]);
    expect(blocks.map((b) => b.seq)).toEqual([...Array(10).keys()]);
    // Block k starts at sample k·256, i.e. k·256 ms after the default start.
    expect(blocks.map((b) => b.tsMs - Date.parse('2026-01-01T00:00:00Z'))).toEqual([...Array(10).keys()].map((k) => k * 256));
    expect(blocks.flatMap((b) => b.values)).toEqual(rows.map((r) => Number(r[1])));
  });
});
