import { z } from 'zod';
import { IdSchema } from '../protocol';
import { didYouMean } from './expectations/suggest';

// The scenario's `expect:` entries, one schema per kind; scenarios/expectations judges each. Checks that need the
// rest of the scenario (device and fault names, gateway ids) are in expectations/names.ts and schema.ts.

const NameSchema = z.string().min(1).optional();

/** An enum whose error names the value given and the nearest allowed one. */
function namedEnum<const T extends readonly [string, ...string[]]>(values: T, label: string) {
  return z.enum(values, {
    error: (issue) => `unknown ${label} ${JSON.stringify(issue.input)}${typeof issue.input === 'string' ? didYouMean(issue.input, values, `${label}s`) : ` (${label}s: ${values.join(', ')})`}`,
  });
}

const AlertKindSchema = z
  .enum(['any', 'alert', 'anomaly'])
  .default('any')
  .describe('Which events count: `alert` (threshold rules, cloud or edge, and the cloud\'s drift alerts), `anomaly` (the edge anomaly model), or `any`. Default `any`.');

const RuleSchema = z
  .string()
  .min(1)
  .optional()
  .describe('Only events of this rule: its name exactly, or its first words (`drift` matches `drift kurtosis`, the cloud\'s drift alert on kurtosis). Default: any rule.');

/** A window of run seconds, [afterS, beforeS], whose end must come after its start. */
function checkWindow(from: number | undefined, to: number | undefined, names: [string, string], ctx: z.RefinementCtx): void {
  if (from !== undefined && to !== undefined && to <= from) ctx.addIssue({ code: 'custom', path: [names[1]], message: `${names[1]} (${to} s) must be after ${names[0]} (${from} s)` });
}

export const AlertExpectationSchema = z
  .object({
    type: z.literal('alert'),
    name: NameSchema.describe('Shown in reports. Default: generated from the fields.'),
    device: IdSchema.describe('The device that must raise an alert.'),
    fault: z
      .string()
      .min(1)
      .optional()
      .describe('The id of the fault it is about (faults[].id, or `<device>/<type>`, `#2` for a second of a type): alerts count from its onset. Default: any fault of the device.'),
    withinS: z
      .number()
      .positive()
      .optional()
      .describe(
        'Seconds after the fault\'s onset (or full severity, see from) by which the alert must be raised; without `fault`, one of the device\'s faults detected in its window passes. Omit: any time after the first onset (any time if the device has no fault).',
      ),
    from: z
      .enum(['onset', 'full-severity'])
      .default('onset')
      .describe('What withinS counts from: the fault\'s onset, or the moment it reaches its declared severity (end of its ramp, 5τ of exponential growth). Default `onset`.'),
    kind: AlertKindSchema,
    rule: RuleSchema,
    afterS: z
      .number()
      .nonnegative()
      .optional()
      .describe('Instead of fault and withinS: an alert raised at or after this many seconds into the run counts. Default 0 when beforeS is given.'),
    beforeS: z
      .number()
      .positive()
      .optional()
      .describe('Instead of fault and withinS: an alert raised at or before this many seconds into the run counts. Default: the end of the run when afterS is given.'),
  })
  .strict()
  .superRefine((alert, ctx) => {
    const windowed = alert.afterS !== undefined || alert.beforeS !== undefined;
    if (windowed && (alert.fault !== undefined || alert.withinS !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [alert.afterS !== undefined ? 'afterS' : 'beforeS'],
        message: `afterS and beforeS are a window of run seconds that replaces ${alert.fault !== undefined ? 'fault' : 'withinS'}: give one or the other`,
      });
    }
    checkWindow(alert.afterS, alert.beforeS, ['afterS', 'beforeS'], ctx);
  });

export const NoAlertExpectationSchema = z
  .object({
    type: z.literal('no-alert'),
    name: NameSchema,
    device: IdSchema.optional().describe('Only this device. Default: every device.'),
    afterS: z.number().nonnegative().optional().describe('Seconds from the start of the run from which no alert may be raised. Default 0.'),
    beforeS: z.number().positive().optional().describe('Seconds from the start of the run before which no alert may be raised. Default: the whole run.'),
    kind: AlertKindSchema,
    rule: RuleSchema,
  })
  .strict()
  .superRefine((noAlert, ctx) => checkWindow(noAlert.afterS, noAlert.beforeS, ['afterS', 'beforeS'], ctx));

export const StoredExactlyOnceExpectationSchema = z
  .object({
    type: z.literal('stored-exactly-once'),
    name: NameSchema,
  })
  .strict();

