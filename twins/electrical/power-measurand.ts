import type { Measurand } from '../channel';
import { W_PER_KW } from '../units';
import { ElectricalError } from './electrical-error';
import type { MotorPowerModel } from './motor-power';

/**
 * What drives the motor, as functions of run time (seconds since the start of the run): the machine's operating
 * profile, commands included, and the torque its faults add.
 */
export interface MotorDrivers {
  /** Motor shaft speed, rpm, ≥ 0. */
  speedRpm(tS: number): number;
  /** Process load, fraction of rated torque, ≥ 0. */
  load(tS: number): number;
  /** Torque the machine adds on top of the process load (e.g. bearing friction from a fault), N·m, ≥ 0. Default 0. */
  extraTorqueNm?(tS: number): number;
}

/** The motor's electrical input power in kW, as a power meter on its feeder would read it. */
export class MotorPowerMeasurand implements Measurand {
  readonly unit = 'kW';
  readonly model: MotorPowerModel;
  readonly #drivers: MotorDrivers;

  constructor(model: MotorPowerModel, drivers: MotorDrivers) {
    this.model = model;
    this.#drivers = drivers;
  }

  /** Electrical input power at `tS`, W. */
  powerW(tS: number): number {
    const d = this.#drivers;
    const speedRpm = checked('speedRpm', d.speedRpm(tS), tS);
    const load = checked('load', d.load(tS), tS);
    const extra = d.extraTorqueNm ? checked('extraTorqueNm', d.extraTorqueNm(tS), tS) : 0;
    return this.model.inputPowerW(speedRpm, this.model.shaftTorqueNm(load, extra));
  }

  fill(out: Float64Array, startS: number, rateHz: number): void {
    for (let i = 0; i < out.length; i++) out[i] = this.powerW(startS + i / rateHz) / W_PER_KW;
  }
}

function checked(name: keyof MotorDrivers, value: number, tS: number): number {
  if (!(value >= 0 && value < Infinity)) {
    throw new ElectricalError('E_ELECTRICAL_DRIVER', `motor driver ${name}(${tS}) returned ${value}; return a finite number ≥ 0`);
  }
  return value;
}
