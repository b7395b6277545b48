import fc from 'fast-check';
import type { Message, MessageType } from '../../protocol/index';

// Valid messages of every type and version in MESSAGE_SCHEMAS, with every optional field present or not. Strings are
// well-formed Unicode (any code point, no lone surrogate): see the codec properties for what ill-formed text becomes.

export const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
export const text = (constraints: { minLength?: number; maxLength?: number } = {}) => fc.string({ unit: 'binary', maxLength: 40, ...constraints });
/**
 * Keys of free-form maps. Not `__proto__`: zod's records drop that key and cbor-x renames it `__proto_`, so it never
 * round-trips (harmless: no twinbed field or feature has that name).
 */
const key = text({ maxLength: 12 }).filter((k) => k !== '__proto__');
export const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
export const positive = fc.double({ min: Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true });
/** Sample rates from the slowest the schema takes (MIN_RATE_HZ). */
const rateHz = fc.double({ min: 1e-6, noNaN: true, noDefaultInfinity: true });
/** Samples are float32 readings, packed or not. */
const sample = fc.double({ min: -3.4028234663852886e38, max: 3.4028234663852886e38, noNaN: true });
const timeMs = fc.oneof(fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }), finite);
const seq = fc.maxSafeNat();
const unit = text({ minLength: 1, maxLength: 16 }).filter((s) => s.length <= 16);
/** JSON-shaped values (what command args and reply results carry): every codec keeps them. */
const jsonRecord = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('"__proto__"')), { maxKeys: 5 });
const sampleValues = fc.oneof(fc.array(sample, { maxLength: 64 }), fc.float32Array({ noNaN: true, noDefaultInfinity: true, maxLength: 64 }));
const featureMap = fc
  .tuple(fc.record({ rms: finite, peak: finite, crest: finite }), fc.dictionary(key, finite, { maxKeys: 4 }))
  .map(([named, extra]) => ({ ...extra, ...named }));

const telemetry = fc.record({
  type: fc.constant('telemetry' as const),
  v: fc.constant(1 as const),
  device: id,
  sensor: id,
  seq,
  tsMs: timeMs,
  rateHz,
  unit,
  values: sampleValues,
});

const featuresFields = {
  device: id,
  sensor: id,
  seq,
  blocks: fc.integer({ min: 1, max: 10_000 }),
  tsMs: timeMs,
  windowMs: positive,
  unit,
  features: featureMap,
};
const featuresRequired = ['type', 'v', 'device', 'sensor', 'seq', 'tsMs', 'windowMs', 'unit', 'features'] as const;
const featuresV1 = fc.record({ type: fc.constant('features' as const), v: fc.constant(1 as const), ...featuresFields }, { requiredKeys: [...featuresRequired] });
const featuresV2 = fc.record(
  {
    type: fc.constant('features' as const),
    v: fc.constant(2 as const),
    ...featuresFields,
    gateway: id,
    model: fc.record({ version: text({ minLength: 1, maxLength: 128 }), score: finite, threshold: positive }),
  },
  { requiredKeys: [...featuresRequired] },
);

const event = fc.record(
  {
    type: fc.constant('event' as const),
    v: fc.constant(1 as const),
    device: id,
    sensor: id,
    tsMs: timeMs,
    kind: fc.constantFrom('alert' as const, 'anomaly' as const),
    origin: fc.constantFrom('edge' as const, 'cloud' as const),
    rule: text({ minLength: 1 }),
    state: fc.constantFrom('raised' as const, 'cleared' as const),
    severity: fc.constantFrom('warning' as const, 'critical' as const),
    value: finite,
    threshold: finite,
    message: text(),
  },
  { requiredKeys: ['type', 'v', 'device', 'tsMs', 'kind', 'rule', 'state', 'severity', 'value', 'threshold', 'message'] },
);

const status = fc.record(
  {
    type: fc.constant('status' as const),
    v: fc.constant(1 as const),
    device: id,
    tsMs: timeMs,
    state: fc.constantFrom('online' as const, 'offline' as const),
    counters: fc.dictionary(key, finite, { maxKeys: 6 }),
    model: fc.record({ active: text({ minLength: 1 }), staged: text({ minLength: 1 }), previous: text({ minLength: 1 }) }, { requiredKeys: [] }),
  },
  { requiredKeys: ['type', 'v', 'device', 'tsMs', 'state'] },
);

