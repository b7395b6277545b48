import { z } from 'zod';
import { templateProblem, type TemplateVariable } from './template';

/** A string with `{placeholders}` limited to `allowed`, checked when the file loads. */
function template(allowed: readonly TemplateVariable[], description: string) {
  return z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      const problem = templateProblem(value, allowed);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(description);
}

const DEVICE_VARS: readonly TemplateVariable[] = ['site', 'device', 'index'];
const SENSOR_VARS: readonly TemplateVariable[] = ['site', 'device', 'sensor', 'index'];

const TwinbedFormatSchema = z
  .object({
    type: z.literal('twinbed'),
    codec: z.enum(['cbor', 'json']).default('cbor').describe('Envelope encoding: `cbor` (compact, the default) or `json`.'),
  })
  .strict();

const FlatJsonFormatSchema = z
  .object({
    type: z.literal('flat-json'),
    per: z
      .enum(['block', 'sample'])
      .default('block')
      .describe('`block`: one message per block, `{ts, rateHz, unit, values: [...]}`; `sample`: one message per sample, `{ts, value, unit}`. Default `block`.'),
    time: z.enum(['ms', 's', 'iso']).default('ms').describe('How `ts` is written: epoch ms, epoch seconds, or an ISO 8601 string. Default `ms`.'),
    keys: z
      .object({
        ts: template(SENSOR_VARS, 'Key of the timestamp. Default `ts`.').default('ts'),
        rateHz: template(SENSOR_VARS, 'Key of the sample rate (per block only). Default `rateHz`.').default('rateHz'),
        unit: template(SENSOR_VARS, 'Key of the unit. Default `unit`.').default('unit'),
        values: template(SENSOR_VARS, 'Key of the sample array (per block). Default `values`.').default('values'),
        value: template(SENSOR_VARS, 'Key of the sample (per sample), e.g. `{sensor}`. Default `value`.').default('value'),
        seq: template(SENSOR_VARS, 'Key of the block sequence number; empty string leaves it out. Default `seq`.').or(z.literal('')).default('seq'),
        device: template(SENSOR_VARS, 'Key of the device id; empty string leaves it out. Default: left out.').or(z.literal('')).default(''),
        sensor: template(SENSOR_VARS, 'Key of the sensor name; empty string leaves it out. Default: left out.').or(z.literal('')).default(''),
      })
      .strict()
      .prefault({})
      .describe('JSON keys, which may use {sensor}, {device} and {site}. Defaults: ts, rateHz, unit, values, value, seq.'),
  })
  .strict();

const SparkplugFormatSchema = z
  .object({
    type: z.literal('sparkplug-b'),
    groupId: template(DEVICE_VARS, 'Sparkplug group id. Default `{site}`.').default('{site}'),
    edgeNodeId: template(DEVICE_VARS, 'Edge node id; each twin is an edge node with its own MQTT session. Default `{device}`.').default('{device}'),
    deviceId: template(DEVICE_VARS, 'Device id under the edge node; its metrics are the sensors. Default `{device}`.').default('{device}'),
    primaryHostId: z
      .string()
      .min(1)
      .optional()
      .describe('Wait for `spBv1.0/STATE/{primaryHostId}` to say online before publishing (Sparkplug 3.0). Default: do not wait.'),
  })
  .strict();

/** How a device's readings are written on the wire. */
export const PayloadFormatSchema = z
  .discriminatedUnion('type', [TwinbedFormatSchema, FlatJsonFormatSchema, SparkplugFormatSchema])
  .describe('Payload format: `twinbed` (the versioned envelope), `flat-json`, or `sparkplug-b`. Default twinbed CBOR.');

export const DeviceAuthSchema = z
  .object({
    username: template(DEVICE_VARS, 'MQTT user name, e.g. `{device}`. Default: none.').optional(),
    password: z.string().optional().describe('MQTT password; may use {device}, and ${VAR} from the environment in a target file. Default: none.'),
    passwordFile: template(DEVICE_VARS, 'A file holding the password, e.g. `secrets/{device}.txt` (trailing newline ignored). Default: none.').optional(),
    certDir: z
      .string()
      .min(1)
      .optional()
      .describe('A folder from `twinbed certs`: the client certificate {device}.pem and key {device}.key, and ca.pem to trust. Default: none.'),
    cert: template(DEVICE_VARS, 'Client certificate (PEM) per device, e.g. `certs/{device}.pem`. Default: none.').optional(),
    key: template(DEVICE_VARS, 'Client key (PEM) per device. Default: none.').optional(),
    ca: z.string().min(1).optional().describe('CA certificate (PEM) that signed the broker\'s certificate. Default: the system store.'),
    rejectUnauthorized: z.boolean().default(true).describe('Check the broker\'s certificate. Default true.'),
  })
  .strict()
  .refine((a) => !(a.password !== undefined && a.passwordFile), { message: 'set password or passwordFile, not both' })
  .refine((a) => !(a.certDir && (a.cert || a.key)), { message: 'set certDir, or cert and key, not both' })
  .refine((a) => !a.cert === !a.key, { message: 'cert and key go together' });

