import { z } from 'zod';
import type { RandomStreams } from '../../sim';
import type { Machine } from '../machine';
import { SensorFaultSchema, type SensorFaultConfig } from '../sensor';
import { timingProblem } from '../severity';
import { BearingFaultSchema, ImbalanceFaultSchema, LoosenessFaultSchema, MisalignmentFaultSchema } from '../vibration';
import { EnvironmentSchema, EnvironmentTwin } from './environment';
import { LubricationFaultSchema, OverheatingFaultSchema } from './machine-faults';
import { FAULTS_BY_TEMPLATE } from './machine-commands';
import { FanSchema, PumpSchema, RotatingMachine, type RotatingFault } from './rotating-machine';
import { ConveyorTemplateSchema, MotionMachine, RobotArmTemplateSchema } from './motion-machines';
import { BeltSlipFaultSchema, CollisionFaultSchema, initPhysics, JamFaultSchema, type MotionFault } from '../motion';

/** Every machine template a scenario can declare, chosen by `template`. */
export const MachineSchema = z.discriminatedUnion('template', [PumpSchema, FanSchema, ConveyorTemplateSchema, RobotArmTemplateSchema, EnvironmentSchema]);

const sensorFaultOptions = SensorFaultSchema.options;

/** Fault types that act on a sensor rather than on the machine. */
export const SENSOR_FAULT_TYPES: ReadonlySet<string> = new Set(sensorFaultOptions.map((o) => o.shape.type.value));

/** Every fault a scenario can put on the timeline: machine faults by `device`, sensor faults by `device` and `sensor`. */
export const FaultSchema = z
  .discriminatedUnion('type', [
    ImbalanceFaultSchema,
    MisalignmentFaultSchema,
    LoosenessFaultSchema,
    BearingFaultSchema,
    OverheatingFaultSchema,
    LubricationFaultSchema,
    BeltSlipFaultSchema,
    JamFaultSchema,
    CollisionFaultSchema,
    ...sensorFaultOptions,
  ])
  .superRefine((fault, ctx) => {
    if (SENSOR_FAULT_TYPES.has(fault.type)) return; // the sensor fault schemas check their own timing
    const problem = timingProblem(fault);
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
  });

/** Every fault type, machine and sensor. */
export const FAULT_TYPES: readonly string[] = FaultSchema.options.map((o) => o.shape.type.value);

/** Every machine template. */
export const TEMPLATES: readonly string[] = MachineSchema.options.map((o) => o.shape.template.value);

export type MachineConfig = z.output<typeof MachineSchema>;
export type MachineInput = z.input<typeof MachineSchema>;
export type FaultConfig = z.output<typeof FaultSchema>;


/** Fault types each template can suffer (sensor faults apply to every template); a `fault` command takes the same. */
export const MACHINE_FAULTS_BY_TEMPLATE: Readonly<Record<MachineConfig['template'], readonly string[]>> = FAULTS_BY_TEMPLATE;

/** The sensors a machine of this config publishes (enabled ones). */
export function sensorsOf(config: MachineConfig): string[] {
  return Object.entries(config.sensors)
    .filter(([, spec]) => (spec as { enabled: boolean }).enabled)
    .map(([name]) => name);
}

export interface FleetDefinition {
  twins: readonly MachineConfig[];
  faults: readonly FaultConfig[];
  /** Simulated start, ISO 8601: its UTC hour places the run on the daily ambient cycle. */
  startTime: string;
}

/** Builds every machine of a fleet with its named random streams. Async: rapier-driven twins load WASM first. */
export async function createMachines(definition: FleetDefinition, streams: RandomStreams): Promise<Machine[]> {
  const start = new Date(definition.startTime);
  const startHourOfDay = start.getUTCHours() + start.getUTCMinutes() / 60 + start.getUTCSeconds() / 3600;
  const sensorFaults = definition.faults.filter((f): f is SensorFaultConfig => SENSOR_FAULT_TYPES.has(f.type));
  const machineFaults = definition.faults.filter((f) => !SENSOR_FAULT_TYPES.has(f.type));
  const machines: Machine[] = [];
  if (definition.twins.some((t) => t.template === 'conveyor' || t.template === 'robot-arm')) await initPhysics();
  for (const config of definition.twins) {
    switch (config.template) {
      case 'pump':
      case 'fan':
        machines.push(new RotatingMachine(config, machineFaults as RotatingFault[], sensorFaults, streams, { startHourOfDay }));
        break;
      case 'conveyor':
      case 'robot-arm': {
        const motionTypes = MACHINE_FAULTS_BY_TEMPLATE[config.template];
        const motionFaults = machineFaults.filter((f) => f.device === config.id && motionTypes.includes(f.type)) as MotionFault[];
        machines.push(new MotionMachine(config, motionFaults, sensorFaults, streams));
        break;
      }
      case 'environment':
        machines.push(new EnvironmentTwin(config, sensorFaults, streams, { startHourOfDay }));
        break;
    }
  }
  return machines;
}
