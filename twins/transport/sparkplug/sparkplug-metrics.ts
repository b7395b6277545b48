// What a twin's Sparkplug messages carry: the node's bdSeq and rebirth control, a metric per sensor, a block per DDATA.
// Payloads leave without `seq`; it is appended as each one is written (withSeq). Platform-free.
import type { TelemetryV1 } from '../../../protocol';
import type { DeviceIdentity } from '../dialect';
import { DataType, encodePayload, floatArrayBytes, type SparkplugMetric } from './sparkplug-payload';

/** [tck-id-topics-nbirth-bdseq-included] The metric that ties an NBIRTH to the NDEATH of the same connection. */
export const BD_SEQ = 'bdSeq';
/** [tck-id-operational-behavior-data-commands-rebirth-name] The metric a host sets true in an NCMD to ask for births. */
export const NODE_REBIRTH = 'Node Control/Rebirth';
/** DCMD metrics named `Device Control/{action}` are twinbed commands. */
export const DEVICE_CONTROL = 'Device Control/';

/** Property names on a sensor's metric: its unit and rates in DBIRTH, the block's twinbed seq in DDATA. */
export const PROPERTY = { engUnit: 'engUnit', rateHz: 'rateHz', blockSamples: 'blockSamples', seq: 'seq' } as const;

type Sensor = DeviceIdentity['sensors'][number];

// [tck-id-message-flow-edge-node-birth-publish-will-message-payload-bdSeq] bdSeq is INT64 in the normative
// statements (one example in §6 says UInt64); both carry the value in long_value.
function bdSeqMetric(bdSeq: number): SparkplugMetric {
  return { name: BD_SEQ, datatype: DataType.Int64, longValue: bdSeq };
}

/** NBIRTH: bdSeq, and `Node Control/Rebirth` = false without an alias so any host can ask for a rebirth. */
export function nodeBirth(bdSeq: number, nowMs: number): Uint8Array {
  return encodePayload({
    timestamp: nowMs,
    metrics: [bdSeqMetric(bdSeq), { name: NODE_REBIRTH, datatype: DataType.Boolean, booleanValue: false }],
  });
}

/**
 * [tck-id-topics-ndeath-payload] NDEATH: only the bdSeq metric; [tck-id-topics-ndeath-seq] no seq. Sent as the will
 * and before a deliberate DISCONNECT.
 */
export function nodeDeath(bdSeq: number, nowMs: number): Uint8Array {
  return encodePayload({ timestamp: nowMs, metrics: [bdSeqMetric(bdSeq)] });
}

// Blocks are FloatArray metrics, not DataSets: 4 bytes a sample, where a one-column DataSet row costs 9.
/**
 * DBIRTH: one FloatArray metric per sensor with its name, alias (1..n in sensor order) and properties. Its value is
 * is_null (spec 3.0 §6.4 Metric: "if the is_null flag is set to true the value can be omitted"): a birth repeats no
 * block, so a consumer counting blocks never sees one twice.
 */
export function deviceBirth(sensors: readonly Sensor[], nowMs: number): Uint8Array {
  return encodePayload({
    timestamp: nowMs,
    metrics: sensors.map((s, i) => ({
      name: s.sensor,
      alias: i + 1,
      datatype: DataType.FloatArray,
      isNull: true,
      properties: {
        keys: [PROPERTY.engUnit, PROPERTY.rateHz, PROPERTY.blockSamples],
        // UInt32 in long_value, as Tahu's Java and JavaScript encoders write it (and its JavaScript decoder reads it).
        values: [
          { type: DataType.String, stringValue: s.unit },
          { type: DataType.Double, doubleValue: s.rateHz },
          { type: DataType.UInt32, longValue: s.blockSamples },
        ],
      },
    })),
  });
}

/**
 * DDATA: one block as its sensor's alias only ([tck-id-payloads-alias-data-cmd-requirement]), stamped with the
 * block's event time, with its twinbed seq as property `seq` so a consumer can deduplicate it.
 */
export function deviceData(alias: number, block: TelemetryV1, nowMs: number): Uint8Array {
  return encodePayload({
    timestamp: nowMs,
    metrics: [
      {
        alias,
        timestamp: block.tsMs,
        bytesValue: floatArrayBytes(block.values),
        properties: { keys: [PROPERTY.seq], values: [{ type: DataType.UInt64, longValue: block.seq }] },
      },
    ],
  });
}
