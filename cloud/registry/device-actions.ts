import { z } from 'zod';
import type { RegistryEntry } from '../records';

/** One command a device or gateway takes on its cmd topic: what it does and the `args` it reads. */
export interface ActionSpec {
  description: string;
  args: z.ZodObject;
}

/** Sensors only pumps and fans publish (twins/machines/rotating-machine.ts); motion and climate twins have others. */
const ROTATING_SENSORS: ReadonlySet<string> = new Set(['accel', 'winding-temp', 'bearing-temp']);

const RampS = z.number().nonnegative().optional().describe('Ramp time, s. Default 5.');

/** What a pump or fan does with a `cmd` (RotatingMachine.command()). */
export const MACHINE_ACTIONS = {
  'slow-down': {
    description: 'Ramps the motor down, as a drive would.',
    args: z.object({ speedRpm: z.number().nonnegative().optional().describe('Target shaft speed, rpm. Default half the present speed.'), rampS: RampS }),
  },
  stop: { description: 'Ramps the motor to standstill.', args: z.object({ rampS: RampS }) },
  resume: {
    description: 'Ramps the motor to a speed, by default back to its configured one.',
    args: z.object({ speedRpm: z.number().nonnegative().optional().describe('Target shaft speed, rpm. Default the configured speed.'), rampS: RampS }),
  },
} as const satisfies Record<string, ActionSpec>;

/** What a gateway's model slot serves (gateway/model/model-command.ts); each is answered on the gateway's reply topic. */
export const GATEWAY_ACTIONS = {
  'model.stage': {
    description: 'Validates a model and stages it; give exactly one of path or bytes.',
    args: z
      .object({
        path: z.string().min(1).optional().describe('Model file on the gateway, relative to its model folder.'),
        bytes: z.string().min(1).optional().describe('The model file itself, base64.'),
      })
      .loose(),
  },
  'model.activate': {
    description: 'Makes the staged model the active one.',
    args: z.object({ version: z.string().min(1).optional().describe('Activate only if the staged model has this version.') }).strict(),
  },
  'model.rollback': { description: 'Reactivates the previous model.', args: z.object({}).strict() },
  'model.status': { description: 'Reports the active, staged and previous models.', args: z.object({}).strict() },
} as const satisfies Record<string, ActionSpec>;

/** A pump or fan: it takes slow-down, stop and resume. */
export function isRotatingMachine(entry: RegistryEntry): boolean {
  return entry.kind === 'device' && entry.sensors.some((sensor) => ROTATING_SENSORS.has(sensor));
}

/** The commands this device or gateway carries out; empty for a device that takes none (climate, motion twins). */
export function actionsOf(entry: RegistryEntry): Readonly<Record<string, ActionSpec>> {
  if (entry.kind === 'gateway') return GATEWAY_ACTIONS;
  return isRotatingMachine(entry) ? MACHINE_ACTIONS : {};
}
