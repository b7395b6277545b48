import { z } from 'zod';

/** How a fault grows after its onset. Every machine fault on the timeline carries these fields. */
export const FaultTimingShape = {
  atS: z.number().nonnegative().describe('Onset, seconds from the start of the run.'),
  forS: z.number().positive().optional().describe('How long the fault lasts, seconds. Default: to the end of the run.'),
  growth: z
    .enum(['step', 'ramp', 'exp'])
    .default('step')
    .describe('step: full severity at onset; ramp: linear over rampS; exp: exponential degradation with timeConstantS. Default step.'),
  rampS: z.number().positive().optional().describe('ramp: seconds from onset to full severity.'),
  timeConstantS: z.number().positive().optional().describe('exp: e-folding time of the degradation, seconds.'),
  severity: z.number().min(0).max(1).default(1).describe('Severity reached at full growth, 0–1. Default 1.'),
} as const;

export interface FaultTiming {
  atS: number;
  forS?: number;
  growth: 'step' | 'ramp' | 'exp';
  rampS?: number;
  timeConstantS?: number;
  severity: number;
}

/** The growth parameter each profile needs, for a superRefine on any fault schema. */
export function timingProblem(t: FaultTiming): { path: string; message: string } | undefined {
  if (t.growth === 'ramp' && t.rampS === undefined) return { path: 'rampS', message: 'growth "ramp" needs rampS (seconds to full severity)' };
  if (t.growth === 'exp' && t.timeConstantS === undefined) return { path: 'timeConstantS', message: 'growth "exp" needs timeConstantS (seconds)' };
  return undefined;
}

/** Severity in [0, severity] at `tS` seconds into the run. */
export function severityAt(tS: number, t: FaultTiming): number {
  if (tS < t.atS || (t.forS !== undefined && tS >= t.atS + t.forS)) return 0;
  const dt = tS - t.atS;
  switch (t.growth) {
    case 'step':
      return t.severity;
    case 'ramp':
      return t.severity * Math.min(1, dt / (t.rampS ?? 1));
    case 'exp': {
      // Exponential degradation to a cap: s(t) = S·(e^(Δt/τ) − 1)/(e^(H/τ) − 1), reaching S at H = 5τ.
      const tau = t.timeConstantS ?? 1;
      const horizon = 5 * tau;
      return t.severity * Math.min(1, Math.expm1(dt / tau) / Math.expm1(horizon / tau));
    }
  }
}

/** Linear ramp kept for the imbalance fault's `rampS` (0 is a step). */
export function rampSeverity(tS: number, atS: number, rampS: number): number {
  if (tS < atS) return 0;
  if (rampS <= 0) return 1;
  return Math.min(1, (tS - atS) / rampS);
}
