import { z } from 'zod';
import { IdSchema, type CommandV1, type TruthFault } from '../../protocol';
import type { RandomStreams } from '../../sim';
import type { Channel } from '../channel';
import type { Machine } from '../machine';
import { OperatingProfile, ProfilePointSchema } from '../operating-profile';
import type { SensorFaultConfig } from '../sensor';
import { isActive, severityAt } from '../severity';
import { ThermalNetwork, ThermalSchema } from '../thermal';
import { checkRotatingMotor, MotorPowerMeasurand, MotorPowerModel, powerSensorSpec, rotatingMotorSchema, type MotorDefaults } from '../electrical';
import { BearingGeometrySchema, MountSchema, ResonanceSchema, VibrationMeasurand, type VibrationFault } from '../vibration';
import type { LubricationFault, OverheatingFault } from './machine-faults';
import { faultFromCommand, faultOutcome, setFromCommand } from './machine-commands';
import { sensorChannel, sensorSpec } from './sensor-spec';
import { sensorTruth } from './sensor-truth';

/** Bearing friction at full bearing-defect severity, multiples of healthy: a damaged race rubs. */
const DEFECT_FRICTION = 1.5;

function rotatingSchema<T extends 'pump' | 'fan'>(template: T, defaults: { speedRpm: number; massKg: number; resonanceHz: number; motor: MotorDefaults }) {
  return z
    .object({
      template: z.literal(template),
      id: IdSchema.describe('Device name, a topic level, unique in the scenario.'),
      speedRpm: z.number().nonnegative().max(60_000).default(defaults.speedRpm).describe(`Shaft speed, rpm. Default ${defaults.speedRpm}.`),
      load: z.number().min(0).max(1.5).default(0.8).describe('Load, fraction of rated. Default 0.8.'),
      profile: z.array(ProfilePointSchema).default([]).describe('Operating profile: speed and load over time, piecewise linear. Default: constant.'),
      residualUnbalanceGmm: z
        .number()
        .nonnegative()
        .default(600)
        .describe('Residual unbalance of the healthy rotor, g·mm. Default 600 (about ISO 21940 G6.3 for a 50 kg rotor).'),
      mount: MountSchema.prefault({ massKg: defaults.massKg }),
      resonance: ResonanceSchema.prefault({ naturalHz: defaults.resonanceHz }),
      bearing: BearingGeometrySchema.prefault({}),
      thermal: ThermalSchema.prefault({}),
      motor: rotatingMotorSchema(defaults.motor),
      sensors: z
        .object({
          accel: sensorSpec({ rateHz: 25_600, blockSamples: 1024, model: { noiseDensity: 1e-4, range: 50, adcBits: 24 } }),
          'winding-temp': sensorSpec({ rateHz: 1, blockSamples: 10, model: { noiseDensity: 0.07, timeConstantS: 3, range: 250, adcBits: 16 } }),
          'bearing-temp': sensorSpec({ rateHz: 1, blockSamples: 10, model: { noiseDensity: 0.07, timeConstantS: 3, range: 250, adcBits: 16 } }),
          power: powerSensorSpec(defaults.motor.ratedPowerW),
        })
        .strict()
        .prefault({})
        .describe('accel: housing accelerometer (g); winding-temp and bearing-temp: RTDs (°C); power: motor input power meter (kW), off by default.'),
    })
    .strict()
    .superRefine(checkRotatingMotor);
}

/** A motor-driven centrifugal pump: 15 kW IE3 4-pole motor at 1480 rpm on resilient mounts. */
export const PumpSchema = rotatingSchema('pump', { speedRpm: 1480, massKg: 50, resonanceHz: 3500, motor: { ratedPowerW: 15_000, ratedEfficiency: 0.921 } });
/** A fan: 7.5 kW IE3 6-pole motor at 990 rpm, lighter rotor, lower housing resonance. */
export const FanSchema = rotatingSchema('fan', { speedRpm: 990, massKg: 30, resonanceHz: 2800, motor: { ratedPowerW: 7500, ratedEfficiency: 0.891 } });

