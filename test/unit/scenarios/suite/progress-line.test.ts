import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatRunProgress, formatWallS, ProgressLine } from '../../../../scenarios/progress-line';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 60, write: (text: string) => writes.push(text) };
}

describe('ProgressLine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('without a terminal, writes one status line every 10 s and nothing in between', () => {
    const out = stream(false);
    let n = 0;
    const line = new ProgressLine(out, () => `tick ${++n}`).start();
    vi.advanceTimersByTime(9_999);
    expect(out.writes).toEqual([]);
    vi.advanceTimersByTime(20_001);
    expect(out.writes).toEqual(['tick 1\n', 'tick 2\n', 'tick 3\n']);
    line.stop();
  });

  it('on a terminal, rewrites one line every second, cut to its width, and clears it around other output', () => {
    const out = stream(true);
    const line = new ProgressLine(out, () => 'x'.repeat(100)).start();
    vi.advanceTimersByTime(1000);
    expect(out.writes).toEqual([`\r${'x'.repeat(59)}\x1b[K`]);
    line.print(() => out.write('✓ a test\n'));
    expect(out.writes.slice(1)).toEqual(['\r\x1b[K', '✓ a test\n', `\r${'x'.repeat(59)}\x1b[K`]);
    line.stop();
    expect(out.writes.at(-1)).toBe('\r\x1b[K');
    vi.advanceTimersByTime(5000);
    expect(out.writes).toHaveLength(5);
  });
});

describe('formatRunProgress', () => {
  it('shows simulated time of the duration, the speed-up and the ETA at that speed', () => {
    expect(formatRunProgress({ simulatedS: 240, durationS: 600, speedup: 36 })).toBe('240/600 s simulated · ×36 · ETA 10 s');
    expect(formatRunProgress({ simulatedS: 0, durationS: 3600, speedup: 0 })).toBe('0/3600 s simulated · ×0.0 · ETA –');
    expect([formatWallS(59.6), formatWallS(185), formatWallS(3720)]).toEqual(['1 min 00 s', '3 min 05 s', '1 h 02 min']);
  });
});
