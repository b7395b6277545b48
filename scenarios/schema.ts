import { z } from 'zod';
import { IdSchema } from '../protocol';
import { FaultSchema, MACHINE_FAULTS_BY_TEMPLATE, MachineSchema, SENSOR_FAULT_TYPES, sensorsOf } from '../twins';
import { LinkScheduleEntrySchema } from '../sim';
import { AnomalySchema, ActionSchema, PipelinesSchema } from '../gateway';
import { ThresholdRuleSchema as EdgeRuleSchema } from '../protocol';
import { ThresholdRuleSchema } from '../cloud';
import { TargetSchema } from './target/target-schema';
import { scenarioNameProblems } from './expectations/names';
import { didYouMean } from './expectations/suggest';

const NameSchema = z.string().min(1).optional();

const AlertKindSchema = z
  .enum(['any', 'alert', 'anomaly'])
  .default('any')
  .describe('Which events count: `alert` (threshold rules, cloud or edge), `anomaly` (the edge anomaly model), or `any`. Default `any`.');

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
  })
  .strict();

export const NoAlertExpectationSchema = z
  .object({
    type: z.literal('no-alert'),
    name: NameSchema,
    device: IdSchema.optional().describe('Only this device. Default: every device.'),
    beforeS: z.number().positive().optional().describe('Seconds from the start of the run before which no alert may be raised. Default: the whole run.'),
    kind: AlertKindSchema,
  })
  .strict();

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
    link: z
      .enum(LINKS, { error: (issue) => `unknown link ${JSON.stringify(issue.input)}${typeof issue.input === 'string' ? didYouMean(issue.input, LINKS, 'links') : ` (links: ${LINKS.join(', ')})`}` })
      .describe(
        '`twins->edge`: every QoS 1 reading the twins published was acknowledged by the edge. `edge->cloud`: every one the edge acknowledged was stored (or passed on upstream); embedded target only. A simulated link must also have delivered all it held by the end.',
      ),
    device: IdSchema.optional().describe('Only this device\'s readings. Default: every device.'),
  })
  .strict();

export const ExpectationSchema = z.discriminatedUnion('type', [
  AlertExpectationSchema,
  NoAlertExpectationSchema,
  StoredExactlyOnceExpectationSchema,
  CommandExpectationSchema,
  NoLossExpectationSchema,
]);

export const ThresholdsSchema = z
  .record(z.string(), z.array(z.string().min(1)).min(1))
  .default({})
  .describe(
    "Pass/fail criteria on the run's metrics, as k6 writes them: `metric{tag:value}: ['p(95)<200', 'max<30']` for a distribution, `metric: ['<0.1']` for a single value. The README lists the metrics and their tags. Default none.",
  );

/** The device name of steps on the embedded gateway itself (unless a twin has that id). */
export const GATEWAY_STEP = 'gateway';

export const StepSchema = z
  .object({
    atS: z.number().nonnegative().describe('When, seconds from the start of the run.'),
    device: IdSchema.describe('The device (twin or bound hardware) to command, or `gateway`: the embedded gateway (action `crash`).'),
    action: z.string().min(1).describe('The command, as the device takes it: `slow-down`, `stop`, `resume`, or what your hardware knows; for `gateway`, `crash`.'),
    args: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Its arguments, e.g. `{ speedRpm: 900, rampS: 5 }`; for a gateway crash `{ downMs: 500 }`, wall ms before it restarts (default 500). Default none.'),
  })
  .strict();

/** The directed links a run simulates: devices to the gateway's broker, and the gateway's uplink to the cloud. */
export const SIMULATED_LINKS: readonly string[] = ['twins->edge', 'edge->cloud'];

