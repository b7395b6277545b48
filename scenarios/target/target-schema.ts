import { z } from 'zod';
import { DeviceConnectionSchema } from '../../twins';
import { expandEnv, type EnvProblem } from '../../protocol';
import { ObserveSchema } from './observe-schema';
import { StoreQuerySchema } from './store-probe';
import { HardwareBindingsSchema } from '../hardware/hardware-schema';

export const SkipSchema = z
  .object({
    expectation: z
      .enum(['alert', 'no-alert', 'stored-exactly-once', 'command', 'no-loss', 'rollout', 'reply', 'threshold'])
      .describe('The type of expectation this target does not judge; `threshold` for the scenario\'s thresholds.'),
    device: z.string().optional().describe('Only expectations on this device (for thresholds: with this device tag). Default: every one of the type.'),
    metric: z.string().optional().describe('With `expectation: threshold`: only thresholds on this metric. Default: every threshold.'),
    reason: z.string().min(3).describe('Why, shown in every report beside the skipped expectation. Required.'),
  })
  .strict();

const SettleSchema = z
  .object({
    quietMs: z.number().int().min(0).default(2000).describe('After the twins finish, wait until nothing new was observed for this long, wall ms. Default 2000.'),
    timeoutS: z.number().positive().default(120).describe('Wait at most this long for the system to finish, wall seconds. Default 120.'),
  })
  .strict()
  .prefault({});

export const EmbeddedTargetSchema = z
  .object({
    kind: z.literal('embedded').describe('twinbed\'s own gateway and cloud, started in this process: the reference.'),
    devices: DeviceConnectionSchema.optional().describe(
      'How the twins connect. With a url, the embedded gateway takes devices from that broker (e.g. a Mosquitto that speaks MQTT 5). Default: its embedded broker, twinbed CBOR.',
    ),
    skip: z.array(SkipSchema).default([]).describe('Expectations not to judge, each with a reason. Default none.'),
    hardware: HardwareBindingsSchema,
  })
  .strict();

export const MqttTargetSchema = z
  .object({
    kind: z.literal('mqtt').describe('A system twinbed did not build, reached over MQTT: your broker, gateway or pipeline.'),
    devices: DeviceConnectionSchema.refine((d) => d.url !== undefined, { path: ['url'], message: 'an mqtt target needs the url its devices connect to' }).describe(
      'Where the twins connect and what they send: url, MQTT version, client ids, topics, credentials, payload format.',
    ),
    observe: ObserveSchema.describe('What the system publishes that expectations judge (alerts, features upstream, commands), and how to read it.'),
    store: StoreQuerySchema.optional().describe('How to count what the system stored, to judge stored-exactly-once. Default: judged on the observed readings, if they carry seqs.'),
    skip: z.array(SkipSchema).default([]).describe('Expectations this target cannot judge, each with a reason shown in every report. Default none.'),
    settle: SettleSchema.describe('How long to wait for the system after the twins finish.'),
    truth: z
      .enum(['broker', 'local'])
      .default('local')
      .describe('Publish ground truth on the devices\' broker (`broker`) or keep it in twinbed (`local`), so the system under test cannot see it. Default `local`.'),
    hardware: HardwareBindingsSchema,
  })
  .strict();

const TargetUnion = z.discriminatedUnion('kind', [EmbeddedTargetSchema, MqttTargetSchema]);

/**
 * Where a scenario runs and how the run observes the system under test. `${VAR}` and `${VAR:-default}` in any string
 * are taken from the environment before validation, so CI can inject ports and secrets.
 */
export const TargetSchema = z.preprocess((value, ctx) => {
  const problems: EnvProblem[] = [];
  const expanded = expandEnv(value, process.env, problems);
  for (const problem of problems) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, input: value });
  return expanded;
}, TargetUnion);

export type Target = z.output<typeof TargetUnion>;
export type EmbeddedTargetConfig = z.output<typeof EmbeddedTargetSchema>;
export type MqttTargetConfig = z.output<typeof MqttTargetSchema>;
export type Skip = z.output<typeof SkipSchema>;
