import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { encodeMessage, topics, type Message, type MessageType } from '../../protocol/index';
import { applyEdits, byteEdit } from './byte-mutations';
import { MESSAGE_ARBITRARIES } from './message-arbitraries';

// What the broker fuzz sends: one case per payload, generated from a seed, with the topic it goes to. The device
// named in a case is its own (`d<i>` at the gateway, `c<i>` at the cloud), so every reading that is accepted opens a
// stream of its own and cannot be held back waiting for a neighbour's missing seq.

export type Target = 'gateway' | 'cloud';

export const CATEGORIES = [
  'random bytes',
  'truncated CBOR',
  'mutated bytes',
  'wrong types',
  'NaN and Infinity',
  'huge arrays',
  'wrong topic',
  'wrong message type',
  'oversized packet',
  'valid',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface FuzzCase {
  index: number;
  target: Target;
  category: Category;
  topic: string;
  payload: Buffer;
}

/** Site of the gateway under fuzz, and the site the cloud under fuzz takes. */
export const GATEWAY_SITE = 'fz';
export const CLOUD_SITE = 'fzc';

const plainCbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const utf8 = new TextEncoder();

/** Weighted so that each category shows up in a 2,500-payload run many times; oversized packets cost the most. */
const category = fc.oneof(
  { arbitrary: fc.constant<Category>('random bytes'), weight: 14 },
  { arbitrary: fc.constant<Category>('truncated CBOR'), weight: 10 },
  { arbitrary: fc.constant<Category>('mutated bytes'), weight: 12 },
  { arbitrary: fc.constant<Category>('wrong types'), weight: 16 },
  { arbitrary: fc.constant<Category>('NaN and Infinity'), weight: 10 },
  { arbitrary: fc.constant<Category>('huge arrays'), weight: 3 },
  { arbitrary: fc.constant<Category>('wrong topic'), weight: 14 },
  { arbitrary: fc.constant<Category>('wrong message type'), weight: 6 },
  { arbitrary: fc.constant<Category>('oversized packet'), weight: 1 },
  { arbitrary: fc.constant<Category>('valid'), weight: 6 },
);

const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, -1, 0.5, 2 ** 64, '', 'x'.repeat(100), null, true, [], {}, [1, 'two'], { f32: 'AAA' }, 'a/b', '+', '#'),
  fc.anything({ maxDepth: 2, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }),
);

/** Everything a case may be built from; `materialize` picks what its category needs. */
const ingredients = fc.record({
  category,
  codec: fc.constantFrom('json' as const, 'cbor' as const),
  cloudType: fc.constantFrom<MessageType>('features', 'features', 'features', 'raw', 'event', 'status', 'reply', 'deadletter'),
  otherType: fc.constantFrom<MessageType>('telemetry', 'features', 'event', 'status', 'cmd', 'reply', 'deadletter', 'truth', 'raw', 'signed', 'rollout'),
  telemetry: MESSAGE_ARBITRARIES.telemetry,
  features: MESSAGE_ARBITRARIES.features,
  raw: MESSAGE_ARBITRARIES.raw,
  event: MESSAGE_ARBITRARIES.event,
  status: MESSAGE_ARBITRARIES.status,
  reply: MESSAGE_ARBITRARIES.reply,
  deadletter: MESSAGE_ARBITRARIES.deadletter,
  other: fc.constantFrom<MessageType>('cmd', 'truth', 'signed', 'rollout').chain((type) => MESSAGE_ARBITRARIES[type]),
  bytes: fc.uint8Array({ maxLength: 512 }),
  edits: fc.array(byteEdit, { minLength: 1, maxLength: 4 }),
  cut: fc.nat(),
  fields: fc.array(fc.record({ pick: fc.nat(), value: hostile }), { minLength: 1, maxLength: 3 }),
  variant: fc.nat(),
  // Mostly a few thousand items, sometimes the most the run allows.
  hugeLength: fc.oneof({ arbitrary: fc.integer({ min: 2_000, max: 10_000 }), weight: 3 }, fc.integer({ min: 10_000, max: 2_000_000 })),
  seed: fc.nat(),
});
type Ingredients = typeof ingredients extends fc.Arbitrary<infer T> ? T : never;

