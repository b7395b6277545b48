import { TwinbedError } from './errors';

const S_PER_H = 3600;

/**
 * Energy from power samples in event-time order by the trapezoid rule, E = Σ (t_k − t_(k−1))·(P_(k−1) + P_k)/2, in kWh.
 * Exact for power linear between samples; a gap between two samples is bridged by the straight line between them.
 * Here in protocol/ because both sides meter: the twins' tests and the live page, from the power sensor's readings.
 */
export class EnergyIntegrator {
  /** Running ∫P dt, kW·s, with its Neumaier compensation: a year of 1 Hz samples then keeps full double precision. */
  #sumKwS = 0;
  #compensation = 0;
  #lastS: number | undefined;
  #lastKw = 0;

  /** Energy so far, kWh. */
  get kWh(): number {
    return (this.#sumKwS + this.#compensation) / S_PER_H;
  }

  /** Event time of the newest sample, s; undefined before the first. */
  get lastS(): number | undefined {
    return this.#lastS;
  }

  /** Adds the sample P(tS) = `powerKw`; `tS` must not precede the previous sample's time. */
  add(tS: number, powerKw: number): void {
    if (!Number.isFinite(tS) || !Number.isFinite(powerKw)) {
      throw new TwinbedError('E_ENERGY_SAMPLE', `energy sample (${tS} s, ${powerKw} kW) is not finite; drop it before integrating`);
    }
    const last = this.#lastS;
    if (last !== undefined) {
      if (tS < last) {
        throw new TwinbedError('E_ENERGY_SAMPLE', `energy sample at ${tS} s comes before the previous one at ${last} s; feed samples in event-time order (sort and dedupe blocks by seq first)`);
      }
      this.#accumulate(((tS - last) * (this.#lastKw + powerKw)) / 2);
    }
    this.#lastS = tS;
    this.#lastKw = powerKw;
  }

  /** Adds a block of samples taken at startS + i/rateHz, kW: a power sensor's telemetry block. */
  addBlock(startS: number, rateHz: number, powerKw: ArrayLike<number>): void {
    for (let i = 0; i < powerKw.length; i++) this.add(startS + i / rateHz, powerKw[i]!);
  }

  /** Neumaier's compensated sum: the low-order bits each addition loses are kept in the compensation. */
  #accumulate(value: number): void {
    const sum = this.#sumKwS + value;
    this.#compensation += Math.abs(this.#sumKwS) >= Math.abs(value) ? this.#sumKwS - sum + value : value - sum + this.#sumKwS;
    this.#sumKwS = sum;
  }
}
