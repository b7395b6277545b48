import { RAD_S_PER_RPM } from '../units';
import { ElectricalError } from './electrical-error';

/** A motor's nameplate: what the power model needs to turn speed and load into electrical input power. */
export interface MotorRating {
  /** Rated shaft output, W. */
  ratedPowerW: number;
  /** Rated speed, rpm. */
  ratedSpeedRpm: number;
  /** Efficiency at rated load and speed, in (0, 1). */
  ratedEfficiency: number;
  /** Load (fraction of rated torque) where the efficiency peaks, > 0: constant losses equal the load losses there. */
  peakEfficiencyLoad: number;
}

/** T_rated = P_rated/ω_rated, N·m. */
export function ratedTorqueNm(ratedPowerW: number, ratedSpeedRpm: number): number {
  return ratedPowerW / (ratedSpeedRpm * RAD_S_PER_RPM);
}

/** P = T·ω/η, W: the electrical input that delivers shaft torque T (N·m) at ω (rad/s) with efficiency η. */
export function electricalPowerW(torqueNm: number, omegaRadS: number, efficiency: number): number {
  return (torqueNm * omegaRadS) / efficiency;
}

/**
 * η(l) = l/(l + a + b·l²) for load l (fraction of rated torque): the constant-loss model P_in = P_shaft + P_0 + P_cu·l²
 * with a = P_0/P_rated (iron, friction, windage) and b = P_cu/P_rated (copper, stray) at rated speed.
 */
export function partLoadEfficiency(load: number, constantLossFraction: number, loadLossFraction: number): number {
  return load / (load + constantLossFraction + loadLossFraction * load * load);
}

/**
 * Electrical input of an induction motor from its shaft torque and speed. Losses at rated speed split into constant
 * losses P_0 and load losses P_cu·l², sized so that η(1) = η_rated and η peaks at `peakEfficiencyLoad` l*, where
 * P_0 = P_cu·l*²: P_0 + P_cu = P_rated·(1/η_rated − 1). Every loss scales with ω/ω_rated, so η depends on load only
 * (as the part-load curve of a datasheet) and P = T·ω/η(T/T_rated) falls to 0 with speed: a stopped motor draws nothing.
 */
export class MotorPowerModel {
  readonly rating: Readonly<MotorRating>;
  /** ω_rated, rad/s. */
  readonly ratedOmegaRadS: number;
  /** T_rated = P_rated/ω_rated, N·m. */
  readonly ratedTorqueNm: number;
  /** Constant losses P_0 at rated speed, W. */
  readonly constantLossW: number;
  /** Load losses P_cu at rated torque and speed, W. */
  readonly loadLossW: number;
  readonly #a: number;
  readonly #b: number;

  constructor(rating: MotorRating) {
    const { ratedPowerW, ratedSpeedRpm, ratedEfficiency, peakEfficiencyLoad } = rating;
    if (!(ratedPowerW > 0 && ratedPowerW < Infinity)) throw ratingError(`ratedPowerW must be a positive number of W, got ${ratedPowerW}`);
    if (!(ratedSpeedRpm > 0 && ratedSpeedRpm < Infinity)) throw ratingError(`ratedSpeedRpm must be a positive number of rpm, got ${ratedSpeedRpm}`);
    if (!(ratedEfficiency > 0 && ratedEfficiency < 1)) throw ratingError(`ratedEfficiency must lie in (0, 1), got ${ratedEfficiency}`);
    if (!(peakEfficiencyLoad > 0 && peakEfficiencyLoad < Infinity)) throw ratingError(`peakEfficiencyLoad must be a positive fraction of rated torque, got ${peakEfficiencyLoad}`);
    this.rating = { ratedPowerW, ratedSpeedRpm, ratedEfficiency, peakEfficiencyLoad };
    this.ratedOmegaRadS = ratedSpeedRpm * RAD_S_PER_RPM;
    this.ratedTorqueNm = ratedTorqueNm(ratedPowerW, ratedSpeedRpm);
    const lossW = ratedPowerW * (1 / ratedEfficiency - 1);
    const peak2 = peakEfficiencyLoad * peakEfficiencyLoad;
    this.loadLossW = lossW / (1 + peak2);
    this.constantLossW = this.loadLossW * peak2;
    this.#a = this.constantLossW / ratedPowerW;
    this.#b = this.loadLossW / ratedPowerW;
  }

  /** η at `load` (fraction of rated torque), from the part-load curve; 0 at no load. */
  efficiencyAt(load: number): number {
    return partLoadEfficiency(load, this.#a, this.#b);
  }

  /** T = load·T_rated + extra, N·m: the process load plus any torque the machine adds (fault friction). */
  shaftTorqueNm(load: number, extraTorqueNm = 0): number {
    return load * this.ratedTorqueNm + extraTorqueNm;
  }

  /** Electrical input power, W, for shaft torque `torqueNm` at `speedRpm`: P = T·ω/η(T/T_rated). */
  inputPowerW(speedRpm: number, torqueNm: number): number {
    const omega = speedRpm * RAD_S_PER_RPM;
    if (omega === 0) return 0;
    const load = torqueNm / this.ratedTorqueNm;
    // At no load T·ω/η is 0/0; its limit is the constant losses at this speed, P_0·ω/ω_rated.
    if (load === 0) return (this.constantLossW * omega) / this.ratedOmegaRadS;
    return electricalPowerW(torqueNm, omega, this.efficiencyAt(load));
  }
}

function ratingError(message: string): ElectricalError {
  return new ElectricalError('E_ELECTRICAL_RATING', `motor rating: ${message}`);
}
