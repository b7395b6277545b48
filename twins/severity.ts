import { IdSchema } from '../protocol';
import { z } from 'zod';

/** How a fault grows after its onset. Every machine fault on the timeline carries these fields. */
export const FaultTimingShape = {
  id: IdSchema.optional().describe('A name for the fault, so expectations can name it. Default `<device>/<type>`, then `#2`, `#3` for more of a kind on one device.'),
  atS: z.number().nonnegative().describe('Onset, seconds from the start of the run.'),
  forS: z.number().positive().optional().describe('How long the fault lasts, seconds. Default: to the end of the run.'),
  growth: z
    .enum(['step', 'ramp', 'exp'])
    .optional()
    .describe('step: full severity at onset; ramp: linear over rampS; exp: exponential degradation with timeConstantS. Default: ramp if rampS is set, exp if timeConstantS is set, else step.'),
  rampS: z.number().positive().optional().describe('ramp: seconds from onset to full severity.'),
  timeConstantS: z.number().positive().optional().describe('exp: e-folding time of the degradation, seconds.'),
  severity: z.number().min(0).max(1).default(1).describe('Severity reached at full growth, 0–1. Default 1.'),
} as const;

export interface FaultTiming {
  atS: number;
  forS?: number;
  growth?: 'step' | 'ramp' | 'exp';
  rampS?: number;
  timeConstantS?: number;
  /** Default 1: on/off faults (stuck, dropout, clipping) have no severity of their own. */
  severity?: number;
}

/** The growth profile in effect: explicit, or implied by which parameter is set. */
export function growthOf(t: FaultTiming): 'step' | 'ramp' | 'exp' {
  return t.growth ?? (t.rampS !== undefined ? 'ramp' : t.timeConstantS !== undefined ? 'exp' : 'step');
}

/** The growth parameter each profile needs, for a superRefine on any fault schema. */
export function timingProblem(t: FaultTiming): { path: string; message: string } | undefined {
  const growth = growthOf(t);
  if (growth === 'ramp' && t.rampS === undefined) return { path: 'rampS', message: 'growth "ramp" needs rampS (seconds to full severity)' };
  if (growth === 'exp' && t.timeConstantS === undefined) return { path: 'timeConstantS', message: 'growth "exp" needs timeConstantS (seconds)' };
  return undefined;
}

/** Whether the fault is on at `tS`: from its onset (inclusive, even where a ramp's severity is still 0) until forS ends. */
export function isActive(tS: number, t: FaultTiming): boolean {
  return tS >= t.atS && (t.forS === undefined || tS < t.atS + t.forS);
}

/** An exponential degradation reaches its declared severity this many time constants after the onset. */
const EXP_HORIZON_TAUS = 5;

/** When the fault reaches its declared severity, s into the run: the end of its ramp, 5τ into exponential growth, or its onset. */
export function fullSeverityAtS(t: FaultTiming): number {
  switch (growthOf(t)) {
    case 'step':
      return t.atS;
    case 'ramp':
      return t.atS + (t.rampS ?? 1);
    case 'exp':
      return t.atS + EXP_HORIZON_TAUS * (t.timeConstantS ?? 1);
  }
}

/** Severity in [0, severity] at `tS` seconds into the run (0 before onset and after forS). */
export function severityAt(tS: number, t: FaultTiming): number {
  if (!isActive(tS, t)) return 0;
  const dt = tS - t.atS;
  const full = t.severity ?? 1;
  switch (growthOf(t)) {
    case 'step':
      return full;
    case 'ramp':
      return full * Math.min(1, dt / (t.rampS ?? 1));
    case 'exp': {
      // Exponential degradation to a cap: s(t) = S·(e^(Δt/τ) − 1)/(e^(H/τ) − 1), reaching S at H = 5τ.
      const tau = t.timeConstantS ?? 1;
      const horizon = EXP_HORIZON_TAUS * tau;
      return full * Math.min(1, Math.expm1(dt / tau) / Math.expm1(horizon / tau));
    }
  }
}

/** Linear ramp kept for the imbalance fault's `rampS` (0 is a step). */
export function rampSeverity(tS: number, atS: number, rampS: number): number {
  if (tS < atS) return 0;
  if (rampS <= 0) return 1;
  return Math.min(1, (tS - atS) / rampS);
}
