import type { Rng } from '../../sim';
import { severityAt } from '../severity';
import type { SensorFaultConfig, SensorFaultType } from './sensor-faults';

/** What the faults did to one block beyond its values. */
export interface BlockFaultEffects {
  /** Added to the block's timestamp, ms (timestamp-skew). */
  tsOffsetMs: number;
  /** The block is not delivered (dropout). */
  dropped: boolean;
}

// Gain acts before the offsets it would otherwise scale, clipping sees everything added before it, and a stuck
// output hides all of it; the fixed order keeps the result independent of the order faults are listed in.
const STAGE: Record<SensorFaultType, number> = {
  calibration: 0,
  'bias-jump': 1,
  drift: 2,
  'noise-burst': 3,
  spikes: 4,
  clipping: 5,
  stuck: 6,
  dropout: 7,
  'timestamp-skew': 8,
};

interface FaultState {
  fault: SensorFaultConfig;
  /** End of the fault window, s (Infinity without forS). */
  endS: number;
  /** stuck: the frozen value. */
  held: number;
  /** stuck: the window covered the last sample of the previous block, so `held` carries over. */
  activeAtBlockEnd: boolean;
  /** spikes: time of the next candidate of the rate-ratePerS·severity Poisson process, s. */
  nextSpikeS: number;
}

/**
 * Applies one sensor's faults to its blocks of output values, in time order. Stateful: a stuck value and the next
 * spike time carry across blocks. Sample i of a block starting at startS is at startS + i/rateHz, the instants
 * Measurand.fill uses, and it is faulty when atS ≤ t < atS + forS.
 *
 * Draws from `rng`, only while a fault is active: spikes take three next() per candidate (gap, acceptance, sign);
 * noise-burst takes one addNormal draw per faulty sample.
 */
export class SensorFaultInjector {
  readonly #rateHz: number;
  readonly #rng: Rng;
  readonly #states: FaultState[];
  readonly #scratch: Float64Array;
  /** Final value of the previous block's last sample: what a stuck output freezes at when onset starts a block. */
  #lastValue: number | undefined;

  constructor(faults: readonly SensorFaultConfig[], rateHz: number, blockSamples: number, rng: Rng) {
    this.#rateHz = rateHz;
    this.#rng = rng;
    this.#scratch = new Float64Array(blockSamples);
    this.#states = faults
      .map((fault) => ({
        fault,
        endS: fault.forS === undefined ? Infinity : fault.atS + fault.forS,
        held: 0,
        activeAtBlockEnd: false,
        nextSpikeS: NaN,
      }))
      .sort((a, b) => STAGE[a.fault.type] - STAGE[b.fault.type]);
  }

  /** Applies the faults to `values` (one block starting at `startS`) in place. */
  apply(values: Float64Array, startS: number): BlockFaultEffects {
    const count = values.length;
    const effects: BlockFaultEffects = { tsOffsetMs: 0, dropped: false };
    for (const state of this.#states) {
      const from = this.#firstIndexAtOrAfter(state.fault.atS, startS, count);
      const to = this.#firstIndexAtOrAfter(state.endS, startS, count);
      if (state.fault.type === 'stuck') state.activeAtBlockEnd = this.#stuck(state, values, from, to, count);
      else if (from < to) this.#applyOne(state, values, startS, from, to, effects);
    }
    this.#lastValue = values[count - 1];
    return effects;
  }

  #applyOne(state: FaultState, values: Float64Array, startS: number, from: number, to: number, effects: BlockFaultEffects): void {
    const fault = state.fault;
    const rateHz = this.#rateHz;
    switch (fault.type) {
      case 'calibration':
        for (let i = from; i < to; i++) values[i]! *= 1 + severityAt(startS + i / rateHz, fault) * fault.gainError;
        return;
      case 'bias-jump':
        for (let i = from; i < to; i++) values[i]! += severityAt(startS + i / rateHz, fault) * fault.offset;
        return;
      case 'drift':
        for (let i = from; i < to; i++) {
          const t = startS + i / rateHz;
          values[i]! += severityAt(t, fault) * fault.ratePerS * (t - fault.atS);
        }
        return;
      case 'noise-burst': {
        const noise = this.#scratch;
        noise.fill(0, 0, to - from);
        this.#rng.addNormal(noise, fault.noiseRms, to - from);
        for (let i = from; i < to; i++) values[i]! += severityAt(startS + i / rateHz, fault) * noise[i - from]!;
        return;
      }
      case 'spikes':
        this.#spikes(state, values, startS);
        return;
      case 'clipping': {
        const level = fault.level;
        for (let i = from; i < to; i++) {
          const v = values[i]!;
          values[i] = v > level ? level : v < -level ? -level : v;
        }
        return;
      }
      case 'dropout':
        effects.dropped = true;
        return;
      case 'timestamp-skew': {
        const t = startS + from / rateHz;
        const sinceOnsetS = t - fault.atS;
        effects.tsOffsetMs += severityAt(t, fault) * (fault.offsetMs + (fault.driftPpm ?? 0) * 1e-6 * sinceOnsetS * 1000);
        return;
      }
      case 'stuck':
        return;
    }
  }

  /** Freezes values[from … to−1]; returns whether the window still holds at the block's last sample. */
  #stuck(state: FaultState, values: Float64Array, from: number, to: number, count: number): boolean {
    if (from >= to) return false;
    if (from > 0) state.held = values[from - 1]!;
    else if (!state.activeAtBlockEnd) state.held = this.#lastValue ?? values[0]!;
    values.fill(state.held, from, to);
    return to === count;
  }

  #spikes(state: FaultState, values: Float64Array, startS: number): void {
    const count = values.length;
    const fault = state.fault;
    if (fault.type !== 'spikes') return;
    const peakRate = fault.ratePerS * fault.severity;
    if (peakRate <= 0) return;
    const rng = this.#rng;
    // Exponential gaps of a Poisson process: Δt = −ln(1 − U)/λ.
    if (Number.isNaN(state.nextSpikeS)) state.nextSpikeS = fault.atS - Math.log(1 - rng.next()) / peakRate;
    for (;;) {
      const t = state.nextSpikeS;
      if (t >= state.endS) return;
      const i = this.#firstIndexAtOrAfter(t, startS, count);
      if (i >= count || startS + i / this.#rateHz >= state.endS) return;
      // Thinning (Lewis & Shedler 1979): keep a candidate of the peak-rate process with probability λ(t)/λmax.
      const keep = rng.next() * fault.severity < severityAt(t, fault);
      const sign = rng.next() < 0.5 ? -1 : 1;
      if (keep) values[i]! += sign * fault.amplitude;
      state.nextSpikeS = t - Math.log(1 - rng.next()) / peakRate;
    }
  }

  /** Smallest i in [0, count] with startS + i/rateHz ≥ tS, computed with the same expression as the sample instants. */
  #firstIndexAtOrAfter(tS: number, startS: number, count: number): number {
    if (tS === Infinity) return count;
    const rateHz = this.#rateHz;
    let i = Math.min(count, Math.max(0, Math.ceil((tS - startS) * rateHz)));
    while (i > 0 && startS + (i - 1) / rateHz >= tS) i--;
    while (i < count && startS + i / rateHz < tS) i++;
    return i;
  }
}
