import type { ThermalConfig } from './thermal-config';

const SECONDS_PER_HOUR = 3600;
const HOURS_PER_DAY = 24;

/** The deterministic daily cycle of the site: ambient temperature, and the humidity cycle in antiphase with it. */
export class DailyClimate {
  readonly #meanC: number;
  readonly #amplitudeC: number;
  readonly #humidityMeanPct: number;
  readonly #humidityAmplitudePct: number;
  /** Phase of the cycle at run time 0, rad: 0 when the run starts at the peak hour. */
  readonly #phase0Rad: number;

  /** `startHourOfDay`: local hour of day at run time 0, h in [0, 24). */
  constructor(config: ThermalConfig, startHourOfDay: number) {
    this.#meanC = config.ambientMeanC;
    this.#amplitudeC = config.ambientDailyAmplitudeC;
    this.#humidityMeanPct = config.humidityMeanPct;
    this.#humidityAmplitudePct = config.humidityDailyAmplitudePct;
    this.#phase0Rad = (2 * Math.PI * (startHourOfDay - config.ambientPeakHour)) / HOURS_PER_DAY;
  }

  /** cos of the daily phase at `tS`: 1 at the peak hour, −1 twelve hours later. */
  #cycle(tS: number): number {
    // φ(t) = 2π·(h0 + t/3600 − h_peak)/24
    return Math.cos(this.#phase0Rad + (2 * Math.PI * tS) / (SECONDS_PER_HOUR * HOURS_PER_DAY));
  }

  /** Ambient temperature at `tS`, °C: T_a = T̄ + A·cos φ(t). */
  tempC(tS: number): number {
    return this.#meanC + this.#amplitudeC * this.#cycle(tS);
  }

  /** The daily part of the relative humidity at `tS`, %RH: RH̄ − A_RH·cos φ(t) (driest at the warmest hour). */
  humidityCyclePct(tS: number): number {
    return this.#humidityMeanPct - this.#humidityAmplitudePct * this.#cycle(tS);
  }
}
