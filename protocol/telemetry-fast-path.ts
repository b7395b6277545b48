import { isFiniteNumber, isPlainObject, isStreamSeq, isUnit } from './features-fast-path';
import { allFinite, MIN_RATE_HZ, type TelemetryV1 } from './messages';

// Telemetry blocks are the gateway's hot path: for a packed 1,024-sample block the schema's union and object copy
// cost about as much as decoding the CBOR. This check accepts only blocks the schema accepts unchanged (packed
// Float32 values; plain arrays go to the schema) and returns the decoded object itself; anything else goes to the
// schema, which decides and names the wrong field. Keep it a subset of TelemetryV1Schema:
// test/unit/protocol/telemetry-fast-path.test.ts checks the keys agree and the subset holds.

/** The keys of TelemetryV1Schema; all required. */
export const TELEMETRY_V1_KEYS: readonly string[] = ['type', 'v', 'device', 'sensor', 'seq', 'tsMs', 'rateHz', 'unit', 'values'];
const KEYS = new Set(TELEMETRY_V1_KEYS);

/** True only when `record` is a TelemetryV1 block with packed values that the schema would accept and return unchanged. */
export function isPackedTelemetryV1(record: Record<string, unknown>): record is TelemetryV1 {
  if (!isPlainObject(record)) return false;
  let keys = 0;
  for (const key in record) {
    if (!Object.hasOwn(record, key) || !KEYS.has(key) || record[key] === undefined) return false;
    keys++;
  }
  if (keys !== KEYS.size) return false;
  const { v, device, sensor, seq, tsMs, rateHz, unit, values } = record;
  return (
    record.type === 'telemetry' &&
    v === 1 &&
    isStreamSeq(device, sensor, seq) &&
    isFiniteNumber(tsMs) &&
    isFiniteNumber(rateHz) &&
    rateHz >= MIN_RATE_HZ &&
    isUnit(unit) &&
    values instanceof Float32Array &&
    allFinite(values)
  );
}
