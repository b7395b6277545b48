import { z } from 'zod';

export const ProfilePointSchema = z
  .object({
    atS: z.number().nonnegative().describe('Seconds from the start of the run.'),
    speedRpm: z.number().nonnegative().max(60_000).optional().describe('Shaft speed, rpm. Default: the previous point’s (or the machine’s speedRpm).'),
    load: z.number().min(0).max(1.5).optional().describe('Load as a fraction of rated (1 = full load). Default: the previous point’s (or the machine’s load).'),
  })
  .strict();

export type ProfilePoint = z.output<typeof ProfilePointSchema>;

/** Speed and load over time: piecewise linear between points, held before the first and after the last. */
export class OperatingProfile {
  #times: Float64Array;
  #speeds: Float64Array;
  #loads: Float64Array;

  constructor(base: { speedRpm: number; load: number }, points: readonly ProfilePoint[] = []) {
    const sorted = [...points].sort((a, b) => a.atS - b.atS);
    const all = [{ atS: 0, speedRpm: base.speedRpm, load: base.load }];
    for (const p of sorted) {
      const prev = all[all.length - 1]!;
      const point = { atS: p.atS, speedRpm: p.speedRpm ?? prev.speedRpm, load: p.load ?? prev.load };
      if (p.atS === 0) all[0] = point;
      else all.push(point);
    }
    this.#times = Float64Array.from(all, (p) => p.atS);
    this.#speeds = Float64Array.from(all, (p) => p.speedRpm);
    this.#loads = Float64Array.from(all, (p) => p.load);
  }

  /**
   * An operator's (or a gateway's) command from `tS` on: ramp from the current state to `target` over `rampS` and
   * hold it; the planned profile after tS is replaced.
   */
  command(tS: number, target: { speedRpm?: number; load?: number }, rampS: number): void {
    const now = { atS: tS, speedRpm: this.speedRpmAt(tS), load: this.loadAt(tS) };
    const end = { atS: tS + Math.max(rampS, 1e-6), speedRpm: target.speedRpm ?? now.speedRpm, load: target.load ?? now.load };
    const keep = [...this.#times].map((atS, i) => ({ atS, speedRpm: this.#speeds[i]!, load: this.#loads[i]! })).filter((p) => p.atS < tS);
    const points = [...keep, now, end];
    this.#times = Float64Array.from(points, (p) => p.atS);
    this.#speeds = Float64Array.from(points, (p) => p.speedRpm);
    this.#loads = Float64Array.from(points, (p) => p.load);
  }

  speedRpmAt(tS: number): number {
    return this.#interpolate(this.#speeds, tS);
  }

  loadAt(tS: number): number {
    return this.#interpolate(this.#loads, tS);
  }

  /** Shaft rotation frequency, Hz. */
  shaftHzAt(tS: number): number {
    return this.speedRpmAt(tS) / 60;
  }

  #interpolate(values: Float64Array, tS: number): number {
    const times = this.#times;
    if (tS <= times[0]!) return values[0]!;
    for (let i = 1; i < times.length; i++) {
      if (tS < times[i]!) {
        const f = (tS - times[i - 1]!) / (times[i]! - times[i - 1]!);
        return values[i - 1]! + f * (values[i]! - values[i - 1]!);
      }
    }
    return values[values.length - 1]!;
  }
}