/** `count` cases for `target`, the same for the same seed; generated a batch at a time. */
export function* fuzzCases(target: Target, count: number, seed: number, sizes: { hugeMax: number; oversizedBytes: number }): Generator<FuzzCase> {
  const batch = 250;
  for (let start = 0; start < count; start += batch) {
    const specs = fc.sample(ingredients, { seed: (seed ^ (target === 'gateway' ? 0x6a7e : 0xc10d)) + start, numRuns: Math.min(batch, count - start) });
    for (let k = 0; k < specs.length; k++) yield materialize(specs[k]!, start + k, target, sizes);
  }
}

function materialize(spec: Ingredients, index: number, target: Target, sizes: { hugeMax: number; oversizedBytes: number }): FuzzCase {
  const device = target === 'gateway' ? `d${index}` : `c${index}`;
  const base = baseMessage(spec, target, device);
  const home = homeTopic(base, target);
  const at = (topic: string, payload: Uint8Array | string, cat: Category = spec.category): FuzzCase => ({
    index,
    target,
    category: cat,
    topic,
    payload: Buffer.from(typeof payload === 'string' ? utf8.encode(payload) : payload),
  });
  const encoded = encodeMessage(base, spec.codec);
  switch (spec.category) {
    case 'random bytes':
      return at(home, spec.bytes);
    case 'truncated CBOR': {
      const cbor = encodeMessage(base, 'cbor');
      return at(home, cbor.subarray(0, spec.cut % cbor.length));
    }
    case 'mutated bytes':
      return at(home, applyEdits(encoded, spec.edits));
    case 'wrong types':
      return at(home, encodeLoosely(withFields(base, spec.fields), spec.codec));
    case 'NaN and Infinity':
      return at(home, nonFinite(base, spec));
    case 'huge arrays':
      return at(home, huge(base, spec, Math.min(spec.hugeLength, sizes.hugeMax)));
    case 'wrong topic':
      return at(wrongTopic(base, target, spec.variant), encoded);
    case 'wrong message type': {
      const other = withDevice(pickOther(spec, target), device);
      return at(home, encodeMessage(other, spec.codec));
    }
    case 'oversized packet': {
      // Far bigger than any reading: random bytes, or a message whose one string holds it all.
      const bytes = new Uint8Array(sizes.oversizedBytes).map((_, i) => (i * 2_654_435_761 + spec.seed) >>> 24);
      return at(home, spec.variant % 2 === 0 ? bytes : encodeLoosely({ ...base, unit: 'x'.repeat(sizes.oversizedBytes) }, spec.codec));
    }
    case 'valid':
      return at(home, encoded);
  }
}

function baseMessage(spec: Ingredients, target: Target, device: string): Message {
  if (target === 'gateway') return withDevice(spec.telemetry, device);
  const message = spec[spec.cloudType as 'features' | 'raw' | 'event' | 'status' | 'reply' | 'deadletter'];
  // Edge events and gateway dead letters: the cloud sets aside its own (origin cloud, stage cloud) as not news.
  if (message.type === 'event') return { ...message, device, sensor: 'accel', origin: spec.variant % 4 === 0 ? 'cloud' : 'edge' };
  if (message.type === 'deadletter') return { ...message, stage: spec.variant % 4 === 0 ? 'cloud' : 'gateway' };
  return withDevice(message, device);
}

function withDevice(message: Message, device: string): Message {
  const out = { ...message } as Record<string, unknown>;
  if ('device' in out) out.device = device;
  if ('sensor' in out) out.sensor = 'accel';
  return out as unknown as Message;
}

function pickOther(spec: Ingredients, target: Target): Message {
  if (target === 'gateway') return spec.variant % 2 === 0 ? spec.features : spec.other;
  return spec.variant % 2 === 0 ? spec.telemetry : spec.other;
}

/** The topic a message belongs on at its target. */
function homeTopic(message: Message, target: Target): string {
  const device = 'device' in message ? message.device : 'none';
  if (target === 'gateway') return topics.telemetry(GATEWAY_SITE, device, 'accel');
  switch (message.type) {
    case 'features':
      return topics.features(CLOUD_SITE, device, 'accel');
    case 'raw':
      return topics.raw(CLOUD_SITE, device, 'accel');
    case 'event':
      return topics.event(CLOUD_SITE, device);
    case 'status':
      return topics.status(CLOUD_SITE, device);
    case 'reply':
      return topics.reply(CLOUD_SITE, device);
    default:
      return topics.deadLetter(CLOUD_SITE);
  }
}

/**
 * A topic the message does not belong on: another device's or sensor's, another kind's, another site's, outside the
 * twinbed tree, or one the broker refuses outright ($SYS, U+0000).
 */
