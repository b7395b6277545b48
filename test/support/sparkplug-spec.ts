import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

// Sparkplug B payloads read and written with protobufjs and the specification's own .proto (eclipse/tahu
// sparkplug_b/sparkplug_b.proto, copied verbatim into test/fixtures), never with the sparkplug-payload package
// twinbed encodes with: a decoder independent of the encoder.

const spec = protobuf.loadSync(fileURLToPath(new URL('../fixtures/sparkplug/sparkplug_b.proto', import.meta.url)));
const PayloadType = spec.lookupType('org.eclipse.tahu.protobuf.Payload');

export interface PropertyValue {
  type?: number;
  longValue?: number;
  doubleValue?: number;
  stringValue?: string;
}

export interface Metric {
  name?: string;
  alias?: number;
  timestamp?: number;
  datatype?: number;
  isNull?: boolean;
  longValue?: number;
  booleanValue?: boolean;
  bytesValue?: Uint8Array;
  properties?: { keys?: string[]; values?: PropertyValue[] };
}

export interface Payload {
  timestamp?: number;
  seq?: number;
  metrics?: Metric[];
}

/** Decodes a Payload with the specification's schema, 64-bit integers as numbers. */
export function decodeSparkplug(bytes: Uint8Array): Payload {
  return PayloadType.toObject(PayloadType.decode(bytes), { longs: Number }) as Payload;
}

/** Encodes a Payload with the specification's schema (a host's NCMD, DCMD). */
export function encodeSparkplug(payload: object): Uint8Array {
  return PayloadType.encode(PayloadType.fromObject(payload)).finish();
}

/** A metric's property set as a record. */
export function propertiesOf(metric: Metric): Record<string, PropertyValue | undefined> {
  return Object.fromEntries((metric.properties?.keys ?? []).map((key, i) => [key, metric.properties!.values![i]]));
}
