/** Fault severity in [0, 1] at `tS` for a linear ramp from onset `atS` over `rampS` seconds (0 is a step). */
export function rampSeverity(tS: number, atS: number, rampS: number): number {
  if (tS < atS) return 0;
  if (rampS <= 0) return 1;
  return Math.min(1, (tS - atS) / rampS);
}
