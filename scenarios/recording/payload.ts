import { base64ToBytes, bytesToBase64, DecodeError, decodeMessage, encodeMessage, TwinbedError, type Message, type TelemetryV1 } from '../../protocol';
import { envelopeSchema, type ChannelInfo, type Wire } from './layout';

// A payload as it crossed the wire ⇄ a message as MCAP stores it (JSON that Foxglove reads). Platform-free.

/** A recording that cannot be read or used: names the file and says what to do. */
export class RecordingError extends TwinbedError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** What the wire form of a payload was, and its recorded JSON. */
export interface RecordedPayload {
  info: Pick<ChannelInfo, 'wire' | 'codec' | 'packed' | 'type' | 'v' | 'device' | 'sensor'>;
  /** The MCAP message data: UTF-8 JSON of an object. */
  data: Uint8Array;
  /** The event time the message carries, ms since the epoch, when it carries one. */
  eventMs?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A payload off the wire, as the recording stores it. Never throws: what is not JSON is kept as base64. */
export function recordPayload(payload: Uint8Array): RecordedPayload {
  let message: Message | undefined;
  try {
    message = decodeMessage(payload);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
  }
  if (message) {
    const info: RecordedPayload['info'] = {
      wire: 'twinbed',
      codec: firstByte(payload) === 0x7b ? 'json' : 'cbor',
      type: message.type,
      v: message.v,
      ...('device' in message ? { device: message.device } : {}),
      ...('sensor' in message && message.sensor !== undefined ? { sensor: message.sensor } : {}),
      ...(message.type === 'telemetry' && message.values instanceof Float32Array ? { packed: true } : {}),
    };
    return { info, data: encoder.encode(envelopeJson(message)), ...('tsMs' in message ? { eventMs: message.tsMs } : {}) };
  }
  if (firstByte(payload) === 0x7b) {
    try {
      const parsed: unknown = JSON.parse(decoder.decode(payload));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return { info: { wire: 'json' }, data: payload.slice() };
    } catch {
      // not JSON after all: kept as bytes below
    }
  }
  return { info: { wire: 'opaque' }, data: encoder.encode(JSON.stringify({ payloadB64: bytesToBase64(payload) })) };
}

/**
 * The JSON of an envelope: a packed Float32 block becomes a number array (each float32 exactly, as a double), and
 * bytes (a raw block's data, a signed body) base64, as the protocol's JSON codec writes them.
 */
export function envelopeJson(message: Message): string {
  if (message.type === 'telemetry') {
    // Built by hand: a replacer would be called for each of the thousands of samples.
    const { values, ...head } = message;
    const text = JSON.stringify(head);
    return `${text.slice(0, -1)},"values":${numbersJson(values)}}`;
  }
  return JSON.stringify(message, (_key, value: unknown) => (value instanceof Uint8Array ? bytesToBase64(value) : value));
}

/**
 * A number array as JSON, every value exactly: a float32 as the double it equals, and −0 as `-0` (JSON.stringify
 * writes `0`, and a sensor's quantizer does produce −0, whose bits differ).
 */
export function numbersJson(values: ArrayLike<number>): string {
  const array = Array.from(values);
  if (!array.some(isNegativeZero)) return JSON.stringify(array);
  return `[${array.map((v) => (isNegativeZero(v) ? '-0' : JSON.stringify(v))).join(',')}]`;
}

function isNegativeZero(value: number): boolean {
  return value === 0 && 1 / value < 0;
}

/** A recorded twinbed envelope back as the message it was, validated against its protocol schema. */
export function recordedMessage(info: Pick<ChannelInfo, 'wire' | 'packed' | 'type'>, data: Uint8Array, where: string): Message {
  if (info.wire !== 'twinbed' || !info.type) throw new RecordingError('E_RECORDING_FORMAT', `${where}: not a twinbed envelope (wire ${info.wire})`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(decoder.decode(data)) as Record<string, unknown>;
  } catch (cause) {
    throw new RecordingError('E_RECORDING_FORMAT', `${where}: the message is not JSON (${(cause as Error).message}); the file is damaged`, { cause });
  }
  if (raw.type === 'telemetry') raw = telemetryInOrder(raw, info.packed === true);
  for (const key of ['data', 'body']) if (typeof raw[key] === 'string' && (raw.type === 'raw' || raw.type === 'signed')) raw[key] = base64ToBytes(raw[key]);
  // The message's own version picks its schema: a channel of features may hold v1 and v2 windows.
  const parsed = envelopeSchema(info.type, raw.v).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RecordingError('E_RECORDING_FORMAT', `${where}: not a valid ${info.type} message (${issue.path.join('.')}: ${issue.message}); the file is damaged`);
  }
  return parsed.data as Message;
}

/**
 * A telemetry block with its keys in the order twins write them (`telemetryOf`): re-encoded, it gives the bytes it
 * was published as, whatever order the JSON had.
 */
function telemetryInOrder(raw: Record<string, unknown>, packed: boolean): Record<string, unknown> {
  const values = raw.values;
  return {
    type: raw.type,
    v: raw.v,
    device: raw.device,
    sensor: raw.sensor,
    seq: raw.seq,
    tsMs: raw.tsMs,
    rateHz: raw.rateHz,
    unit: raw.unit,
    values: packed && Array.isArray(values) ? Float32Array.from(values as number[]) : values,
  };
}

/** The bytes to publish for a recorded message: the envelope in its codec, a JSON object as is, or the bytes kept. */
export function wirePayload(info: Pick<ChannelInfo, 'wire' | 'codec' | 'packed' | 'type'>, data: Uint8Array, where: string): Uint8Array {
  return wireOf(info.wire, () => encodeMessage(recordedMessage(info, data, where), info.codec ?? 'cbor'), data, where);
}

function wireOf(wire: Wire, envelope: () => Uint8Array, data: Uint8Array, where: string): Uint8Array {
  switch (wire) {
    case 'twinbed':
      return envelope();
    case 'json':
      return data;
    case 'opaque': {
      const parsed = JSON.parse(decoder.decode(data)) as { payloadB64?: unknown };
      if (typeof parsed.payloadB64 !== 'string') throw new RecordingError('E_RECORDING_FORMAT', `${where}: an opaque message without payloadB64; the file is damaged`);
      return base64ToBytes(parsed.payloadB64);
    }
  }
}

/** A telemetry message, or undefined for anything else. */
export function asTelemetry(message: Message): TelemetryV1 | undefined {
  return message.type === 'telemetry' ? message : undefined;
}

/** The first byte after whitespace and a UTF-8 BOM: `{` (0x7b) starts a JSON object. */
function firstByte(payload: Uint8Array): number | undefined {
  let i = payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf ? 3 : 0;
  while (i < payload.length && (payload[i] === 0x20 || payload[i] === 0x09 || payload[i] === 0x0a || payload[i] === 0x0d)) i++;
  return payload[i];
}