export type RotatingMachineConfig = z.output<typeof PumpSchema> | z.output<typeof FanSchema>;
export type RotatingFault = VibrationFault | OverheatingFault | LubricationFault;

/** A pump or fan twin: housing vibration, winding and bearing temperatures, coupled through the faults. */
export class RotatingMachine implements Machine {
  readonly id: string;
  readonly template: string;
  readonly channels: readonly Channel[];
  readonly vibration: VibrationMeasurand;
  readonly thermal: ThermalNetwork;
  readonly profile: OperatingProfile;
  /** The timeline's faults on this machine, then those `fault` commands added, in the order they came. */
  readonly #faults: RotatingFault[];
  readonly #sensorFaults: readonly SensorFaultConfig[];
  readonly #nominalRpm: number;

  constructor(
    config: RotatingMachineConfig,
    faults: readonly RotatingFault[],
    sensorFaults: readonly SensorFaultConfig[],
    streams: RandomStreams,
    options: { startHourOfDay?: number } = {},
  ) {
    this.id = config.id;
    this.template = config.template;
    this.#faults = faults.filter((f) => f.device === config.id);
    this.#sensorFaults = sensorFaults.filter((f) => f.device === config.id);
    this.profile = new OperatingProfile({ speedRpm: config.speedRpm, load: config.load }, config.profile);
    this.#nominalRpm = config.speedRpm;
    this.vibration = new VibrationMeasurand({
      profile: this.profile,
      nominalSpeedRpm: config.speedRpm,
      residualUnbalanceGmm: config.residualUnbalanceGmm,
      mount: config.mount,
      resonance: config.resonance,
      bearing: config.bearing,
      faults: this.#faults.filter((f): f is VibrationFault => ['imbalance', 'misalignment', 'looseness', 'bearing'].includes(f.type)),
      rng: { phases: streams.stream(`${config.id}/vibration/phases`), slip: streams.stream(`${config.id}/vibration/slip`) },
    });
    this.thermal = new ThermalNetwork(
      config.thermal,
      {
        load: (tS) => this.profile.loadAt(tS),
        frictionFactor: (tS) => this.#frictionFactor(tS),
        coolingFactor: (tS) => this.#coolingFactor(tS),
      },
      { rng: streams.stream(`${config.id}/thermal/humidity`), startHourOfDay: options.startHourOfDay ?? 0 },
    );
    // Built only when metered: an unmetered machine may start at 0 rpm, which leaves its motor no rated speed.
    const power = config.sensors.power.enabled ? this.#motorPower(config) : undefined;
    const measurands = { accel: this.vibration, 'winding-temp': this.thermal.winding, 'bearing-temp': this.thermal.bearing, power } as const;
    const channels: Channel[] = [];
    for (const [sensor, spec] of Object.entries(config.sensors) as [keyof typeof measurands, (typeof config.sensors)[keyof typeof measurands]][]) {
      if (spec.enabled) channels.push(sensorChannel(config.id, sensor, spec, measurands[sensor]!, this.#sensorFaults, streams));
    }
    this.channels = channels;
  }

  /**
   * The motor's input power on the operating profile (commands included). Fault friction beyond healthy adds Coulomb
   * torque ΔT = (frictionFactor − 1)·P_friction/ω_rated: at rated speed, the same watts that heat the bearing.
   */
  #motorPower(config: RotatingMachineConfig): MotorPowerMeasurand {
    const motor = new MotorPowerModel({ ...config.motor, ratedSpeedRpm: config.motor.ratedSpeedRpm ?? config.speedRpm });
    const frictionTorqueNm = config.thermal.bearingFrictionLossW / motor.ratedOmegaRadS;
    return new MotorPowerMeasurand(motor, {
      speedRpm: (tS) => this.profile.speedRpmAt(tS),
      load: (tS) => this.profile.loadAt(tS),
      extraTorqueNm: (tS) => (this.#frictionFactor(tS) - 1) * frictionTorqueNm,
    });
  }

  /** Healthy friction × (1 + lubrication loss + bearing damage). */
  #frictionFactor(tS: number): number {
    let factor = 1;
    for (const f of this.#faults) {
      if (f.type === 'lubrication') factor += f.frictionIncrease * severityAt(tS, f);
      else if (f.type === 'bearing') factor += DEFECT_FRICTION * severityAt(tS, f);
    }
    return factor;
  }

  #coolingFactor(tS: number): number {
    let factor = 1;
    for (const f of this.#faults) if (f.type === 'overheating') factor *= 1 - f.coolingLoss * severityAt(tS, f);
    return factor;
  }

  /**
   * `slow-down` {speedRpm? (default half the present speed), rampS? (default 5)} and `stop` {rampS?} ramp the motor
   * as a drive would; `resume` {speedRpm?, rampS?} returns to the configured speed. `set` {speedRpm?, load?, rampS?}
   * ramps to a new operating point; `fault` {type, severity?, component?, …} starts a fault now (see faultFromCommand).
   */
  command(command: CommandV1, tS: number): string | undefined {
    const args = command.args ?? {};
    if (command.action === 'fault') return this.#inject(args, tS);
    if (command.action === 'set') {
      const set = setFromCommand(args);
      if (!set.ok) return set.refusal;
      const { speedRpm, load, rampS } = set.value;
      this.profile.command(tS, { ...(speedRpm !== undefined ? { speedRpm } : {}), ...(load !== undefined ? { load } : {}) }, rampS);
      const to = [...(speedRpm !== undefined ? [`${speedRpm} rpm`] : []), ...(load !== undefined ? [`load ${load}`] : [])];
      return `setting ${to.join(' and ')} over ${rampS} s`;
    }
    const rampS = typeof args.rampS === 'number' && args.rampS >= 0 ? args.rampS : 5;
    const rpm = typeof args.speedRpm === 'number' && args.speedRpm >= 0 ? args.speedRpm : undefined;
    switch (command.action) {
      case 'slow-down':
        this.profile.command(tS, { speedRpm: rpm ?? this.profile.speedRpmAt(tS) / 2 }, rampS);
        return `slowing to ${this.profile.speedRpmAt(tS + rampS)} rpm over ${rampS} s`;
      case 'stop':
        this.profile.command(tS, { speedRpm: 0 }, rampS);
        return `stopping over ${rampS} s`;
      case 'resume':
        this.profile.command(tS, { speedRpm: rpm ?? this.#nominalRpm }, rampS);
        return `resuming ${this.profile.speedRpmAt(tS + rampS)} rpm over ${rampS} s`;
      default:
        return undefined;
    }
  }

  /** A fault from now on, as if it had been on the timeline: the vibration takes it, and the thermal drivers read #faults. */
  #inject(args: Readonly<Record<string, unknown>>, tS: number): string {
    const made = faultFromCommand(args, { device: this.id, template: this.template, atS: tS });
    if (!made.ok) return made.refusal;
    const fault = made.value;
    switch (fault.type) {
      case 'imbalance':
      case 'misalignment':
      case 'looseness':
      case 'bearing':
        this.vibration.addFault(fault);
        break;
      case 'overheating':
      case 'lubrication':
        break;
      default:
        return `fault refused: a ${this.template} cannot have a "${fault.type}" fault`;
    }
    this.#faults.push(fault);
    return faultOutcome(fault);
  }

  truthAt(tS: number): TruthFault[] {
    const truth: TruthFault[] = [];
    for (const f of this.#faults) {
      if (!isActive(tS, f)) continue;
      const severity = severityAt(tS, f);
      truth.push(f.type === 'bearing' ? { fault: f.type, component: f.component, severity } : { fault: f.type, severity });
    }
    return [...truth, ...sensorTruth(this.#sensorFaults, tS)];
  }
}
