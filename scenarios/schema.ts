import { z } from 'zod';
import { IdSchema } from '../protocol';
import { FaultSchema, MACHINE_FAULTS_BY_TEMPLATE, MachineSchema, SENSOR_FAULT_TYPES, sensorsOf } from '../twins';
import { LinkScheduleEntrySchema } from '../sim';
import { AnomalySchema, ActionSchema, PipelinesSchema, ProcessingSchema } from '../gateway';
import { ThresholdRuleSchema as EdgeRuleSchema } from '../protocol';
import { DriftPolicySchema, RolloutSpecSchema, ThresholdRuleSchema } from '../cloud';
import { TargetSchema } from './target/target-schema';
import { ExpectationSchema } from './expectation-schema';
import { DEFAULT_GATEWAY_ID, scenarioNameProblems } from './expectations/names';
import { didYouMean } from './expectations/suggest';

export {
  AlertExpectationSchema,
  NoAlertExpectationSchema,
  StoredExactlyOnceExpectationSchema,
  CommandExpectationSchema,
  NoLossExpectationSchema,
  RolloutExpectationSchema,
  ReplyExpectationSchema,
  ExpectationSchema,
  type Expectation,
} from './expectation-schema';

export const ThresholdsSchema = z
  .record(z.string(), z.array(z.string().min(1)).min(1))
  .default({})
  .describe(
    "Pass/fail criteria on the run's metrics, as k6 writes them: `metric{tag:value}: ['p(95)<200', 'max<30']` for a distribution, `metric: ['<0.1']` for a single value. The README lists the metrics and their tags. Default none.",
  );

/** The device name of steps on the embedded gateway itself (unless a twin has that id). */
export const GATEWAY_STEP = 'gateway';

/** The device name of steps on the embedded cloud itself (unless a twin has that id). */
export const CLOUD_STEP = 'cloud';

export { DEFAULT_GATEWAY_ID };

/** The step actions a gateway takes. */
export const GATEWAY_STEP_ACTIONS: readonly string[] = ['crash'];

export const StepSchema = z
  .object({
    atS: z.number().nonnegative().describe('When, seconds from the start of the run.'),
    device: IdSchema.describe(
      'The device (twin or bound hardware) to command, or a part of the embedded system: `gateway` (action `crash`; with `gateways:`, the one args.gateway names, default the first), a gateway id from `gateways:` (action `crash`), or `cloud` (the embedded cloud). `gateway` and `cloud` mean the system unless a twin has that id.',
    ),
    action: z
      .string()
      .min(1)
      .describe(
        'The command, as the device takes it: `slow-down`, `stop`, `resume`, `set` (pumps and fans), `fault` (any twin with machine faults), or what your hardware knows; for `gateway` or a gateway id, `crash`; for `cloud`, what the embedded cloud takes.',
      ),
    args: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'Its arguments, e.g. `{ speedRpm: 900, rampS: 5 }`; for `set` `{ speedRpm?, load?, rampS? }` (default rampS 5); for `fault` the fault as on the timeline without device and atS, starting at the step: `{ type: bearing, component: outer, severity: 0.6 }` (imbalance defaults to unbalanceGmm 20000, bearing to component outer); for a gateway crash `{ downMs: 500, gateway: gw-b }`: wall ms before it restarts (default 500) and, on device `gateway`, which of `gateways:` (default the first). Default none.',
      ),
  })
  .strict();

export const GatewayEntrySchema = z
  .object({
    id: IdSchema.describe('Gateway name: the `gateway` its feature windows carry, its status topic, and the device of steps on it. Unique, and not a twin id.'),
    devices: z.array(IdSchema).min(1).describe('The twins it serves: it takes their telemetry from the shared device broker and carries commands to them. Each twin is in exactly one gateway.'),
  })
  .strict();

