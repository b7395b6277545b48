import type { Rng } from '../../sim';
import type { Measurand } from '../channel';
import type { DailyClimate } from './daily-climate';
import { HermiteHistory } from './hermite-history';
import type { ThermalConfig } from './thermal-config';

/** Longest grid step of the slow variation, s; it changes over hours, so a minute is fine. */
const MAX_GRID_STEP_S = 60;

/**
 * Ambient relative humidity, %RH: the daily cycle in antiphase with temperature plus a slow first-order
 * Gauss–Markov (Ornstein–Uhlenbeck) variation for the weather, clamped to 0–100. The variation is drawn on a fixed
 * grid, in time order, from its own random stream, so its values depend only on the seed and the config, never on
 * who reads first or at which rate.
 */
export class HumidityProcess implements Measurand {
  readonly unit = '%RH';
  readonly #climate: DailyClimate;
  readonly #rng: Rng;
  readonly #history: HermiteHistory;
  /** x_(k+1) = a·x_k + σ·√(1 − a²)·ξ with a = e^(−Δ/τ): the exact discrete Gauss–Markov step. */
  readonly #decay: number;
  readonly #innovation: number;
  readonly #state = new Float64Array(1);
  readonly #slope = new Float64Array(1);

  constructor(config: ThermalConfig, climate: DailyClimate, rng: Rng, historyS: number) {
    this.#climate = climate;
    this.#rng = rng;
    const tau = config.humidityCorrelationS;
    const stepS = Math.min(MAX_GRID_STEP_S, tau / 20);
    this.#decay = Math.exp(-stepS / tau);
    this.#innovation = config.humiditySlowSigmaPct * Math.sqrt(1 - this.#decay * this.#decay);
    this.#history = new HermiteHistory(1, stepS, historyS);
    // Start in the stationary distribution N(0, σ²), as a process that has run for ever.
    this.#state[0] = config.humiditySlowSigmaPct * rng.normal();
    this.#history.start(this.#state);
  }

  fill(out: Float64Array, startS: number, rateHz: number): void {
    const history = this.#history;
    const stepS = history.stepS;
    for (let i = 0; i < out.length; i++) {
      const tS = startS + i / rateHz;
      const needed = Math.floor(tS / stepS) + 1;
      while (history.newestIndex < needed) this.#step();
      const rh = this.#climate.humidityCyclePct(tS) + history.at(0, tS);
      out[i] = rh < 0 ? 0 : rh > 100 ? 100 : rh;
    }
  }

  #step(): void {
    const x0 = this.#state[0]!;
    const x1 = this.#decay * x0 + this.#innovation * this.#rng.normal();
    // Secant slopes at both ends: linear interpolation between grid points.
    this.#slope[0] = (x1 - x0) / this.#history.stepS;
    this.#state[0] = x1;
    this.#history.push(this.#slope, this.#slope, this.#state);
  }
}
