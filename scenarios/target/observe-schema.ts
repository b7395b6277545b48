import { z } from 'zod';

/**
 * Where a value comes from: a dotted path into the decoded payload (`data.alarm.device`, `items[0].id`), a topic
 * level (`$topic[3]`, counted from 0), the whole topic (`$topic`), or a constant (`{ const: anomaly }`).
 */
export const FieldSourceSchema = z.union([
  z.string().min(1).regex(/^(\$topic(\[\d+\])?|[^$].*)$/, 'expected a payload path such as "alarm.device", or $topic / $topic[N]'),
  z.object({ const: z.union([z.string(), z.number(), z.boolean()]) }).strict(),
]);

export type FieldSource = z.output<typeof FieldSourceSchema>;

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

const common = {
  filter: z.string().min(1).describe('MQTT topic filter to subscribe to, wildcards allowed, e.g. `plant/+/alarms/#`.'),
  decode: z
    .enum(['auto', 'json', 'cbor', 'text'])
    .default('auto')
    .describe('How payloads are read: `auto` (JSON if it parses as JSON, else CBOR), `json`, `cbor`, or `text` (the payload is the string). Default `auto`.'),
  where: z.record(z.string(), Scalar).optional().describe('Only messages whose payload fields equal these values, e.g. `{ origin: edge }`. Default: every message.'),
  time: z.enum(['ms', 's', 'iso']).default('ms').describe('Unit of the time field: epoch ms, epoch s, or an ISO 8601 string. Default `ms`.'),
};

export const AlertObservationSchema = z
  .object({
    ...common,
    as: z.literal('alert'),
    fields: z
      .object({
        device: FieldSourceSchema.describe('The device the alert is about. Required.'),
        sensor: FieldSourceSchema.optional().describe('The sensor. Default: none.'),
        time: FieldSourceSchema.optional().describe('Event time of the alert. Default: when twinbed received it (simulated clock).'),
        kind: FieldSourceSchema.optional().describe('alert (a threshold rule) or anomaly (a model); see `kinds`. Default: unknown, and expectations with `kind:` cannot be judged.'),
        state: FieldSourceSchema.optional().describe('Raised or cleared; see `raised` and `cleared`. Default: every message is a raise.'),
        severity: FieldSourceSchema.optional().describe('warning or critical, for reports. Default: none.'),
        rule: FieldSourceSchema.optional().describe('Rule or model name, for reports. Default: the topic.'),
        message: FieldSourceSchema.optional().describe('Text for reports. Default: none.'),
        value: FieldSourceSchema.optional().describe('Measured value, for reports. Default: none.'),
        threshold: FieldSourceSchema.optional().describe('Threshold crossed, for reports. Default: none.'),
      })
      .strict(),
    raised: z.array(Scalar).default(['raised', 'RAISED', 'active', 'ACTIVE', 'alarm', 'ALARM', true, 1]).describe('State values that mean raised. Default: raised, active, alarm (any case), true, 1.'),
    cleared: z.array(Scalar).default(['cleared', 'CLEARED', 'inactive', 'INACTIVE', 'normal', 'NORMAL', 'ok', 'OK', false, 0]).describe('State values that mean cleared. Default: cleared, inactive, normal, ok, false, 0.'),
    kinds: z
      .object({ alert: z.array(Scalar).default(['alert', 'threshold', 'rule']), anomaly: z.array(Scalar).default(['anomaly', 'model', 'ml']) })
      .strict()
      .prefault({})
      .describe('Kind values that mean a threshold alert, and an anomaly. Default: alert/threshold/rule, anomaly/model/ml.'),
  })
  .strict();

export const ReadingObservationSchema = z
  .object({
    ...common,
    as: z.literal('reading'),
    fields: z
      .object({
        device: FieldSourceSchema.describe('The device. Required.'),
        sensor: FieldSourceSchema.describe('The sensor. Required.'),
        seq: FieldSourceSchema.optional().describe('The first block sequence number the message carries. Default: none, and delivery cannot be judged exactly once.'),
        count: FieldSourceSchema.optional().describe('How many blocks it covers (a window of features). Default 1.'),
        time: FieldSourceSchema.optional().describe('Event time. Default: when received.'),
        features: FieldSourceSchema.optional().describe('An object of named numbers (rms, kurtosis…), to explain a missing alert with peaks. Default: none.'),
      })
      .strict(),
  })
  .strict();

