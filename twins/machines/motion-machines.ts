import { z } from 'zod';
import type { CommandV1, TruthFault } from '../../protocol';
import type { RandomStreams } from '../../sim';
import type { Channel, Measurand } from '../channel';
import { checkConveyorMotor, conveyorMotorSchema, MotorPowerMeasurand, MotorPowerModel, powerSensorSpec } from '../electrical';
import type { Machine } from '../machine';
import { checkRobotArm, Conveyor, ConveyorShape, RobotArm, RobotArmShape, type MotionFault } from '../motion';
import type { SensorFaultConfig } from '../sensor';
import { sensorChannel, sensorSpec } from './sensor-spec';
import { sensorTruth } from './sensor-truth';
import { faultFromCommand, faultOutcome } from './machine-commands';

// A tactical-grade MEMS IMU at 100 Hz in 1 s blocks: 150 µg/√Hz and 0.005 °/s/√Hz, ±16 g and ±2000 °/s, 16-bit.
const accelAxis = () => sensorSpec({ rateHz: 100, blockSamples: 100, model: { noiseDensity: 150e-6, range: 16, adcBits: 16, biasInstability: 50e-6, biasCorrelationS: 100 } });
const gyroAxis = () => sensorSpec({ rateHz: 100, blockSamples: 100, model: { noiseDensity: 0.005, range: 2000, adcBits: 16, biasInstability: 0.002, biasCorrelationS: 100 } });
const imuSensors = {
  'imu-ax': accelAxis(),
  'imu-ay': accelAxis(),
  'imu-az': accelAxis(),
  'imu-gx': gyroAxis(),
  'imu-gy': gyroAxis(),
  'imu-gz': gyroAxis(),
};

// A 2.2 kW IE3 4-pole geared motor, as on a 10 m light-duty belt.
const conveyorMotor = { ratedPowerW: 2200, ratedEfficiency: 0.867, ratedSpeedRpm: 1440 };

/** A belt conveyor carrying a tote with an IMU, and the belt's encoder (rapier rigid bodies). */
export const ConveyorTemplateSchema = z
  .object({
    template: z.literal('conveyor'),
    ...ConveyorShape,
    motor: conveyorMotorSchema(conveyorMotor),
    sensors: z
      .object({
        ...imuSensors,
        'belt-speed': sensorSpec({ rateHz: 10, blockSamples: 10, model: { noiseDensity: 0.002, range: 10, adcBits: 16 } }),
        power: powerSensorSpec(conveyorMotor.ratedPowerW),
      })
      .strict()
      .prefault({})
      .describe('imu-a*: tote accelerometer (g, includes gravity); imu-g*: gyroscope (deg/s); belt-speed: encoder (m/s); power: motor input power meter (kW), off by default.'),
  })
  .strict()
  .superRefine(checkConveyorMotor);

/** A pick-and-place cell: the end effector carries an IMU (rapier rigid bodies). */
export const RobotArmTemplateSchema = z
  .object({
    template: z.literal('robot-arm'),
    ...RobotArmShape,
    sensors: z.object(imuSensors).strict().prefault({}).describe('imu-a*: effector accelerometer (g, includes gravity); imu-g*: gyroscope (deg/s).'),
  })
  .strict()
  .superRefine(checkRobotArm);

export type ConveyorTemplateConfig = z.output<typeof ConveyorTemplateSchema>;
export type RobotArmTemplateConfig = z.output<typeof RobotArmTemplateSchema>;

/** The drive motor's input power: its speed follows the commanded belt speed (pulley slip is lost after the motor). */
function conveyorPower(config: ConveyorTemplateConfig, conveyor: Conveyor): MotorPowerMeasurand {
  const { motor } = config;
  const ratedBeltSpeedMS = motor.ratedBeltSpeedMS ?? config.speedMS;
  return new MotorPowerMeasurand(new MotorPowerModel(motor), {
    speedRpm: (tS) => (motor.ratedSpeedRpm * conveyor.commandedSpeedMS(tS)) / ratedBeltSpeedMS,
    load: () => motor.load,
  });
}

/** A rapier-driven twin (conveyor or robot arm) with its sensors as channels. */
export class MotionMachine implements Machine {
  readonly id: string;
  readonly template: string;
  readonly channels: readonly Channel[];
  readonly #twin: Conveyor | RobotArm;
  readonly #sensorFaults: readonly SensorFaultConfig[];

  constructor(
    config: ConveyorTemplateConfig | RobotArmTemplateConfig,
    faults: readonly MotionFault[],
    sensorFaults: readonly SensorFaultConfig[],
    streams: RandomStreams,
  ) {
    this.id = config.id;
    this.template = config.template;
    this.#sensorFaults = sensorFaults.filter((f) => f.device === config.id);
    const rng = streams.stream(`${config.id}/motion`);
    const mine = faults.filter((f) => f.device === config.id);
    this.#twin = config.template === 'conveyor' ? new Conveyor(config, mine, rng) : new RobotArm(config, mine, rng);
    // Built only when metered: an unmetered conveyor may start at 0 m/s, which leaves its motor no rated belt speed.
    const twin = this.#twin;
    const metered: Record<string, Measurand> = config.template === 'conveyor' && twin instanceof Conveyor && config.sensors.power.enabled ? { power: conveyorPower(config, twin) } : {};
    const measurands: Readonly<Record<string, Measurand>> = { ...twin.measurands, ...metered };
    const channels: Channel[] = [];
    for (const [sensor, spec] of Object.entries(config.sensors)) {
      if (spec.enabled) channels.push(sensorChannel(config.id, sensor, spec, measurands[sensor]!, this.#sensorFaults, streams));
    }
    this.channels = channels;
  }

  /** `fault` {type, severity?, …}: belt-slip or jam on a conveyor, collision on a robot arm, from now on. */
  command(command: CommandV1, tS: number): string | undefined {
    if (command.action !== 'fault') return undefined;
    const made = faultFromCommand(command.args ?? {}, { device: this.id, template: this.template, atS: tS });
    if (!made.ok) return made.refusal;
    const fault = made.value;
    if (fault.type !== 'belt-slip' && fault.type !== 'jam' && fault.type !== 'collision') return `fault refused: a ${this.template} cannot have a "${fault.type}" fault`;
    this.#twin.addFault(fault);
    return faultOutcome(fault);
  }

  truthAt(tS: number): TruthFault[] {
    return [...this.#twin.activeFaults(tS).map((f) => ({ fault: f.type, severity: f.severity })), ...sensorTruth(this.#sensorFaults, tS)];
  }

  /** Frees the rapier world (WASM memory). */
  dispose(): void {
    this.#twin.dispose();
  }
}
