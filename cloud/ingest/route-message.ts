import {
  bytesToBase64,
  decodeMessage,
  DecodeError,
  parseTopic,
  type ParsedTopic,
  upcastFeatures,
  type DeadLetterV1,
  type EventV1,
  type FeaturesV2,
  type ReplyV1,
  type StatusV1,
} from '../../protocol';
import type { AlertRecord, DeadLetterRecord, FeatureRecord, RawRecord } from '../storage';

/** What one message from the cloud broker is, once decoded and checked against its topic. */
export type Routed =
  /** `stream` names the record's (device, sensor) series, computed once for dedupe and watermarks. */
  | { kind: 'features'; site: string; record: FeatureRecord; message: FeaturesV2; stream: string }
  | { kind: 'raw'; site: string; record: RawRecord; stream: string }
  /** A gateway's dead letter, stored as it came. */
  | { kind: 'deadletter'; letter: DeadLetterRecord }
  /** Rejected here: stored, and published for other consumers on the site's dead-letter topic. */
  | { kind: 'rejected'; site: string; letter: DeadLetterV1 }
  | { kind: 'event'; site: string; event: AlertRecord }
  | { kind: 'status'; site: string; status: StatusV1 }
  | { kind: 'reply'; site: string; reply: ReplyV1 }
  /** Not news: the cloud's own alerts and dead letters coming back, a malformed dead letter. */
  | { kind: 'ignored'; reason: string };

/**
 * Decodes one message and checks it belongs on its topic (a features window names the device of its topic). Pure and
 * synchronous, so a batch keeps arrival order; `nowMs` stamps when it was received and when a bad one was rejected.
 */
export function routeMessage(topic: string, payload: Uint8Array, nowMs: number): Routed {
  const where = parsedTopic(topic);
  const site = where?.site ?? 'unknown';
  const reject = (reason: string): Routed => ({
    kind: 'rejected',
    site,
    letter: { type: 'deadletter', v: 1, stage: 'cloud', topic, reason, tsMs: nowMs, payloadB64: bytesToBase64(payload) },
  });
  let message;
  try {
    message = decodeMessage(payload);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    // A dead letter we cannot read has nowhere further to go; rejecting it would loop on our own topic.
    if (where?.kind === 'deadletter') return { kind: 'ignored', reason: `malformed dead letter on ${topic}: ${error.message}` };
    return reject(error.message);
  }
  if (message.type === 'event' && message.origin !== 'edge') return { kind: 'ignored', reason: 'the cloud\'s own alert' };
  if (message.type === 'deadletter' && where?.kind === 'deadletter') {
    if (message.stage === 'cloud') return { kind: 'ignored', reason: 'the cloud\'s own dead letter' };
    const { type: _type, v: _v, ...letter } = message;
    return { kind: 'deadletter', letter };
  }
  if (!where || where.kind === 'deadletter' || where.kind === 'cmd' || !('device' in message) || where.device !== message.device) {
    return reject(`a "${message.type}" message does not belong on ${topic}`);
  }
  switch (message.type) {
    case 'features': {
      if (where.kind !== 'features' || where.sensor !== message.sensor) break;
      const v2 = upcastFeatures(message);
      // Field by field, not a rest spread: this runs for every window, and spreads cost more than the decode.
      const record: FeatureRecord = { device: v2.device, sensor: v2.sensor, seq: v2.seq, tsMs: v2.tsMs, windowMs: v2.windowMs, unit: v2.unit, features: v2.features, receivedMs: nowMs };
      if (v2.blocks !== undefined) record.blocks = v2.blocks;
      return { kind: 'features', site, record, message: v2, stream: `f\u0000${v2.device}\u0000${v2.sensor}` };
    }
    case 'raw': {
      if (where.kind !== 'raw' || where.sensor !== message.sensor) break;
      const { type: _type, v: _v, ...raw } = message;
      return { kind: 'raw', site, record: { ...raw, receivedMs: nowMs }, stream: `r\u0000${raw.device}\u0000${raw.sensor}` };
    }
    case 'event': {
      if (where.kind !== 'event') break;
      const { type: _type, v: _v, ...event } = message satisfies EventV1;
      return { kind: 'event', site, event };
    }
    case 'status':
      if (where.kind !== 'status') break;
      return { kind: 'status', site, status: message };
    case 'reply':
      if (where.kind !== 'reply') break;
      return { kind: 'reply', site, reply: message };
    default:
      break;
  }
  return reject(`a "${message.type}" message does not belong on ${topic}`);
}

/** Topics repeat (one per device sensor): parse each once. Bounded, so a flood of made-up topics cannot grow it. */
const TOPIC_CACHE = new Map<string, ParsedTopic | undefined>();
const TOPIC_CACHE_MAX = 50_000;

function parsedTopic(topic: string): ParsedTopic | undefined {
  if (TOPIC_CACHE.has(topic)) return TOPIC_CACHE.get(topic);
  if (TOPIC_CACHE.size >= TOPIC_CACHE_MAX) TOPIC_CACHE.clear();
  const parsed = parseTopic(topic);
  TOPIC_CACHE.set(topic, parsed);
  return parsed;
}