/** Where and how the twins connect, for every kind of target. Paths are relative to the file that declares them. */
export const DeviceConnectionSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mqtts?|wss?):\/\/[^\s]+$/, 'expected mqtt://, mqtts://, ws:// or wss:// with a host')
      .optional()
      .describe('The broker the devices publish to. Default: the embedded gateway\'s device broker.'),
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4).describe('MQTT 3.1.1 (4) or MQTT 5 (5). Default 4.'),
    clientId: template(DEVICE_VARS, 'Client identifier per device. Default `twinbed-{site}-{device}`.').default('twinbed-{site}-{device}'),
    topic: template(SENSOR_VARS, 'Topic of a sensor\'s readings. Default `twinbed/v1/{site}/{device}/telemetry/{sensor}` (for sparkplug-b: its own topics).').optional(),
    commandTopic: template(DEVICE_VARS, 'Topic on which a device takes commands. Default `twinbed/v1/{site}/{device}/cmd`; `""` takes none.').or(z.literal('')).optional(),
    qos: z.union([z.literal(0), z.literal(1)]).optional().describe('QoS of every reading. Default: each sensor\'s own (1 unless a scenario says 0).'),
    keepaliveS: z.number().int().min(0).max(65_535).default(30).describe('MQTT keepalive, seconds; 0 turns it off. Default 30.'),
    clean: z.boolean().default(true).describe('Clean session (MQTT 3.1.1) or clean start (MQTT 5). Default true.'),
    sessionExpiryS: z.number().int().min(0).max(4_294_967_295).optional().describe('MQTT 5 session expiry interval, seconds. Default: the broker\'s (0).'),
    messageExpiryS: z.number().int().min(1).max(4_294_967_295).optional().describe('MQTT 5 message expiry interval on readings, seconds. Default: none.'),
    userProperties: z.boolean().default(true).describe('MQTT 5: put `device` and `seq` user properties on each reading. Default true.'),
    connectRatePerS: z.number().positive().optional().describe('Most new connections a second, fleet-wide, as emqtt-bench -R. Default: unlimited.'),
    maxInflight: z.number().int().min(1).max(65_535).default(64).describe('QoS 1 readings a device may have unacknowledged. Default 64.'),
    reconnectPeriodMs: z.number().int().min(0).default(1000).describe('Wait between reconnect attempts, ms; 0 never reconnects. Default 1000.'),
    connectTimeoutMs: z.number().int().positive().default(30_000).describe('Wait for a CONNACK, ms. Default 30000.'),
    auth: DeviceAuthSchema.optional().describe('Per-device credentials and client certificates. Default: anonymous.'),
    format: PayloadFormatSchema.prefault({ type: 'twinbed' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.protocolVersion !== 5) {
      for (const field of ['sessionExpiryS', 'messageExpiryS'] as const) {
        if (c[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `${field} is an MQTT 5 property; set protocolVersion: 5` });
      }
    }
    if (c.format.type === 'sparkplug-b') {
      if (c.topic !== undefined || c.commandTopic !== undefined) {
        ctx.addIssue({ code: 'custom', path: [c.topic !== undefined ? 'topic' : 'commandTopic'], message: 'sparkplug-b defines its own topics (spBv1.0/{group}/DDATA/{node}/{device}…); remove this' });
      }
      // Sparkplug 3.0: an edge node connects with a clean session, and publishes births and data at QoS 0.
      if (!c.clean) ctx.addIssue({ code: 'custom', path: ['clean'], message: 'a Sparkplug edge node connects with a clean session; remove clean: false' });
      if (c.sessionExpiryS) ctx.addIssue({ code: 'custom', path: ['sessionExpiryS'], message: 'a Sparkplug edge node uses session expiry 0 (a clean start)' });
      if (c.qos === 1) ctx.addIssue({ code: 'custom', path: ['qos'], message: 'Sparkplug publishes NBIRTH, DBIRTH and DDATA at QoS 0; the host finds losses by seq. Remove qos' });
    }
  });

export type DeviceConnection = z.output<typeof DeviceConnectionSchema>;
export type DeviceConnectionInput = z.input<typeof DeviceConnectionSchema>;
export type PayloadFormat = z.output<typeof PayloadFormatSchema>;
export type DeviceAuth = z.output<typeof DeviceAuthSchema>;

export const DEFAULT_TOPIC = 'twinbed/v1/{site}/{device}/telemetry/{sensor}';
export const DEFAULT_COMMAND_TOPIC = 'twinbed/v1/{site}/{device}/cmd';
