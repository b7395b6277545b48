/** A wall clock a test moves by hand, for clocks that take `wallMs`. */
export function manualWall(startMs: number): { wallMs: () => number; advance: (ms: number) => void } {
  let nowMs = startMs;
  return {
    wallMs: () => nowMs,
    advance: (ms: number) => void (nowMs += ms),
  };
}
