import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../../cloud';
import { encodeRawBlock, nodeGzip } from '../../../gateway';
import type { TelemetryV1 } from '../../../protocol';
import { decodeRaw, MAX_SAMPLES, newestRawRun } from '../../../web/spectrum-blocks';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const RATE = 25_600;
const BLOCK = 1024;
const BLOCK_MS = (BLOCK / RATE) * 1000;

function block(seq: number, tsMs = T0 + seq * BLOCK_MS): TelemetryV1 {
  const values = Array.from({ length: BLOCK }, (_, i) => Math.sin((seq * BLOCK + i) / 7) * 0.3 + seq);
  return { type: 'telemetry', v: 1, device: 'pump-1', sensor: 'accel', seq, tsMs, rateHz: RATE, unit: 'g', values } as TelemetryV1;
}

function record(seq: number, tsMs?: number): RawRecord {
  const { type: _type, v: _v, ...raw } = encodeRawBlock(block(seq, tsMs), 'delta-f32-gzip', nodeGzip);
  return { ...raw, receivedMs: 0 };
}

/** rawPage over an array, oldest first, a page of `limit` at a time: the Storage contract the route reads. */
function store(records: RawRecord[]) {
  const sorted = [...records].sort((a, b) => a.tsMs - b.tsMs || a.seq - b.seq);
  return {
    async rawPage(q: { fromMs?: number; toMs?: number; limit?: number; cursor?: string }) {
      const all = sorted.filter((r) => (q.fromMs === undefined || r.tsMs >= q.fromMs) && (q.toMs === undefined || r.tsMs <= q.toMs));
      const start = Number(q.cursor ?? 0);
      const limit = q.limit ?? 100;
      const items = all.slice(start, start + limit);
      return { items, ...(start + limit < all.length ? { next: String(start + limit) } : {}) };
    },
  };
}

describe('raw blocks for the panel\'s spectra', () => {
  it('decodes every encoding the gateway uplinks back to its float32 samples, bit for bit', () => {
    const original = Float32Array.from(block(3).values as number[]);
    for (const encoding of ['f32', 'delta-f32', 'delta-f32-gzip'] as const) {
      const raw = encodeRawBlock(block(3), encoding, nodeGzip);
      expect(decodeRaw(raw), encoding).toEqual(original);
    }
  });

  it('refuses a block whose data does not hold its samples, naming it', () => {
    const raw = encodeRawBlock(block(3), 'f32');
    expect(() => decodeRaw({ ...raw, samples: BLOCK + 1 })).toThrow(/pump-1\/accel seq 3 \(f32\) holds 4096 bytes of samples, expected 4100/);
    expect(() => decodeRaw({ ...raw, encoding: 'delta-f32-gzip' })).toThrow(/not valid gzip/);
  });

  it('joins the newest block with the consecutive blocks before it, up to MAX_SAMPLES, newest last', async () => {
    const records = Array.from({ length: 60 }, (_, seq) => record(seq));
    const run = await newestRawRun(store(records), 'pump-1', 'accel', T0, T0 + 60_000);
    expect(run).toMatchObject({ unit: 'g', rateHz: RATE, blocks: MAX_SAMPLES / BLOCK, tsMs: T0 + 59 * BLOCK_MS, fromMs: T0 + 28 * BLOCK_MS });
    expect(run!.samples).toHaveLength(MAX_SAMPLES);
    // Block 28's first sample opens the run, block 59's last one closes it.
    expect(run!.samples[0]).toBe(Math.fround(Math.sin((28 * BLOCK) / 7) * 0.3 + 28));
    expect(run!.samples.at(-1)).toBe(Math.fround(Math.sin((60 * BLOCK - 1) / 7) * 0.3 + 59));
  });

  it('stops at a missing block: a gap in seq is a gap in the signal', async () => {
    const records = Array.from({ length: 40 }, (_, seq) => record(seq)).filter((r) => r.seq !== 30);
    const run = await newestRawRun(store(records), 'pump-1', 'accel', T0, T0 + 60_000);
    expect(run).toMatchObject({ blocks: 9, fromMs: T0 + 31 * BLOCK_MS });
  });

  it('finds a block seconds back, and only one at or before the instant asked for', async () => {
    const records = [record(0), record(1), record(500, T0 + 20_000)];
    const early = await newestRawRun(store(records), 'pump-1', 'accel', T0 + 15_000 - 30_000, T0 + 15_000);
    expect(early).toMatchObject({ blocks: 2, tsMs: T0 + BLOCK_MS });
    expect(await newestRawRun(store(records), 'pump-1', 'accel', T0 + 21_000, T0 + 50_000)).toBeUndefined();
  });
});
