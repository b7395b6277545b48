import type { FeatureRecord, SequenceSummary } from '../../cloud';

interface Stream {
  device: string;
  sensor: string;
  /** Every block seq below this is covered. */
  next: number;
  /** Covered ranges above `next`, start → end (exclusive), waiting for the gap before them to fill. */
  ahead: Map<number, number>;
  /** Blocks covered, a block covered twice counted twice. */
  blocks: number;
  minSeq: number;
  maxSeq: number;
  /** Windows that covered a block already covered. */
  duplicates: number;
}

/**
 * The block seqs the cloud's stored windows cover, per stream, kept as they are committed: the store itself cannot
 * say once retention has rolled the oldest windows up. Memory stays at a few numbers a stream as long as windows come
 * in seq order, as a gateway sends them; only ones ahead of a gap are held.
 */
export class StoredWindows {
  readonly #streams = new Map<string, Stream>();

  /** A window the cloud stored for the first time (the Cloud's `features` event). */
  add(record: Pick<FeatureRecord, 'device' | 'sensor' | 'seq' | 'blocks'>): void {
    const key = `${record.device}\u0000${record.sensor}`;
    let s = this.#streams.get(key);
    if (!s) {
      s = { device: record.device, sensor: record.sensor, next: 0, ahead: new Map(), blocks: 0, minSeq: Infinity, maxSeq: -Infinity, duplicates: 0 };
      this.#streams.set(key, s);
    }
    const start = record.seq;
    const end = record.seq + (record.blocks ?? 1);
    s.blocks += end - start;
    s.minSeq = Math.min(s.minSeq, start);
    s.maxSeq = Math.max(s.maxSeq, end - 1);
    if (start < s.next || [...s.ahead].some(([a, b]) => start < b && a < end)) {
      s.duplicates++;
      return;
    }
    if (start > s.next) return void s.ahead.set(start, end);
    s.next = end;
    for (let after = s.ahead.get(s.next); after !== undefined; after = s.ahead.get(s.next)) {
      s.ahead.delete(s.next);
      s.next = after;
    }
  }

  /** As the store's `sequences()` would say it had nothing been rolled up: blocks covered, lowest and highest seq. */
  sequences(): SequenceSummary[] {
    return [...this.#streams.values()]
      .map((s) => ({ device: s.device, sensor: s.sensor, count: s.blocks, minSeq: s.minSeq, maxSeq: s.maxSeq }))
      .sort((a, b) => a.device.localeCompare(b.device) || a.sensor.localeCompare(b.sensor));
  }

  /** Blocks covered over every stream, duplicates included. */
  blocks(): number {
    let n = 0;
    for (const s of this.#streams.values()) n += s.blocks;
    return n;
  }

  /** What is wrong with the coverage, per stream: blocks covered twice, gaps still open. Empty when all is well. */
  problems(): string[] {
    return [...this.#streams.values()].flatMap((s) => [
      ...(s.duplicates > 0 ? [`${s.device}/${s.sensor}: ${s.duplicates} windows stored a block already stored`] : []),
      ...(s.ahead.size > 0 ? [`${s.device}/${s.sensor}: blocks ${s.next} … ${Math.min(...s.ahead.keys()) - 1} missing before ${s.ahead.size} stored ranges`] : []),
    ]);
  }
}
