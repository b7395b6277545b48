import { ThermalError } from './thermal-error';

/**
 * What drives the thermal network, as functions of run time (seconds since the start of the run). Other models
 * (load profiles, bearing faults, fouling) supply them. The network samples each once per internal step, at the
 * step's midpoint, and holds the value over the step.
 */
export interface ThermalDrivers {
  /** Mechanical load as a fraction of rated, ≥ 0 (1 = full load; above 1 is overload). Electrical loss ∝ load². */
  load(tS: number): number;
  /** Multiplier of the healthy bearing friction loss, ≥ 0: 1 healthy, grows with bearing damage or lubricant loss. */
  frictionFactor(tS: number): number;
  /** Multiplier of the housing → ambient conductance, ≥ 0: 1 healthy, below 1 for fouled fins or a failed fan. */
  coolingFactor(tS: number): number;
}

/** Drivers that never change: by default a healthy machine at full load. */
export function constantDrivers(values: { load?: number; frictionFactor?: number; coolingFactor?: number } = {}): ThermalDrivers {
  const { load = 1, frictionFactor = 1, coolingFactor = 1 } = values;
  return { load: () => load, frictionFactor: () => frictionFactor, coolingFactor: () => coolingFactor };
}

/** `value`, returned by driver `name` at `tS`, or a ThermalError naming the driver when it is not a finite number ≥ 0. */
export function checkedDriver(name: keyof ThermalDrivers, value: number, tS: number): number {
  if (!(value >= 0 && value < Infinity)) {
    throw new ThermalError('E_THERMAL_DRIVER', `thermal driver ${name}(${tS}) returned ${value}; return a finite number ≥ 0 (1 = rated/healthy)`);
  }
  return value;
}
