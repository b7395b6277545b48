import { z } from 'zod';
import { IdSchema } from '../../protocol';
import { type FaultTiming, FaultTimingShape, isActive, severityAt, timingProblem } from '../severity';
import { MotionError } from './motion-error';

const device = IdSchema.describe('The twin it affects (a conveyor or a robot arm id).');

/** Refinement shared by every motion fault: the growth profile has the parameter it needs. */
function checkTiming(fault: FaultTiming, ctx: z.RefinementCtx): void {
  const problem = timingProblem(fault);
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
}

/** The drive pulley slips on the belt (worn lagging, low tension): the belt surface, and the tote on it, run slow. */
export const BeltSlipFaultSchema = z
  .object({
    type: z.literal('belt-slip'),
    device,
    ...FaultTimingShape,
    severity: FaultTimingShape.severity.describe(
      'Fraction of the commanded belt speed lost at full growth, 0–1: 0.3 runs the belt surface at 0.7× speed. Default 1.',
    ),
  })
  .strict()
  .superRefine(checkTiming);

/** Something blocks the tote (a stuck parcel, a closed diverter): it hits the obstacle and stays pressed against it. */
export const JamFaultSchema = z
  .object({
    type: z.literal('jam'),
    device,
    ...FaultTimingShape,
    severity: FaultTimingShape.severity.describe(
      "Height of the obstacle as a fraction of the tote's height, 0–1 (a dropped item to a closed gate); any height stops a sliding tote. Default 1.",
    ),
  })
  .strict()
  .superRefine((fault, ctx) => {
    checkTiming(fault, ctx);
    // Growth would make the obstacle rise out of the belt; a jam happens at once.
    if ((fault.growth !== undefined && fault.growth !== 'step') || fault.rampS !== undefined || fault.timeConstantS !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['growth'], message: 'a jam starts at once: use growth "step" (no rampS or timeConstantS)' });
    }
  });

/** An obstacle enters the robot's path (a misplaced part, a fixture left in the cell): the effector runs into it. */
export const CollisionFaultSchema = z
  .object({
    type: z.literal('collision'),
    device,
    ...FaultTimingShape,
    severity: FaultTimingShape.severity.describe(
      "How far the obstacle intrudes into the effector's path at mid-move, as a fraction of the effector's height, 0–1 (1 blocks it head-on). Default 1.",
    ),
  })
  .strict()
  .superRefine(checkTiming);

export const ConveyorFaultSchema = z.discriminatedUnion('type', [BeltSlipFaultSchema, JamFaultSchema]);
export const RobotArmFaultSchema = z.discriminatedUnion('type', [CollisionFaultSchema]);
export const MotionFaultSchema = z.discriminatedUnion('type', [BeltSlipFaultSchema, JamFaultSchema, CollisionFaultSchema]);

export type BeltSlipFault = z.output<typeof BeltSlipFaultSchema>;
export type JamFault = z.output<typeof JamFaultSchema>;
export type CollisionFault = z.output<typeof CollisionFaultSchema>;
export type ConveyorFault = z.output<typeof ConveyorFaultSchema>;
export type RobotArmFault = z.output<typeof RobotArmFaultSchema>;
export type MotionFault = z.output<typeof MotionFaultSchema>;

/** A fault in effect at some instant, as ground truth: its type and its current severity, 0–1. */
export interface ActiveFault {
  type: string;
  severity: number;
}

/** The faults of `faults` in effect at `tS`, with their severity then. */
export function activeFaultsAt(faults: readonly MotionFault[], tS: number): ActiveFault[] {
  const active: ActiveFault[] = [];
  for (const fault of faults) {
    if (isActive(tS, fault)) active.push({ type: fault.type, severity: severityAt(tS, fault) });
  }
  return active;
}

/** The faults that name `deviceId`, checked to be of the types `kind` accepts. */
export function faultsFor<T extends MotionFault['type']>(
  faults: readonly MotionFault[],
  deviceId: string,
  kind: string,
  types: readonly T[],
): Extract<MotionFault, { type: T }>[] {
  const mine = faults.filter((f) => f.device === deviceId);
  for (const fault of mine) {
    if (!(types as readonly string[]).includes(fault.type)) {
      throw new MotionError(
        'E_MOTION_FAULT',
        `fault "${fault.type}" names ${kind} "${deviceId}", which takes only ${types.map((t) => `"${t}"`).join(', ')}; point it at the right device`,
      );
    }
  }
  return mine as Extract<MotionFault, { type: T }>[];
}