export const ScenarioSchema = z
  .object({
    name: z.string().min(1).describe('Scenario name, shown in reports.'),
    description: z.string().optional(),
    seed: z.union([z.number().int(), z.string().min(1)]).default(1).describe('Seed of every random stream in the run; `--seed` overrides it. Default 1.'),
    startTime: z.iso.datetime({ offset: true }).default('2026-01-01T00:00:00Z').describe('Simulated start time, ISO 8601 UTC. Default 2026-01-01T00:00:00Z.'),
    durationS: z.number().positive().describe('Simulated length of the run, seconds.'),
    timeScale: z.union([z.literal('max'), z.number().positive().max(10_000)]).default('max').describe('`max`: virtual time, as fast as the pipeline goes. A number: real time scaled ×N (1 = real time). Default `max`.'),
    site: IdSchema.default('site-1').describe('Site name, a topic level. Default `site-1`.'),
    twins: z.array(MachineSchema).min(1).describe('The machines to simulate, each from a template: pump, fan, conveyor, robot-arm, environment.'),
    faults: z.array(FaultSchema).default([]).describe('Faults on the timeline. Default none.'),
    links: z
      .array(LinkScheduleEntrySchema)
      .default([])
      .describe('Network impairments on the timeline, per directed link (twins->edge or edge->cloud): latency, jitter, loss, duplication, reordering, bandwidth, partitions, stalls, resets. Default none.'),
    rules: z.array(ThresholdRuleSchema).default([]).describe('Cloud alert rules. Default none.'),
    gateway: z
      .object({
        pipelines: PipelinesSchema.default([]).describe('Preprocessing per sensor. Default: the gateway defaults by unit and rate.'),
        rules: z.array(EdgeRuleSchema).default([]).describe('Local threshold rules at the edge. Default none.'),
        anomaly: AnomalySchema.optional().describe('Local anomaly detection with an ONNX model. Default: off.'),
        actions: z.array(ActionSchema).default([]).describe('Commands the gateway sends a device when a local event is raised. Default none.'),
      })
      .strict()
      .optional()
      .describe('The edge gateway: pipelines, local rules, anomaly model, local actions. Default: the gateway defaults.'),
    steps: z
      .array(StepSchema)
      .default([])
      .describe('Timed commands to devices: what an operator or a test rig does (switch a load, change a speed), and the way to act on real hardware, where faults cannot be injected. Default none.'),
    expect: z.array(ExpectationSchema).default([]).describe('What must hold at the end of the run. Default none.'),
    thresholds: ThresholdsSchema,
    target: TargetSchema.optional().describe(
      'Where to run: `kind: embedded` (twinbed\'s own gateway and cloud, the default) or `kind: mqtt` (your broker or gateway, observed from the outside). `--target FILE` overrides it.',
    ),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    const ids = new Set<string>();
    scenario.twins.forEach((twin, i) => {
      if (ids.has(twin.id)) ctx.addIssue({ code: 'custom', path: ['twins', i, 'id'], message: `duplicate twin id "${twin.id}"` });
      ids.add(twin.id);
    });
    const checkDevice = (device: string | undefined, path: (string | number)[]) => {
      if (device !== undefined && !ids.has(device)) ctx.addIssue({ code: 'custom', path, message: `no twin named "${device}"${didYouMean(device, [...ids], 'twins')}` });
    };
    const byId = new Map(scenario.twins.map((t) => [t.id, t]));
    const faultIds = new Set<string>();
    scenario.faults.forEach((fault, i) => {
      if (fault.id !== undefined) {
        if (faultIds.has(fault.id)) ctx.addIssue({ code: 'custom', path: ['faults', i, 'id'], message: `duplicate fault id "${fault.id}"` });
        faultIds.add(fault.id);
      }
      checkDevice(fault.device, ['faults', i, 'device']);
      const twin = byId.get(fault.device);
      if (twin && 'sensor' in fault && SENSOR_FAULT_TYPES.has(fault.type) && !sensorsOf(twin).includes(fault.sensor)) {
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'sensor'], message: `${fault.device} has no sensor "${fault.sensor}" (it has: ${sensorsOf(twin).join(', ')})` });
      }
      if (twin && !SENSOR_FAULT_TYPES.has(fault.type) && !MACHINE_FAULTS_BY_TEMPLATE[twin.template].includes(fault.type)) {
        const allowed = MACHINE_FAULTS_BY_TEMPLATE[twin.template];
        const article = /^[aeiou]/.test(twin.template) ? 'an' : 'a';
        const can = allowed.length ? `it can have: ${allowed.join(', ')}, or any sensor fault` : `it can have only sensor faults: ${[...SENSOR_FAULT_TYPES].join(', ')}`;
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'type'], message: `${article} ${twin.template} cannot have a "${fault.type}" fault (${can})` });
      }
      if (fault.atS >= scenario.durationS) {
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'atS'], message: `onset ${fault.atS} s is not before the end of the run (durationS ${scenario.durationS})` });
      }
    });
    scenario.steps.forEach((step, i) => {
      if (step.device === GATEWAY_STEP && !ids.has(GATEWAY_STEP)) {
        if (step.action !== 'crash') ctx.addIssue({ code: 'custom', path: ['steps', i, 'action'], message: `the gateway takes the step action "crash", not "${step.action}"` });
      } else checkDevice(step.device, ['steps', i, 'device']);
      if (step.atS >= scenario.durationS) ctx.addIssue({ code: 'custom', path: ['steps', i, 'atS'], message: `${step.atS} s is not before the end of the run (durationS ${scenario.durationS})` });
    });
    scenario.links.forEach((entry, i) => {
      if (!SIMULATED_LINKS.includes(entry.link)) {
        ctx.addIssue({ code: 'custom', path: ['links', i, 'link'], message: `unknown link "${entry.link}"${didYouMean(entry.link, SIMULATED_LINKS, 'links')}` });
      }
      if (entry.atS >= scenario.durationS) {
        ctx.addIssue({ code: 'custom', path: ['links', i, 'atS'], message: `${entry.atS} s is not before the end of the run (durationS ${scenario.durationS})` });
      }
    });
    // Rule metrics and sensors, action triggers, the devices and faults expectations name, thresholds: see names.ts.
    for (const problem of scenarioNameProblems(scenario)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    scenario.expect.forEach((expectation, i) => {
      const timed = expectation.type === 'alert' || (expectation.type === 'command' && expectation.fault === undefined && expectation.fromS === undefined);
      if (timed && expectation.withinS !== undefined && ids.has(expectation.device) && !scenario.faults.some((f) => f.device === expectation.device)) {
        ctx.addIssue({
          code: 'custom',
          path: ['expect', i, 'withinS'],
          message:
            expectation.type === 'alert'
              ? `withinS counts from a fault onset, but "${expectation.device}" has no fault; drop withinS to expect an alert at any time`
              : `withinS counts from a fault onset, but "${expectation.device}" has no fault; give fromS (seconds into the run) to count from, or drop withinS`,
        });
      }
      if (expectation.type === 'command' && expectation.fault !== undefined && expectation.fromS !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['expect', i, 'fromS'], message: 'give fault or fromS, not both: withinS counts from one of them' });
      }
    });
  });

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type Expectation = z.output<typeof ExpectationSchema>;