const command = fc.record(
  {
    type: fc.constant('cmd' as const),
    v: fc.constant(1 as const),
    device: id,
    tsMs: timeMs,
    id: text({ minLength: 1 }),
    action: text({ minLength: 1 }),
    args: jsonRecord,
  },
  { requiredKeys: ['type', 'v', 'device', 'tsMs', 'id', 'action'] },
);

const reply = fc.record(
  {
    type: fc.constant('reply' as const),
    v: fc.constant(1 as const),
    device: id,
    tsMs: timeMs,
    id: text({ minLength: 1 }),
    action: text({ minLength: 1 }),
    ok: fc.boolean(),
    code: text({ minLength: 1 }),
    error: text({ minLength: 1 }),
    result: jsonRecord,
  },
  { requiredKeys: ['type', 'v', 'device', 'tsMs', 'id', 'action', 'ok'] },
);

const deadLetter = fc.record({
  type: fc.constant('deadletter' as const),
  v: fc.constant(1 as const),
  stage: fc.constantFrom('gateway' as const, 'cloud' as const),
  topic: text(),
  reason: text(),
  tsMs: timeMs,
  payloadB64: fc.base64String({ maxLength: 64 }),
});

const truth = fc.record({
  type: fc.constant('truth' as const),
  v: fc.constant(1 as const),
  device: id,
  tsMs: timeMs,
  faults: fc.array(
    fc.record(
      { fault: text({ minLength: 1 }), component: text(), sensor: id, severity: fc.double({ min: 0, max: 1, noNaN: true }) },
      { requiredKeys: ['fault', 'severity'] },
    ),
    { maxLength: 4 },
  ),
});

const bytes = fc.uint8Array({ minLength: 1, maxLength: 96 });

const raw = fc.record({
  type: fc.constant('raw' as const),
  v: fc.constant(1 as const),
  device: id,
  sensor: id,
  seq,
  tsMs: timeMs,
  rateHz,
  unit,
  samples: fc.integer({ min: 1, max: 1_000_000 }),
  encoding: fc.constantFrom('f32' as const, 'delta-f32' as const, 'delta-f32-gzip' as const),
  data: bytes,
});

const signed = fc.record({
  type: fc.constant('signed' as const),
  v: fc.constant(1 as const),
  device: id,
  mac: fc.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
  body: bytes,
});

const rollout = fc.record(
  {
    type: fc.constant('rollout' as const),
    v: fc.constant(1 as const),
    id,
    version: text({ minLength: 1, maxLength: 128 }),
    state: fc.constantFrom('running' as const, 'paused' as const, 'finished' as const, 'cancelled' as const),
    group: fc.nat(),
    groups: fc.integer({ min: 1, max: 100 }),
    reason: text(),
    tsMs: timeMs,
    gateways: fc.array(
      fc.record(
        {
          gateway: id,
          group: fc.integer({ min: 1, max: 100 }),
          phase: fc.constantFrom('pending' as const, 'staging' as const, 'activating' as const, 'observing' as const, 'finished' as const, 'rolled-back' as const, 'error' as const),
          windows: fc.nat(),
          overRate: fc.double({ min: 0, max: 1, noNaN: true }),
          reason: text(),
        },
        { requiredKeys: ['gateway', 'group', 'phase', 'windows'] },
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ['type', 'v', 'id', 'version', 'state', 'group', 'groups', 'tsMs', 'gateways'] },
);

/** One valid message arbitrary per type (features has two versions). */
export const MESSAGE_ARBITRARIES: Record<MessageType, fc.Arbitrary<Message>> = {
  telemetry,
  features: fc.oneof(featuresV1, featuresV2),
  event,
  status,
  cmd: command,
  reply,
  deadletter: deadLetter,
  truth,
  raw,
  signed,
  rollout,
};

/** Any valid message. */
export const anyMessage: fc.Arbitrary<Message> = fc.oneof(...Object.values(MESSAGE_ARBITRARIES));

/**
 * What a message is once through a codec: neither JSON nor our CBOR keeps the sign of a zero (both write -0 as 0), so
 * every -0 outside a packed Float32 block (whose bytes keep it) becomes 0.
 */
export function withoutNegativeZero<T>(value: T): T {
  if (typeof value === 'number') return (Object.is(value, -0) ? 0 : value) as T;
  if (Array.isArray(value)) return value.map(withoutNegativeZero) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) Object.defineProperty(out, key, { value: withoutNegativeZero(item), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return value;
}

/** A plain object, as a decoder builds it or fast-check generates it (whose records may have no prototype). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
