import { z } from 'zod';
import { MESSAGE_SCHEMAS, TelemetryV1Schema, type MessageType } from '../../protocol';

// The MCAP layout of a twinbed recording, in one place: profile, schemas, channel and file metadata. Platform-free.

/** MCAP header profile of every twinbed recording; a file with another profile is refused. */
export const PROFILE = 'twinbed';
/** Written as the header's library, with the version. */
export const LIBRARY = 'twinbed 0.1.0';

/** Why a message was recorded: what it is in the run. `device` and `observed` are messages twinbed cannot name. */
export type Role = 'telemetry' | 'truth' | 'command' | 'features' | 'alert' | 'device' | 'observed';

/** Roles a replay may publish: the devices' own messages. */
export const DEVICE_ROLES: ReadonlySet<Role> = new Set(['telemetry', 'truth', 'device']);

/**
 * How the payload was written on the wire, so a replay can send the same bytes again:
 * - `twinbed`: a twinbed envelope (`codec` cbor or json), recorded as its JSON form;
 * - `json`: a JSON object from a system that is not twinbed, recorded byte for byte;
 * - `opaque`: anything else (Sparkplug protobuf, text), recorded as `{ "payloadB64": … }`.
 */
export type Wire = 'twinbed' | 'json' | 'opaque';

/** What a channel's metadata says, beyond its topic. */
export interface ChannelInfo {
  role: Role;
  wire: Wire;
  /** For `twinbed`: the envelope's codec on the wire. */
  codec?: 'cbor' | 'json';
  /** For telemetry: the values travelled as a packed Float32 block (replayed as one), not a number array. */
  packed?: boolean;
  /** The message type, for `twinbed`. */
  type?: MessageType;
  /** The envelope's schema version, for `twinbed`. Absent (recordings made before features v2): 1. */
  v?: number;
  device?: string;
  sensor?: string;
  /** QoS and retain flag of the first message seen on the channel. */
  qos: 0 | 1 | 2;
  retain: boolean;
}

/** Channel metadata keys (MCAP channel metadata is a string map). */
const KEYS = ['role', 'wire', 'codec', 'packed', 'type', 'v', 'device', 'sensor', 'qos', 'retain'] as const;

export function channelMetadata(info: ChannelInfo): Map<string, string> {
  const map = new Map<string, string>();
  for (const key of KEYS) {
    const value = info[key];
    if (value !== undefined) map.set(key, String(value));
  }
  return map;
}

const ROLES: readonly Role[] = ['telemetry', 'truth', 'command', 'features', 'alert', 'device', 'observed'];
const WIRES: readonly Wire[] = ['twinbed', 'json', 'opaque'];

/** Reads channel metadata back; undefined when it is not a twinbed channel. */
export function parseChannelMetadata(metadata: ReadonlyMap<string, string>): ChannelInfo | undefined {
  const role = metadata.get('role') as Role | undefined;
  const wire = metadata.get('wire') as Wire | undefined;
  if (!role || !ROLES.includes(role) || !wire || !WIRES.includes(wire)) return undefined;
  const codec = metadata.get('codec');
  const type = metadata.get('type');
  const qos = Number(metadata.get('qos') ?? 1);
  return {
    role,
    wire,
    ...(codec === 'cbor' || codec === 'json' ? { codec } : {}),
    ...(metadata.get('packed') === 'true' ? { packed: true } : {}),
    ...(type && Object.hasOwn(MESSAGE_SCHEMAS, type) ? { type: type as MessageType } : {}),
    ...(metadata.has('v') && Number.isInteger(Number(metadata.get('v'))) ? { v: Number(metadata.get('v')) } : {}),
    ...(metadata.has('device') ? { device: metadata.get('device')! } : {}),
    ...(metadata.has('sensor') ? { sensor: metadata.get('sensor')! } : {}),
    qos: qos === 0 || qos === 2 ? qos : 1,
    retain: metadata.get('retain') === 'true',
  };
}

/** A JSON Schema an MCAP reader (Foxglove) shows the messages with: always of `"type": "object"`. */
export interface RecordingSchema {
  name: string;
  data: object;
}

/** The JSON form of a telemetry block: values as a plain number array (a packed block is unpacked when recorded). */
export const RecordedTelemetrySchema = TelemetryV1Schema.extend({ values: z.array(z.number()) });

const JSON_SCHEMA_OPTIONS = { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' } as const;

const schemaCache = new Map<string, RecordingSchema>();

/** The schema of a channel: from the protocol's zod schema for twinbed envelopes, generic otherwise. */
export function schemaFor(info: Pick<ChannelInfo, 'wire' | 'type' | 'v'>): RecordingSchema {
  const name = info.wire === 'twinbed' && info.type ? `twinbed.${info.type}.v${versionOf(info)}` : info.wire === 'json' ? 'json.object' : 'twinbed.opaque';
  let schema = schemaCache.get(name);
  if (!schema) {
    schemaCache.set(name, (schema = { name, data: jsonSchemaOf(info) }));
  }
  return schema;
}

/** The protocol schema of a twinbed envelope of `type` at version `v` (1 when absent or unknown to this build). */
export function envelopeSchema(type: MessageType, v: unknown): z.ZodType {
  const versions = MESSAGE_SCHEMAS[type] as Record<number, z.ZodType>;
  return (typeof v === 'number' && Object.hasOwn(versions, v) ? versions[v] : undefined) ?? versions[1]!;
}

function versionOf(info: Pick<ChannelInfo, 'type' | 'v'>): number {
  return info.type && info.v !== undefined && Object.hasOwn(MESSAGE_SCHEMAS[info.type], info.v) ? info.v : 1;
}

function jsonSchemaOf(info: Pick<ChannelInfo, 'wire' | 'type' | 'v'>): object {
  if (info.wire === 'twinbed' && info.type) {
    const v = versionOf(info);
    const zodSchema = info.type === 'telemetry' ? RecordedTelemetrySchema : envelopeSchema(info.type, v);
    return { title: `twinbed ${info.type} v${v}`, ...z.toJSONSchema(zodSchema, JSON_SCHEMA_OPTIONS) };
  }
  if (info.wire === 'json') return { title: 'a JSON object as the system published it', type: 'object' };
  return {
    title: 'a payload that is not JSON, as the system published it',
    type: 'object',
    properties: { payloadB64: { type: 'string', contentEncoding: 'base64', description: 'The payload bytes, base64.' } },
    required: ['payloadB64'],
    additionalProperties: false,
  };
}

/** Names of the MCAP metadata records a recording carries. */
export const METADATA = {
  /** What made the recording: `kind` run | live | import, and its figures (scenario name, seed, target, times). */
  recording: 'twinbed.recording',
  /** The scenario's YAML text (`yaml`) and file (`file`), so the recording can be judged later. */
  scenario: 'twinbed.scenario',
  /** The target the run or recording was aimed at: `name`, `kind`, and its config as JSON with secrets left out. */
  target: 'twinbed.target',
  /** At the end of a run: what the twins published, per device and sensor, and the telemetry's sha256. */
  published: 'twinbed.published',
} as const;

/** ms since the epoch → MCAP time (ns, bigint). Fractions of a ms are kept to the ns. */
export function toNs(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** MCAP time (ns) → ms since the epoch. */
export function toMs(ns: bigint): number {
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
}