export const CommandObservationSchema = z
  .object({
    ...common,
    as: z.literal('command'),
    fields: z
      .object({
        device: FieldSourceSchema.describe('The device commanded. Required.'),
        action: FieldSourceSchema.describe('What it was told to do. Required.'),
        time: FieldSourceSchema.optional().describe('When. Default: when received.'),
      })
      .strict(),
  })
  .strict();

export const ReplyObservationSchema = z
  .object({
    ...common,
    as: z.literal('reply'),
    fields: z
      .object({
        device: FieldSourceSchema.default('device').describe('Who replied: the device or gateway that carried the command out. Default `device`.'),
        time: FieldSourceSchema.default('tsMs').describe('When it replied. Default `tsMs`; when absent from a message, when received.'),
        action: FieldSourceSchema.default('action').describe('The command\'s action. Default `action`.'),
        ok: FieldSourceSchema.default('ok').describe('Whether it was carried out; see `accepted` and `refused`. Default `ok`.'),
        code: FieldSourceSchema.default('code').describe('A refusal\'s code, e.g. `E_MODEL_SIGNATURE`. Default `code`; none when absent.'),
        error: FieldSourceSchema.default('error').describe('A refusal\'s text. Default `error`; none when absent.'),
      })
      .strict()
      .prefault({})
      .describe('Where each field is; every one defaults to its name in twinbed\'s own reply message. Default: twinbed\'s.'),
    accepted: z.array(Scalar).default([true, 'ok', 'OK', 'success', 'SUCCESS', 'accepted', 'ACCEPTED']).describe('Values of ok that mean carried out. Default: true, ok, success, accepted (either case).'),
    refused: z.array(Scalar).default([false, 'error', 'ERROR', 'failed', 'FAILED', 'refused', 'REFUSED', 'rejected', 'REJECTED']).describe('Values of ok that mean refused. Default: false, error, failed, refused, rejected (either case).'),
  })
  .strict();

export const RolloutObservationSchema = z
  .object({
    filter: common.filter,
    as: z.literal('rollout'),
  })
  .strict()
  .describe('twinbed\'s own rollout status messages (`twinbed-cloud/v1/rollout/+`, type `rollout`, JSON or CBOR): no field mapping, and a message that is not one is counted as unmapped.');

export const TopicObservationSchema = z.discriminatedUnion('as', [AlertObservationSchema, ReadingObservationSchema, CommandObservationSchema, ReplyObservationSchema, RolloutObservationSchema]);

export const ObserveSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mqtts?|wss?):\/\/[^\s]+$/, 'expected mqtt://, mqtts://, ws:// or wss:// with a host')
      .optional()
      .describe('The broker where the system publishes what it decided (alerts, features, commands, replies, rollouts). Default: the devices\' broker.'),
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4).describe('MQTT version of the observer. Default 4.'),
    clientId: z.string().min(1).default('twinbed-observer').describe('Client id of the observer. Default `twinbed-observer`.'),
    username: z.string().optional().describe('User name. Default: none.'),
    password: z.string().optional().describe('Password (use ${VAR}). Default: none.'),
    ca: z.string().optional().describe('CA certificate (PEM) of an mqtts:// broker. Default: the system store.'),
    topics: z.array(TopicObservationSchema).min(1).describe('What to subscribe to and how each message maps to what expectations judge.'),
  })
  .strict();

export type Observe = z.output<typeof ObserveSchema>;
export type TopicObservation = z.output<typeof TopicObservationSchema>;
export type AlertObservation = z.output<typeof AlertObservationSchema>;
export type ReadingObservation = z.output<typeof ReadingObservationSchema>;
export type ReplyObservation = z.output<typeof ReplyObservationSchema>;
/** A subscription that maps its messages field by field (every kind but `rollout`, which is twinbed's own format). */
export type MappedObservation = Exclude<TopicObservation, { as: 'rollout' }>;
