import { expect } from 'vitest';
import type { SequenceSummary } from '../../cloud';
import type { DeviceStats } from '../../twins';

/**
 * Exactly once: per (device, sensor), the store covers seqs 0 … n−1, each once, where n is what the twin had
 * acknowledged, and the twin failed to publish none.
 */
export function expectStoredOnce(sequences: readonly SequenceSummary[], published: readonly DeviceStats[]): void {
  for (const d of published) {
    expect(d.failed, `${d.device}/${d.sensor} publish failures`).toBe(0);
    expect(sequences.find((q) => q.device === d.device && q.sensor === d.sensor), `${d.device}/${d.sensor}`).toEqual({
      device: d.device,
      sensor: d.sensor,
      count: d.acked,
      minSeq: 0,
      maxSeq: d.acked - 1,
    });
  }
}
