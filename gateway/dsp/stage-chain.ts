import { BiquadCascade } from './biquad';
import { Decimator } from './decimator';
import { HampelFilter } from './hampel';
import type { StageConfig } from './pipeline-config';

/** Why a block was turned away; the gateway dead-letters `unit`, `rate`, `range`, `config` and `empty`. */
export type RejectCode = 'unit' | 'rate' | 'range' | 'config' | 'empty' | 'late';

export interface Rejection {
  ok: false;
  code: RejectCode;
  reason: string;
}

/** A processed block: `length` samples in `StageChain.samples`, in `unit`. */
export type ChainResult = { ok: true; length: number; unit: string } | Rejection;

interface Filter {
  /** Processes x[0 … n−1] in place and returns the new length (shorter after decimation). */
  process(x: Float64Array, n: number): number;
  reset(): void;
}

type Step =
  | { kind: 'validate'; stage: Extract<StageConfig, { type: 'validate' }> }
  | { kind: 'scale'; stage: Extract<StageConfig, { type: 'scale' }> }
  | { kind: 'filter'; filter: Filter };

/**
 * The configured stages built for one input rate. `run` first walks the units through every stage (so a block in
 * the wrong unit is rejected before any filter sees it), then runs the stages in order on a reused Float64 buffer.
 * The config guarantees that validate stages come before every filter, so a range rejection never leaves half-updated
 * filter state. Design problems (a cutoff above Nyquist) throw DspError from the constructor.
 */
export class StageChain {
  readonly inputRateHz: number;
  readonly outputRateHz: number;
  readonly #stages: readonly StageConfig[];
  readonly #steps: Step[] = [];
  #samples = new Float64Array(0);

  constructor(stages: readonly StageConfig[], inputRateHz: number) {
    this.#stages = stages;
    this.inputRateHz = inputRateHz;
    let rate = inputRateHz;
    stages.forEach((stage) => {
      switch (stage.type) {
        case 'validate':
          this.#steps.push({ kind: 'validate', stage });
          break;
        case 'scale':
          this.#steps.push({ kind: 'scale', stage });
          break;
        case 'hampel': {
          const hampel = new HampelFilter(stage.halfWidth, stage.threshold);
          this.#steps.push({ kind: 'filter', filter: lengthKeeping(hampel) });
          break;
        }
        case 'lowpass':
        case 'highpass':
        case 'bandpass': {
          const frequency = stage.type === 'bandpass' ? stage.centerHz : stage.cutoffHz;
          const cascade = BiquadCascade.design(stage.type, frequency, rate, stage.sections, stage.q);
          this.#steps.push({ kind: 'filter', filter: lengthKeeping(cascade) });
          break;
        }
        case 'decimate': {
          const decimator = new Decimator(stage.factor, rate, stage.sections);
          rate = decimator.outputRateHz;
          this.#steps.push({ kind: 'filter', filter: decimator });
          break;
        }
      }
    });
    this.outputRateHz = rate;
  }

  /** The processed samples of the last successful `run`, [0, length). */
  get samples(): Float64Array {
    return this.#samples;
  }

  /** Unit after the chain for a block arriving in `unit`, or the rejection. */
  outputUnit(unit: string, rateHz: number): { ok: true; unit: string } | Rejection {
    let current = unit;
    for (const stage of this.#stages) {
      if (stage.type === 'validate') {
        if (stage.unit !== undefined && current !== stage.unit) return { ok: false, code: 'unit', reason: `unit is "${current}" but the pipeline expects "${stage.unit}"` };
        if (stage.rateHz !== undefined && rateHz !== stage.rateHz) return { ok: false, code: 'rate', reason: `rate is ${rateHz} Hz but the pipeline expects ${stage.rateHz} Hz` };
      } else if (stage.type === 'scale') {
        if (current === stage.from) current = stage.to;
        else if (current !== stage.to) return { ok: false, code: 'unit', reason: `unit is "${current}" but the scale stage converts "${stage.from}" to "${stage.to}"` };
      }
    }
    return { ok: true, unit: current };
  }

  run(values: ArrayLike<number>, unit: string, rateHz: number): ChainResult {
    const units = this.outputUnit(unit, rateHz);
    if (!units.ok) return units;
    let n = values.length;
    if (this.#samples.length < n) this.#samples = new Float64Array(n);
    const x = this.#samples;
    for (let i = 0; i < n; i++) x[i] = values[i]!;
    let current = unit;
    for (const step of this.#steps) {
      if (step.kind === 'filter') {
        n = step.filter.process(x, n);
      } else if (step.kind === 'scale') {
        if (current === step.stage.from) {
          const factor = step.stage.factor;
          for (let i = 0; i < n; i++) x[i] = x[i]! * factor;
          current = step.stage.to;
        }
      } else {
        const { min = -Infinity, max = Infinity } = step.stage;
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          if (v < min || v > max) {
            return { ok: false, code: 'range', reason: `sample ${i} is ${v} ${current}, outside the plausible range [${min}, ${max}]` };
          }
        }
      }
    }
    return { ok: true, length: n, unit: current };
  }

  reset(): void {
    for (const step of this.#steps) if (step.kind === 'filter') step.filter.reset();
  }
}

/** Adapts a filter that keeps the block length (everything but the decimator). */
function lengthKeeping(filter: { process(x: Float64Array, n: number): void; reset(): void }): Filter {
  return {
    process: (x, n) => {
      filter.process(x, n);
      return n;
    },
    reset: () => filter.reset(),
  };
}
