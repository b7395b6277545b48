// The raw waveform behind the panel's spectra: the newest raw block the cloud stored for a sensor, joined with the
// blocks just before it that continue it, decoded from the encoding it travelled in.
import type { RawRecord, Storage } from '../cloud';
import { decodeRawBlock } from '../protocol';
import { nodeGzip } from '../sim';

/**
 * Samples analysed at most (2¹⁵). One block is short (a pump's accelerometer sends 1024 samples, 40 ms at 25.6 kHz:
 * 25 Hz bins, coarser than the spacing of the bearing defect lines); 32 768 samples are 1.28 s there, 0.78 Hz bins,
 * the resolution of the gateway's 1 s windows.
 */
export const MAX_SAMPLES = 32_768;

/** A stretch of consecutive raw blocks of one sensor, decoded. */
export interface RawRun {
  unit: string;
  rateHz: number;
  /** Event time of its first sample, ms since the Unix epoch. */
  fromMs: number;
  /** Event time of its newest block, ms since the Unix epoch. */
  tsMs: number;
  blocks: number;
  samples: Float32Array;
}

type RawStorage = Pick<Storage, 'rawPage'>;

/** The newest raw block of a sensor with its event time in [fromMs, toMs], with up to MAX_SAMPLES of the blocks that lead up to it. */
export async function newestRawRun(storage: RawStorage, device: string, sensor: string, fromMs: number, toMs: number): Promise<RawRun | undefined> {
  const newest = await newestBlock(storage, device, sensor, fromMs, toMs);
  if (!newest) return undefined;
  const blockMs = (newest.samples / newest.rateHz) * 1000;
  const spanMs = (MAX_SAMPLES / newest.rateHz) * 1000 + blockMs;
  const before = (await allRaw(storage, device, sensor, newest.tsMs - spanMs, newest.tsMs)).sort((a, b) => a.seq - b.seq);
  const run = [newest];
  let total = newest.samples;
  for (let i = before.length - 1; i >= 0; i--) {
    const previous = before[i]!;
    const current = run[0]!;
    if (previous.seq >= current.seq) continue;
    // A gap in seq is a block missing; a jump in time or a new rate is another stretch of signal.
    const gapMs = current.tsMs - (previous.tsMs + (previous.samples / previous.rateHz) * 1000);
    const contiguous = previous.seq === current.seq - 1 && previous.rateHz === current.rateHz && Math.abs(gapMs) <= Math.max(1, 2000 / current.rateHz);
    if (!contiguous || total + previous.samples > MAX_SAMPLES) break;
    run.unshift(previous);
    total += previous.samples;
  }
  const samples = new Float32Array(total);
  let at = 0;
  for (const block of run) {
    samples.set(decodeRaw(block), at);
    at += block.samples;
  }
  return { unit: newest.unit, rateHz: newest.rateHz, fromMs: run[0]!.tsMs, tsMs: newest.tsMs, blocks: run.length, samples };
}

/**
 * The newest block in [fromMs, toMs]. Pages come oldest first, so look back from `toMs` in windows that grow ×4 from
 * a second: the usual case, a block in the last second, reads one short page instead of the whole range.
 */
async function newestBlock(storage: RawStorage, device: string, sensor: string, fromMs: number, toMs: number): Promise<RawRecord | undefined> {
  let upper = toMs;
  for (let spanMs = 1000; upper >= fromMs; spanMs *= 4) {
    const lower = Math.max(fromMs, upper - spanMs);
    const found = await allRaw(storage, device, sensor, lower, upper);
    if (found.length > 0) return found.reduce((a, b) => (b.tsMs > a.tsMs || (b.tsMs === a.tsMs && b.seq > a.seq) ? b : a));
    if (lower === fromMs) return undefined;
    // Inclusive ranges: this one held nothing at `lower`, so the next may end there.
    upper = lower;
  }
  return undefined;
}

async function allRaw(storage: RawStorage, device: string, sensor: string, fromMs: number, toMs: number): Promise<RawRecord[]> {
  const items: RawRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.rawPage({ device, sensor, fromMs, toMs, limit: 1000, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return items;
}

/** A stored raw block's float32 samples, bit for bit as the gateway encoded them (protocol/raw-codec.ts). */
export function decodeRaw(record: Pick<RawRecord, 'device' | 'sensor' | 'seq' | 'samples' | 'encoding' | 'data'>): Float32Array {
  return decodeRawBlock(record, nodeGzip);
}