/** The scenario's `cloud:`: the embedded cloud's model lifecycle (the embedded system wires it into its Cloud). */
export const CloudSectionSchema = z
  .object({
    models: z
      .boolean()
      .default(false)
      .describe('The cloud trains, signs and rolls out edge models: it signs with an Ed25519 key derived from the seed, and every gateway trusts it. Default false.'),
    drift: DriftPolicySchema.safeExtend({
      rollout: RolloutSpecSchema.omit({ id: true, version: true })
        .optional()
        .describe('How a model retrained on drift is rolled out (with onDrift: retrain): its groups, success and error thresholds, and false-alarm judgement. Default: every gateway in one group.'),
    })
      .optional()
      .describe('Drift of the live feature windows from the active model\'s training data (PSI), raised as cloud alerts with rule `drift <feature>`; needs models: true. Default off.'),
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
        processing: ProcessingSchema.optional(),
      })
      .strict()
      .optional()
      .describe('The edge gateway: pipelines, local rules, anomaly model, local actions; with `gateways:`, every gateway. Default: the gateway defaults.'),
    gateways: z
      .array(GatewayEntrySchema)
      .min(2, { error: 'give at least two gateways, or leave gateways: out for one gateway (gw-1) serving every twin' })
      .optional()
      .describe(
        'A fleet of edge gateways on one shared device broker, each serving its own twins, all configured by gateway:. At least two; every twin in exactly one. Default: one gateway, `gw-1`, that embeds the device broker and serves every twin.',
      ),
    cloud: CloudSectionSchema.optional().describe('The embedded cloud\'s model lifecycle: training, signing, staged rollout and drift. Default: no models, no drift.'),
    steps: z
      .array(StepSchema)
      .default([])
      .describe('Timed commands to devices: what an operator or a test rig does (switch a load, change a speed), and the way to act on real hardware, where faults cannot be injected. Default none.'),
    expect: z.array(ExpectationSchema).default([]).describe('What must hold at the end of the run. Default none.'),
    layout: z
      .record(
        IdSchema,
        z
          .object({
            x: z.number().finite().describe('Metres east of the hall\'s centre.'),
            z: z.number().finite().describe('Metres south of the hall\'s centre (towards the viewer).'),
            rotationDeg: z.number().finite().default(0).describe('Turn about the vertical, degrees. Default 0.'),
          })
          .strict(),
      )
      .default({})
      .describe('Where the live page stands machines, by twin id; a twin not named here is laid out in rows and bays. Default: all laid out.'),
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
    for (const device of Object.keys(scenario.layout)) checkDevice(device, ['layout', device]);
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
    const gatewayIds = checkGateways(scenario, ctx);
    scenario.steps.forEach((step, i) => {
      const part = systemPart(scenario, step.device);
      if (part === undefined) checkDevice(step.device, ['steps', i, 'device']);
      else if (part !== CLOUD_STEP) {
        // The cloud's actions are checked when the step runs: the embedded cloud says which it takes.
        const who = part === GATEWAY_STEP ? 'the gateway' : `gateway ${part}`;
        if (!GATEWAY_STEP_ACTIONS.includes(step.action)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'action'], message: `${who} takes the step action "crash", not "${step.action}"` });
        const named = step.args?.gateway;
        if (named !== undefined && part !== GATEWAY_STEP && named !== part) {
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'args', 'gateway'], message: `this step is on ${part} already; drop args.gateway, or make the device \`gateway\`` });
        } else if (named !== undefined && (typeof named !== 'string' || !gatewayIds.includes(named))) {
          ctx.addIssue({ code: 'custom', path: ['steps', i, 'args', 'gateway'], message: `no gateway named ${JSON.stringify(named)}${didYouMean(String(named), gatewayIds, 'gateways')}` });
        }
      }
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
    if (scenario.cloud?.drift && !scenario.cloud.models) {
      ctx.addIssue({ code: 'custom', path: ['cloud', 'drift'], message: 'drift is measured against the active model\'s training data: set cloud.models: true, or drop drift' });
    }
  });

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioCloud = z.output<typeof CloudSectionSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;

/**
 * Every twin in exactly one gateway, each gateway's id its own (not another gateway's, a twin's, or a reserved step
 * device's). Returns the run's gateway ids: those of `gateways:`, or the one gateway's.
 */
function checkGateways(scenario: Pick<Scenario, 'twins' | 'gateways'>, ctx: z.RefinementCtx): string[] {
  const fleet = scenario.gateways;
  if (!fleet) return [DEFAULT_GATEWAY_ID];
  const twinIds = scenario.twins.map((t) => t.id);
  const ids: string[] = [];
  const servedBy = new Map<string, string>();
  fleet.forEach((gateway, i) => {
    const at = ['gateways', i, 'id'];
    if (ids.includes(gateway.id)) ctx.addIssue({ code: 'custom', path: at, message: `duplicate gateway id "${gateway.id}"` });
    else if (twinIds.includes(gateway.id)) ctx.addIssue({ code: 'custom', path: at, message: `"${gateway.id}" is a twin's id: name the gateway differently, so that a step on either is not taken for the other` });
    else if (gateway.id === GATEWAY_STEP || gateway.id === CLOUD_STEP) ctx.addIssue({ code: 'custom', path: at, message: `"${gateway.id}" is reserved for steps on the embedded system; name the gateway differently` });
    ids.push(gateway.id);
    gateway.devices.forEach((device, j) => {
      const path = ['gateways', i, 'devices', j];
      const owner = servedBy.get(device);
      if (!twinIds.includes(device)) ctx.addIssue({ code: 'custom', path, message: `no twin named "${device}"${didYouMean(device, twinIds, 'twins')}` });
      else if (owner === gateway.id) ctx.addIssue({ code: 'custom', path, message: `${device} is listed twice in ${gateway.id}` });
      else if (owner !== undefined) ctx.addIssue({ code: 'custom', path, message: `${device} is served by ${owner} already: a twin belongs to exactly one gateway` });
      else servedBy.set(device, gateway.id);
    });
  });
  scenario.twins.forEach((twin, i) => {
    if (!servedBy.has(twin.id)) ctx.addIssue({ code: 'custom', path: ['twins', i, 'id'], message: `${twin.id} is in no gateway: add it to the devices of one of gateways: (${ids.join(', ')})` });
  });
  return ids;
}

/**
 * The part of the embedded system a step's device names: `gateway`, `cloud` (unless a twin has that id), or the id
 * of one of `gateways:`; undefined for a twin or bound hardware.
 */
export function systemPart(scenario: Pick<Scenario, 'twins' | 'gateways'>, device: string): string | undefined {
  if (scenario.twins.some((t) => t.id === device)) return undefined;
  if (device === GATEWAY_STEP || device === CLOUD_STEP) return device;
  return scenario.gateways?.some((g) => g.id === device) ? device : undefined;
}

/** Whether a step's system part is a gateway (`gateway`, or a gateway id), as opposed to the cloud. */
export function isGatewayPart(part: string | undefined): boolean {
  return part !== undefined && part !== CLOUD_STEP;
}
