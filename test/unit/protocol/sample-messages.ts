import { decodeMessage, DecodeError } from '../../../protocol/index';
import type { CommandV1, DeadLetterV1, EventV1, FeaturesV1, FeaturesV2, Message, StatusV1, TelemetryV1, RawBlockV1, TruthV1 } from '../../../protocol/index';

// One realistic message of every type. Values are chosen to catch lossy codecs: a fractional epoch time,
// 0.1 (not exact in float32), a negative and a large integer.

export const telemetryArray: TelemetryV1 = {
  type: 'telemetry',
  v: 1,
  device: 'pump-1',
  sensor: 'accel.x',
  seq: 41,
  tsMs: 1_700_000_000_123.25,
  rateHz: 25_600,
  unit: 'g',
  values: [0.1, -0.25, 3.141592653589793, 0, -1e-7, 12345.678],
};

export const telemetryPacked: TelemetryV1 = {
  ...telemetryArray,
  seq: 42,
  values: new Float32Array([0.5, -2.25, 1e-3, 3.4e38, -0]),
};

export const features: FeaturesV1 = {
  type: 'features',
  v: 1,
  device: 'pump-1',
  sensor: 'accel.x',
  seq: 41,
  tsMs: 1_700_000_000_123.25,
  windowMs: 40,
  unit: 'g',
  features: { rms: 0.7071, peak: 1, crest: 1.4142, kurtosis: 3.02, bpfoAmpl: 0.013 },
};

/** A window as a gateway sends it: where it was computed and what its anomaly model scored. */
export const featuresV2: FeaturesV2 = {
  ...features,
  v: 2,
  seq: 42,
  blocks: 2,
  gateway: 'gw-1',
  model: { version: '2026-01-15.1', score: 0.1, threshold: 4.5 },
};

export const alertEvent: EventV1 = {
  type: 'event',
  v: 1,
  device: 'pump-1',
  sensor: 'accel.x',
  tsMs: 1_700_000_000_200,
  kind: 'alert',
  rule: 'rms-high',
  state: 'raised',
  severity: 'critical',
  value: 7.4,
  threshold: 4.5,
  message: 'RMS 7.4 g above 4.5 g for 3 windows',
};

export const status: StatusV1 = {
  type: 'status',
  v: 1,
  device: 'gw_01',
  tsMs: 1_700_000_000_000,
  state: 'online',
  counters: { published: 2 ** 40, dropped: 0, lagMs: -3, ratio: 0.1 },
};

export const command: CommandV1 = {
  type: 'cmd',
  v: 1,
  device: 'pump-1',
  tsMs: 1_700_000_001_000,
  id: 'c-0001',
  action: 'set-speed',
  args: { speedRpm: 1480, ramp: { ms: 500, shape: 'linear' }, tags: ['a', 'b'], dryRun: false, note: null },
};

export const deadLetter: DeadLetterV1 = {
  type: 'deadletter',
  v: 1,
  stage: 'gateway',
  topic: 'twinbed/v1/site-a/pump-1/telemetry/accel.x',
  reason: 'seq: Too small: expected number to be >=0',
  tsMs: 1_700_000_002_000,
  payloadB64: 'eyJ0eXBlIjoidGVsZW1ldHJ5In0=',
};

export const truth: TruthV1 = {
  type: 'truth',
  v: 1,
  device: 'pump-1',
  tsMs: 1_700_000_003_000,
  faults: [
    { fault: 'bearing', component: 'outer', severity: 0.4 },
    { fault: 'drift', sensor: 'bearing-temp', severity: 1 },
  ],
};

export const rawBlock: RawBlockV1 = {
  type: 'raw',
  v: 1,
  device: 'pump-1',
  sensor: 'accel',
  seq: 4200,
  tsMs: 1_700_000_004_000.5,
  rateHz: 25_600,
  unit: 'g',
  samples: 3,
  encoding: 'delta-f32',
  data: new Uint8Array([1, 2, 3, 4, 250, 251, 252, 253, 0, 0, 0, 0]),
};

export const sampleMessages: ReadonlyArray<readonly [string, Message]> = [
  ['telemetry with number[] values', telemetryArray],
  ['telemetry with packed Float32Array values', telemetryPacked],
  ['features', features],
  ['features v2 with a model score', featuresV2],
  ['event', alertEvent],
  ['status', status],
  ['cmd', command],
  ['deadletter', deadLetter],
  ['truth', truth],
  ['raw', rawBlock],
];

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const jsonBytes = (value: unknown): Uint8Array => utf8(JSON.stringify(value));

/** The DecodeError that decoding `payload` throws; fails if it decodes or throws anything else. */
export function decodeErrorOf(payload: Uint8Array): DecodeError {
  try {
    decodeMessage(payload);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError, but the payload decoded');
}
