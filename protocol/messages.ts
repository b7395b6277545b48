import { z } from 'zod';
import { IdSchema } from './topics';

// Every message is `{ type, v, ... }`; a reader dispatches on both, so a new version is a new schema, never an edit.

/** Event time in milliseconds since the Unix epoch, as carried in the message (never the receiver's clock). */
const EventTimeMs = z.number().finite();

/**
 * Largest float32. A sample is a float32 reading whether it travels packed or as a plain number, so the window
 * features computed from it (sums of squares and fourth powers) stay finite: a sample of 1e300 made RMS Infinity.
 */
const F32_MAX = 3.4028234663852886e38;

/** Sample values: a plain number array (readable JSON) or a packed Float32 block (4 bytes a sample). */
export const SampleValuesSchema = z.union([
  z.array(z.number().min(-F32_MAX).max(F32_MAX)),
  z.custom<Float32Array>((value) => value instanceof Float32Array && allFinite(value), 'expected a number array or a packed Float32 block of finite numbers'),
]);

/** A plain loop: `every(Number.isFinite)` costs ~20× more on the 25,600 samples a second each twin sends. */
export function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x - x !== 0) return false; // NaN − NaN and ∞ − ∞ are NaN
  }
  return true;
}

/**
 * Command args and reply results: JSON values only (strings, finite numbers, booleans, null, arrays, plain objects).
 * CBOR can carry what JSON cannot (BigInt, Date, Map, undefined, NaN, typed arrays); a message holding one could not
 * be passed on or stored as JSON, so every decoded message re-encodes in either codec.
 */
const JsonRecordSchema = z.custom<Record<string, unknown>>(
  isJsonRecord,
  'expected JSON values only: strings, finite numbers, booleans, null, arrays and objects (no NaN, Infinity, BigInt, dates, maps or byte strings)',
);

/** Walks the value with a stack, not recursion: a hostile payload may nest deeper than the call stack. */
function isJsonRecord(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item === 'string' || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (item - item !== 0) return false; // NaN and ±Infinity
      continue;
    }
    const container = Array.isArray(item) || isPlainObject(item);
    // A shared or cyclic reference (CBOR tags 28/29) is not JSON either.
    if (!container || seen.has(item)) return false;
    seen.add(item);
    if (Array.isArray(item)) for (let i = 0; i < item.length; i++) stack.push(item[i]); // a hole reads as undefined: refused
    else for (const key of Object.keys(item)) stack.push((item as Record<string, unknown>)[key]);
  }
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * Slowest sample rate, Hz: one sample in about 11.6 days. A window's length is samples / rate, which a rate of 5e-324
 * Hz made Infinity.
 */
export const MIN_RATE_HZ = 1e-6;

export const TelemetryV1Schema = z
  .object({
    type: z.literal('telemetry'),
    v: z.literal(1),
    device: IdSchema,
    sensor: IdSchema,
    /** Sequence number per (device, sensor), from 0; with them it is the dedupe key. */
    seq: z.number().int().nonnegative(),
    /** Event time of the first sample, ms since the Unix epoch. */
    tsMs: EventTimeMs,
    /** Sample rate in Hz, at least MIN_RATE_HZ; sample i was taken at tsMs + 1000·i/rateHz. */
    rateHz: z.number().min(MIN_RATE_HZ).finite(),
    /** Unit of the values, e.g. `g`, `degC`. */
    unit: z.string().min(1).max(16),
    values: SampleValuesSchema,
  })
  .strict();

export const FeaturesV1Schema = z
  .object({
    type: z.literal('features'),
    v: z.literal(1),
    device: IdSchema,
    sensor: IdSchema,
    /** The seq of the first telemetry block these features summarise; with `blocks` the window's dedupe key. */
    seq: z.number().int().nonnegative(),
    /** How many telemetry blocks the window summarises, seq … seq + blocks − 1 (fewer if some never arrived). Default 1. */
    blocks: z.number().int().positive().optional(),
    tsMs: EventTimeMs,
    /** Length of the summarised window in ms. */
    windowMs: z.number().positive().finite(),
    unit: z.string().min(1).max(16),
    /** Named features in `unit` (crest is dimensionless); rms, peak and crest are always present. */
    features: z.object({ rms: z.number().finite(), peak: z.number().finite(), crest: z.number().finite() }).catchall(z.number().finite()),
  })
  .strict();

/** What the gateway's active edge anomaly model made of one window. */
export const WindowScoreSchema = z
  .object({
    /** Version of the model that scored the window, as it was staged. */
    version: z.string().min(1).max(128),
    /** The model's anomaly score of the window; over `threshold` is an anomalous window. */
    score: z.number().finite(),
    /** The threshold the detector judged the score against (a config override, else the model's own). */
    threshold: z.number().positive().finite(),
  })
  .strict();

