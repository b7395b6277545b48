/** One of `total` parts of a fleet, 1-based as Playwright's `--shard=2/4`. */
export interface Shard {
  index: number;
  total: number;
}

/** Reads `i/n` (1 ≤ i ≤ n); the error says what is wrong, for the CLI to print beside the flag. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new RangeError(`expected i/n, e.g. 2/4, got "${text}"`);
  const index = Number(match[1]);
  const total = Number(match[2]);
  if (total < 1) throw new RangeError(`the shard count n must be at least 1, got ${total}`);
  if (index < 1 || index > total) throw new RangeError(`the shard i must be between 1 and ${total}, got ${index}`);
  return { index, total };
}

/**
 * The contiguous slice [from, to) of `count` items that shard `shard` takes, as Playwright splits a suite: sizes
 * differ by at most one, the larger slices first, and the shards together take every item exactly once.
 */
export function shardRange(count: number, shard: Shard): { from: number; to: number } {
  const size = Math.floor(count / shard.total);
  const extra = count - size * shard.total;
  const i = shard.index - 1;
  const from = size * i + Math.min(extra, i);
  return { from, to: from + size + (i < extra ? 1 : 0) };
}