export const CommandExpectationSchema = z
  .object({
    type: z.literal('command'),
    name: NameSchema,
    device: IdSchema.describe('The device that must receive the command from the system under test (the scenario\'s own steps do not count).'),
    action: z.string().min(1).describe('The command action, e.g. `slow-down`, `stop`.'),
    args: z.record(z.string(), z.unknown()).optional().describe('Arguments it must carry with these values; it may carry others too. Default: any.'),
    fault: z.string().min(1).optional().describe('Count from this fault\'s onset (its id). Default: fromS if given, else any fault of the device.'),
    fromS: z.number().nonnegative().optional().describe('Count from this time, seconds into the run, instead of a fault onset.'),
    withinS: z.number().positive().optional().describe('Seconds after the onset (or fromS) by which it must arrive. Omit: any time after it (any time in the run without fault or fromS).'),
  })
  .strict();

const LINKS = ['twins->edge', 'edge->cloud'] as const;

export const NoLossExpectationSchema = z
  .object({
    type: z.literal('no-loss'),
    name: NameSchema,
    link: namedEnum(LINKS, 'link').describe(
      '`twins->edge`: every QoS 1 reading the twins published was acknowledged by the edge. `edge->cloud`: every one the edge acknowledged was stored (or passed on upstream); embedded target only. A simulated link must also have delivered all it held by the end.',
    ),
    device: IdSchema.optional().describe('Only this device\'s readings. Default: every device.'),
  })
  .strict();

/** A staged rollout's states and a gateway's phases in it, as the cloud publishes them (protocol's RolloutV1). */
export const ROLLOUT_STATES = ['running', 'paused', 'finished', 'cancelled'] as const;
export const ROLLOUT_PHASES = ['pending', 'staging', 'activating', 'observing', 'finished', 'rolled-back', 'error'] as const;

export const RolloutExpectationSchema = z
  .object({
    type: z.literal('rollout'),
    name: NameSchema,
    id: IdSchema.describe('The rollout id: as a cloud step started it, or `drift-<version with dashes>` for one started by drift retraining (`drift-1-1-0`).'),
    state: namedEnum(ROLLOUT_STATES, 'rollout state').describe(
      'The state of its last observed status: `running`, `paused` (an error threshold was crossed, or a model went missing), `finished` or `cancelled`.',
    ),
    gateways: z
      .record(IdSchema, namedEnum(ROLLOUT_PHASES, 'phase'))
      .optional()
      .describe(
        'The phase each named gateway is in in its last observed status: pending, staging, activating, observing, finished, rolled-back or error; e.g. `{ gw-a: finished, gw-b: rolled-back }`. Default: any.',
      ),
    withinS: z
      .number()
      .positive()
      .optional()
      .describe('Seconds after its first observed status by which it reached that state (and those phases) for good. Default: any time in the run.'),
  })
  .strict();

export const ReplyExpectationSchema = z
  .object({
    type: z.literal('reply'),
    name: NameSchema,
    device: IdSchema.describe('Who must reply: a gateway (an id of `gateways:`, or `gw-1` without them) or a twin.'),
    action: z.string().min(1).describe('The action of the command it answers, e.g. `model.stage`, `model.activate`, `raw.request`.'),
    ok: z.boolean().describe('`true`: it carried the command out; `false`: it refused it.'),
    code: z
      .string()
      .min(1)
      .optional()
      .describe('The code of the refusal, e.g. `E_MODEL_SIGNATURE` (a model whose signature does not verify). Only with ok: false. Default: any.'),
    fromS: z.number().nonnegative().optional().describe('Seconds into the run from which a reply counts. Default 0.'),
    toS: z.number().positive().optional().describe('Seconds into the run up to which a reply counts. Default: the end of the run.'),
  })
  .strict()
  .superRefine((reply, ctx) => {
    if (reply.ok && reply.code !== undefined) ctx.addIssue({ code: 'custom', path: ['code'], message: 'a code comes with a refusal: set ok: false, or drop code' });
    checkWindow(reply.fromS, reply.toS, ['fromS', 'toS'], ctx);
  });

export const ExpectationSchema = z.discriminatedUnion('type', [
  AlertExpectationSchema,
  NoAlertExpectationSchema,
  StoredExactlyOnceExpectationSchema,
  CommandExpectationSchema,
  NoLossExpectationSchema,
  RolloutExpectationSchema,
  ReplyExpectationSchema,
]);

export type Expectation = z.output<typeof ExpectationSchema>;