/** FeaturesV1 plus where it was computed and, when the gateway has a model for the sensor, how the model scored it. */
export const FeaturesV2Schema = FeaturesV1Schema.extend({
  v: z.literal(2),
  /** The gateway that computed the window. Absent when it was not computed by a gateway (or came upcast from v1). */
  gateway: IdSchema.optional(),
  /** The active edge model's score of this window; absent when no model scored it (none active, or not a scored sensor). */
  model: WindowScoreSchema.optional(),
}).strict();

export const EventV1Schema = z
  .object({
    type: z.literal('event'),
    v: z.literal(1),
    device: IdSchema,
    sensor: IdSchema.optional(),
    tsMs: EventTimeMs,
    /** `alert`: a threshold rule; `anomaly`: an anomaly model's score. */
    kind: z.enum(['alert', 'anomaly']),
    /** Layer that raised it. Default `cloud`. */
    origin: z.enum(['edge', 'cloud']).optional(),
    /** Name of the rule (or model) that fired. */
    rule: z.string().min(1),
    state: z.enum(['raised', 'cleared']),
    severity: z.enum(['warning', 'critical']),
    value: z.number().finite(),
    threshold: z.number().finite(),
    message: z.string(),
  })
  .strict();

export const StatusV1Schema = z
  .object({
    type: z.literal('status'),
    v: z.literal(1),
    device: IdSchema,
    tsMs: EventTimeMs,
    state: z.enum(['online', 'offline']),
    counters: z.record(z.string(), z.number()).optional(),
    /** A gateway's anomaly model versions: what it runs (`active`), has validated (`staged`) and would roll back to (`previous`). */
    model: z
      .object({ active: z.string().min(1).optional(), staged: z.string().min(1).optional(), previous: z.string().min(1).optional() })
      .strict()
      .optional(),
  })
  .strict();

export const CommandV1Schema = z
  .object({
    type: z.literal('cmd'),
    v: z.literal(1),
    device: IdSchema,
    tsMs: EventTimeMs,
    id: z.string().min(1),
    action: z.string().min(1),
    args: JsonRecordSchema.optional(),
  })
  .strict();

/** The answer to a `cmd`, from whoever carried it out (a gateway, a device), matched to it by `id`. */
export const ReplyV1Schema = z
  .object({
    type: z.literal('reply'),
    v: z.literal(1),
    /** Who replies. */
    device: IdSchema,
    tsMs: EventTimeMs,
    /** The command's id. */
    id: z.string().min(1),
    action: z.string().min(1),
    ok: z.boolean(),
    /** A refusal's code (e.g. E_MODEL_VALIDATION) and message, when ok is false. */
    code: z.string().min(1).optional(),
    error: z.string().min(1).optional(),
    /** What the command produced or why it was refused (checks, model status, streams…), by action. */
    result: JsonRecordSchema.optional(),
  })
  .strict();

export const DeadLetterV1Schema = z
  .object({
    type: z.literal('deadletter'),
    v: z.literal(1),
    /** Which layer rejected the message. */
    stage: z.enum(['gateway', 'cloud']),
    /** Topic the rejected payload arrived on. */
    topic: z.string(),
    reason: z.string(),
    /** Event time at which it was rejected, from the rejecting layer's clock. */
    tsMs: EventTimeMs,
    /** The payload exactly as received, base64. */
    payloadB64: z.string(),
  })
  .strict();

export const TruthV1Schema = z
  .object({
    type: z.literal('truth'),
    v: z.literal(1),
    device: IdSchema,
    /** Event time at which this state holds, ms since the Unix epoch. */
    tsMs: EventTimeMs,
    /** Every fault active on the device now; empty when healthy. */
    faults: z.array(
      z
        .object({
          /** Fault type as declared in the scenario, e.g. `bearing`, `imbalance`, `drift`. */
          fault: z.string().min(1),
          /** Bearing component, for bearing faults. */
          component: z.string().optional(),
          /** The sensor a sensor fault affects. */
          sensor: IdSchema.optional(),
          /** 0–1. */
          severity: z.number().min(0).max(1),
        })
        .strict(),
    ),
  })
  .strict();

export const SignedV1Schema = z
  .object({
    type: z.literal('signed'),
    v: z.literal(1),
    /** The device whose HMAC key made `mac`; the inner message must name the same device. */
    device: IdSchema,
    /** HMAC-SHA256 over the bytes of `body`, base64 (32 bytes, 44 characters). */
    mac: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected the base64 of a 32-byte HMAC-SHA256'),
    /** The inner message exactly as encoded (either codec): a CBOR byte string, or base64 text in JSON. */
    body: z.custom<Uint8Array>((value) => value instanceof Uint8Array && value.length > 0, 'expected the encoded inner message as bytes (base64 text in JSON)'),
  })
  .strict();

