import { z } from 'zod';
import { formatFieldPath } from '../../protocol';
import { BeltSlipFaultSchema, CollisionFaultSchema, JamFaultSchema } from '../motion/faults';
import { growthOf, timingProblem } from '../severity';
import { BearingFaultSchema, ImbalanceFaultSchema, LoosenessFaultSchema, MisalignmentFaultSchema } from '../vibration';
import { LubricationFaultSchema, OverheatingFaultSchema } from './machine-faults';

// The run-time commands a twin takes from a scenario step or a demo control besides slow-down, stop and resume:
// `fault` (inject a fault now) and `set` (a new operating point). Validated here, so a step and a control refuse alike.

/** The machine faults each template can suffer: what a scenario may put on its timeline and a `fault` command inject. */
export const FAULTS_BY_TEMPLATE = {
  pump: ['imbalance', 'misalignment', 'looseness', 'bearing', 'overheating', 'lubrication'],
  fan: ['imbalance', 'misalignment', 'looseness', 'bearing', 'overheating', 'lubrication'],
  conveyor: ['belt-slip', 'jam'],
  'robot-arm': ['collision'],
  environment: [],
} as const satisfies Record<string, readonly string[]>;

const FAULT_SCHEMAS = {
  imbalance: ImbalanceFaultSchema,
  misalignment: MisalignmentFaultSchema,
  looseness: LoosenessFaultSchema,
  bearing: BearingFaultSchema,
  overheating: OverheatingFaultSchema,
  lubrication: LubricationFaultSchema,
  'belt-slip': BeltSlipFaultSchema,
  jam: JamFaultSchema,
  collision: CollisionFaultSchema,
} as const;

export type InjectableFaultType = keyof typeof FAULT_SCHEMAS;
/** A machine fault as the timeline carries it, built by a `fault` command with its onset at the command's time. */
export type InjectedFault = z.output<(typeof FAULT_SCHEMAS)[InjectableFaultType]>;

/**
 * What a `fault` command fills in that a timeline fault must state: an operator clicking "imbalance" means a rotor
 * that threw a balance weight (20,000 g·mm, as in the demo scenario: about 0.8 g RMS on a 1480 rpm pump), and "bearing" the most
 * common defect, the outer race.
 */
export const FAULT_COMMAND_DEFAULTS: Readonly<Partial<Record<InjectableFaultType, Readonly<Record<string, unknown>>>>> = {
  imbalance: { unbalanceGmm: 20_000 },
  bearing: { component: 'outer' },
};

export type CommandResult<T> = { ok: true; value: T } | { ok: false; refusal: string };

/**
 * The fault a `fault` command {type, severity?, component?, rampS?, forS?, growth?, timeConstantS?, and the type's own
 * fields} starts on `device` at run time `atS`, validated by the fault's timeline schema; or why it is refused.
 */
export function faultFromCommand(args: Readonly<Record<string, unknown>>, on: { device: string; template: string; atS: number }): CommandResult<InjectedFault> {
  const allowed: readonly string[] = Object.hasOwn(FAULTS_BY_TEMPLATE, on.template) ? FAULTS_BY_TEMPLATE[on.template as keyof typeof FAULTS_BY_TEMPLATE] : [];
  const article = /^[aeiou]/.test(on.template) ? 'an' : 'a';
  if (allowed.length === 0) return { ok: false, refusal: `fault refused: ${on.device} is ${article} ${on.template}, which has no machine faults to inject` };
  const { type, ...rest } = args;
  if (typeof type !== 'string' || !allowed.includes(type)) {
    const given = type === undefined ? 'no args.type' : `args.type ${JSON.stringify(type)}`;
    return { ok: false, refusal: `fault refused: ${given}; ${article} ${on.template} can have ${allowed.join(', ')}` };
  }
  for (const key of ['device', 'atS'] as const) {
    if (key in rest) return { ok: false, refusal: `fault refused: drop args.${key}: the fault is on the commanded device from the moment the command lands (grow it with rampS or timeConstantS)` };
  }
  const schema = FAULT_SCHEMAS[type as InjectableFaultType];
  const parsed = schema.safeParse({ type, ...FAULT_COMMAND_DEFAULTS[type as InjectableFaultType], ...rest, device: on.device, atS: on.atS });
  if (!parsed.success) return { ok: false, refusal: refusal('fault', parsed.error) };
  // The timeline checks growth against its parameter on the fault union (FaultSchema), not on each fault's schema.
  const problem = timingProblem(parsed.data);
  if (problem) return { ok: false, refusal: `fault refused: args.${problem.path}: ${problem.message}` };
  return { ok: true, value: parsed.data };
}

/** What a device says it did on a `fault` command: `bearing fault (outer) from 30 s, severity 0.6`. */
export function faultOutcome(fault: InjectedFault): string {
  const where = fault.type === 'bearing' ? ` (${fault.component})` : '';
  const severity = fault.severity;
  const growth = growthOf(fault);
  const how = growth === 'ramp' ? `, ramping to severity ${severity} over ${fault.rampS} s` : growth === 'exp' ? `, growing to severity ${severity} (τ ${fault.timeConstantS} s)` : `, severity ${severity}`;
  return `${fault.type} fault${where} from ${round(fault.atS)} s${how}${fault.forS !== undefined ? ` for ${fault.forS} s` : ''}`;
}

/** A `set` command: a new operating point, reached by a linear ramp as a drive would. */
export const SetArgsSchema = z
  .object({
    speedRpm: z.number().nonnegative().max(60_000).optional().describe('Shaft speed to reach, rpm. Default: as is.'),
    load: z.number().min(0).max(1.5).optional().describe('Load to reach, fraction of rated. Default: as is.'),
    rampS: z.number().nonnegative().max(3600).default(5).describe('Seconds to get there. Default 5.'),
  })
  .strict()
  .refine((a) => a.speedRpm !== undefined || a.load !== undefined, { message: 'give speedRpm, load or both' });

export type SetArgs = z.output<typeof SetArgsSchema>;

/** The operating point a `set` command asks for, or why it is refused. */
export function setFromCommand(args: Readonly<Record<string, unknown>>): CommandResult<SetArgs> {
  const parsed = SetArgsSchema.safeParse(args);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, refusal: refusal('set', parsed.error) };
}

function refusal(action: string, error: z.ZodError): string {
  const problems = error.issues.map((issue) => {
    const path = formatFieldPath(['args', ...issue.path]);
    return `${path}: ${issue.message}`;
  });
  return `${action} refused: ${problems.join('; ')}`;
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}
