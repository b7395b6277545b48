import type { TransportSummary } from '../../twins';

/** What one device sent in a load run. */
export interface DeviceLoad {
  /** MQTT messages its readings made (a flat-json `per: sample` reading is one message per sample). */
  messages: number;
  /** Readings (blocks) published, acknowledged in full, and failed. */
  readings: number;
  readingsAcked: number;
  readingsFailed: number;
  /** Payload bytes of its readings. */
  bytes: number;
  /** SHA-256 over the topic and payload of every message it sent, in order: equal hashes, equal telemetry. */
  sha256: string;
}

/** The report of `twinbed twins`: what the fleet did to the target's device broker. */
export interface FleetLoadReport {
  scenario: string;
  file?: string;
  seed: string | number;
  /** The target file, and its device broker (credentials left out). */
  target: string;
  url: string;
  scale: number;
  shard: { index: number; total: number; from: number; to: number };
  /** Devices in the whole scaled fleet, and in this shard. */
  devices: { total: number; inShard: number };
  durationS: number;
  timeScale: number | 'max';
  /** Wall clock at the start, ISO 8601, for lining shards up. */
  startedAt: string;
  /** Why the run ended before durationS (a signal), if it did. */
  stoppedEarly?: string;
  /** Wall seconds connecting, then publishing (first block to the last acknowledgement). */
  connectWallS: number;
  publishWallS: number;
  connections: {
    /** CONNECTs sent, reconnects included. */
    attempted: number;
    /** CONNACKs that accepted a connection, reconnects included. */
    established: number;
    /** Devices that connected at the start, and devices that never did (run without them). */
    devicesConnected: number;
    devicesFailed: number;
    disconnects: number;
    connectP50Ms: number;
    connectP99Ms: number;
    /** Devices that never connected and why. */
    failed: { device: string; reason: string }[];
  };
  messages: {
    /** Messages the shard's readings make over durationS, every device counted (connected or not). */
    intended: number;
    /** Messages of the readings sent, and of those the sensors dropped (dropout faults): they add up to intended when every device ran to the end. */
    readings: number;
    dropped: number;
    /** Every message written (readings, plus births and deaths in Sparkplug), acknowledged (QoS 1 PUBACK, or written at QoS 0), failed, and neither by the end. */
    sent: number;
    acked: number;
    failed: number;
    unacknowledged: number;
    /** intended ÷ durationS in real time (× timeScale), messages/s. */
    intendedPerS: number;
    /** acked ÷ publishWallS, messages/s. */
    achievedPerS: number;
  };
  pubackMs: { count: number; p50: number; p99: number; max: number };
  /** Errors by reason: refused CONNACKs, socket errors, PUBACK reason codes, readings left unsent. */
  errors: Record<string, number>;
  /** Payload bytes written. */
  bytes: number;
  /**
   * This process, to tell whether the load generator itself kept up: CPU seconds from connecting to the last
   * acknowledgement, and of them while publishing; RSS in MB before the fleet, at its lowest while publishing (each
   * second; about the live footprint, once garbage is collected) and at its peak (what to provision).
   */
  process: { cpuS: number; publishCpuS: number; rssBeforeMb: number; rssLowMb: number; rssPeakMb: number };
  /** SHA-256 over every device's sha256, in id order: equal when two runs (or all shards together) sent the same. */
  telemetrySha256: string;
  perDevice: Record<string, DeviceLoad>;
}

/** The figures a progress line and /metrics show while a load runs. */
export interface LoadSnapshot {
  phase: 'connecting' | 'running' | 'draining' | 'done';
  devices: number;
  /** Devices that failed to connect so far (known once connecting ends). */
  devicesFailed: number;
  simulatedS: number;
  durationS: number;
  /** Wall seconds since publishing began; 0 while connecting. */
  publishWallS: number;
  intendedPerS: number;
  transport: TransportSummary;
}

/** What kept a load from landing in full (every device connected, every intended message sent and acknowledged); empty when it did. */
export function loadShortfalls(report: FleetLoadReport): string[] {
  const { connections: c, messages: m } = report;
  const out: string[] = [];
  if (c.devicesFailed) out.push(`${c.devicesFailed} of ${report.devices.inShard} devices never connected`);
  if (m.readings + m.dropped < m.intended) out.push(`${m.intended - m.readings - m.dropped} of ${m.intended} intended messages were not sent`);
  if (m.failed) out.push(`${m.failed} messages failed`);
  if (m.unacknowledged) out.push(`${m.unacknowledged} messages were never acknowledged`);
  return out;
}