function wrongTopic(message: Message, target: Target, variant: number): string {
  const device = 'device' in message ? message.device : 'none';
  const site = target === 'gateway' ? GATEWAY_SITE : CLOUD_SITE;
  const choices = [
    topics.telemetry(site, `${device}x`, 'accel'),
    topics.features(site, device, 'gyro'),
    topics.features(site, `${device}x`, 'accel'),
    topics.telemetry(site, device, 'gyro'),
    topics.event(site, device),
    topics.status(site, device),
    topics.cmd(site, device),
    topics.reply(site, `${device}x`),
    topics.deadLetter(site),
    topics.raw(site, device, 'accel'),
    topics.telemetry('other-site', device, 'accel'),
    `twinbed/v1/${site}/${device} x/telemetry/accel`,
    `twinbed/v1/${site}/${device}/features/a b`,
    `twinbed/v2/${site}/${device}/telemetry/accel`,
    'foo/bar',
    `twinbed/v1/${site}/${device}/telemetry/accel/extra`,
    `$SYS/${device}/telemetry`,
    `twinbed/v1/${site}/${device}\u0000/telemetry/accel`,
  ];
  return choices[variant % choices.length]!;
}

/** The message with one to three fields (chosen by index among its keys, or new ones) set to hostile values. */
function withFields(message: Message, fields: readonly { pick: number; value: unknown }[]): Record<string, unknown> {
  const out = { ...message } as Record<string, unknown>;
  const keys = [...Object.keys(message), 'extra', 'type', 'v'];
  for (const { pick, value } of fields) Object.defineProperty(out, keys[pick % keys.length]!, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/** In the codec asked for when it can hold the value, else in CBOR (which holds BigInt, Map, Date…). */
function encodeLoosely(value: unknown, codec: 'json' | 'cbor'): Uint8Array {
  if (codec === 'json') {
    try {
      return utf8.encode(JSON.stringify(value));
    } catch {
      // BigInt and the like: CBOR below.
    }
  }
  return plainCbor.encode(value);
}

/** NaN or ±Infinity where a finite number belongs: natively in CBOR, as the tokens JSON lacks, or in a packed block. */
function nonFinite(message: Message, spec: Ingredients): Uint8Array {
  const bad = [Number.NaN, Infinity, -Infinity][spec.variant % 3]!;
  const numeric = Object.entries(message).filter(([, v]) => typeof v === 'number' && v !== 1).map(([k]) => k);
  const key = numeric[spec.seed % Math.max(1, numeric.length)] ?? 'tsMs';
  switch (spec.variant % 4) {
    case 0:
      return plainCbor.encode({ ...message, [key]: bad });
    case 1:
      return utf8.encode(JSON.stringify({ ...message, [key]: 0 }).replace(`"${key}":0`, `"${key}":${['NaN', 'Infinity', '-Infinity', '1e999'][spec.seed % 4]}`));
    case 2:
      return message.type === 'telemetry' ? encodeMessage({ ...message, values: Float32Array.of(1, bad, 2) }, spec.codec) : plainCbor.encode({ ...message, [key]: bad });
    default: {
      // Deep inside: a feature, a sample, a count.
      if (message.type === 'features') return plainCbor.encode({ ...message, features: { ...message.features, rms: bad } });
      if (message.type === 'telemetry') return plainCbor.encode({ ...message, values: [0.5, bad, -0.5] });
      return plainCbor.encode({ ...message, [key]: bad });
    }
  }
}

/** A huge array: of samples (with or without one bad one), at the top, in a string field, or one CBOR only declares. */
function huge(message: Message, spec: Ingredients, length: number): Uint8Array {
  const values = Array.from({ length }, (_, i) => Math.sin(i));
  switch (spec.variant % 5) {
    case 0:
      return encodeMessage({ ...(message as Extract<Message, { type: 'telemetry' }>), values } as Message, spec.codec);
    case 1:
      values[spec.seed % length] = Number.NaN;
      return plainCbor.encode({ ...message, values });
    case 2:
      return plainCbor.encode(values);
    case 3:
      return encodeLoosely({ ...message, unit: values }, spec.codec);
    default:
      // An array header claiming 2^32 − 1 items, then a few: the decoder must not allocate what was only declared.
      return Uint8Array.from([0xa2, 0x64, ...utf8.encode('type'), 0x69, ...utf8.encode('telemetry'), 0x66, ...utf8.encode('values'), 0x9b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
  }
}