/** A raw block the gateway uplinks around an event or on request: compressed, with the reading's dedupe key. */
export const RawBlockV1Schema = z
  .object({
    type: z.literal('raw'),
    v: z.literal(1),
    device: IdSchema,
    sensor: IdSchema,
    seq: z.number().int().nonnegative(),
    tsMs: EventTimeMs,
    rateHz: z.number().min(MIN_RATE_HZ).finite(),
    unit: z.string().min(1).max(16),
    /** Number of samples in `data` once decoded. */
    samples: z.number().int().positive(),
    /** `f32`: little-endian float32; `delta-f32`: successive differences of the float32 bit patterns; `-gzip`: then gzip (RFC 1952). */
    encoding: z.enum(['f32', 'delta-f32', 'delta-f32-gzip']),
    data: z.custom<Uint8Array>((value) => value instanceof Uint8Array && value.length > 0, 'expected the encoded samples as bytes (base64 text in JSON)'),
  })
  .strict();

/** A staged model rollout as the cloud runs it: published retained on every change, so observers judge it from outside. */
export const RolloutV1Schema = z
  .object({
    type: z.literal('rollout'),
    v: z.literal(1),
    id: IdSchema,
    /** The model version it rolls out. */
    version: z.string().min(1).max(128),
    /** `running`, `paused` (an error threshold was crossed, or a model went missing), `finished`, `cancelled`. */
    state: z.enum(['running', 'paused', 'finished', 'cancelled']),
    /** The latest group started, from 1, of `groups`. */
    group: z.number().int().nonnegative(),
    groups: z.number().int().positive(),
    reason: z.string().optional(),
    /** Event time of the change, ms since the Unix epoch. */
    tsMs: EventTimeMs,
    gateways: z.array(
      z
        .object({
          gateway: IdSchema,
          group: z.number().int().positive(),
          /** `pending`, `staging`, `activating`, `observing`, `finished`, `rolled-back`, `error`. */
          phase: z.enum(['pending', 'staging', 'activating', 'observing', 'finished', 'rolled-back', 'error']),
          /** Live windows the new model scored on it so far. */
          windows: z.number().int().nonnegative(),
          /** Fraction of those windows over threshold, once judged. */
          overRate: z.number().min(0).max(1).optional(),
          reason: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();

export type TelemetryV1 = z.infer<typeof TelemetryV1Schema>;
export type RolloutV1 = z.infer<typeof RolloutV1Schema>;
export type FeaturesV1 = z.infer<typeof FeaturesV1Schema>;
export type FeaturesV2 = z.infer<typeof FeaturesV2Schema>;
export type WindowScore = z.infer<typeof WindowScoreSchema>;
export type EventV1 = z.infer<typeof EventV1Schema>;
export type StatusV1 = z.infer<typeof StatusV1Schema>;
export type CommandV1 = z.infer<typeof CommandV1Schema>;
export type ReplyV1 = z.infer<typeof ReplyV1Schema>;
export type DeadLetterV1 = z.infer<typeof DeadLetterV1Schema>;
export type TruthV1 = z.infer<typeof TruthV1Schema>;
export type TruthFault = TruthV1['faults'][number];
export type SignedV1 = z.infer<typeof SignedV1Schema>;
export type RawBlockV1 = z.infer<typeof RawBlockV1Schema>;

/** Schemas by type, then by version: the one table a reader consults. */
export const MESSAGE_SCHEMAS = {
  telemetry: { 1: TelemetryV1Schema },
  features: { 1: FeaturesV1Schema, 2: FeaturesV2Schema },
  event: { 1: EventV1Schema },
  status: { 1: StatusV1Schema },
  cmd: { 1: CommandV1Schema },
  reply: { 1: ReplyV1Schema },
  deadletter: { 1: DeadLetterV1Schema },
  truth: { 1: TruthV1Schema },
  raw: { 1: RawBlockV1Schema },
  signed: { 1: SignedV1Schema },
  rollout: { 1: RolloutV1Schema },
} as const;

export type MessageType = keyof typeof MESSAGE_SCHEMAS;
export type Message = RolloutV1 | TelemetryV1 | FeaturesV1 | FeaturesV2 | EventV1 | StatusV1 | CommandV1 | ReplyV1 | DeadLetterV1 | TruthV1 | RawBlockV1 | SignedV1;
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;
