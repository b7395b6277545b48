import { LatencyHistogram, type LatencySummary } from '../../sim';

/** What a fleet's connections did, for reports, progress lines and /metrics. */
export interface TransportSummary {
  /** CONNECTs sent, reconnects included. */
  connectAttempts: number;
  /** CONNACKs that accepted the connection. */
  connectsEstablished: number;
  /** Devices connected now. */
  connectedNow: number;
  /** Connections that closed after being established. */
  disconnects: number;
  /** CONNECT to CONNACK, wall ms. */
  connectMs: LatencySummary;
  /** Messages written (readings, births, deaths), and how many the broker acknowledged (QoS 1) or took (QoS 0). */
  messages: number;
  acked: number;
  failed: number;
  /** Payload bytes written. */
  bytes: number;
  /** PUBLISH to PUBACK of QoS 1 messages, wall ms. */
  pubackMs: LatencySummary;
  /** Errors by reason: refused CONNACKs and PUBACKs with their MQTT reason codes, socket errors by code. */
  errors: Record<string, number>;
  /** MQTT 5 PUBACK reason codes that were not failures (e.g. 0x10 No matching subscribers). */
  pubackReasons: Record<string, number>;
}

/** Counters and histograms shared by every session of a fleet: one 43 KB histogram per fleet, not per device. */
export class TransportStats {
  connectAttempts = 0;
  connectsEstablished = 0;
  connectedNow = 0;
  disconnects = 0;
  messages = 0;
  acked = 0;
  failed = 0;
  bytes = 0;
  readonly connectMs = new LatencyHistogram();
  readonly pubackMs = new LatencyHistogram();
  readonly #errors = new Map<string, number>();
  readonly #pubackReasons = new Map<string, number>();

  error(reason: string): void {
    this.#errors.set(reason, (this.#errors.get(reason) ?? 0) + 1);
  }

  pubackReason(reason: string): void {
    this.#pubackReasons.set(reason, (this.#pubackReasons.get(reason) ?? 0) + 1);
  }

  summary(): TransportSummary {
    return {
      connectAttempts: this.connectAttempts,
      connectsEstablished: this.connectsEstablished,
      connectedNow: this.connectedNow,
      disconnects: this.disconnects,
      connectMs: this.connectMs.summary(),
      messages: this.messages,
      acked: this.acked,
      failed: this.failed,
      bytes: this.bytes,
      pubackMs: this.pubackMs.summary(),
      errors: Object.fromEntries(this.#errors),
      pubackReasons: Object.fromEntries(this.#pubackReasons),
    };
  }
}

/** `0x87 Not authorized`: a reason code as reports show it. */
export function reasonName(code: number, names: Readonly<Record<number, string>>): string {
  return `0x${code.toString(16).padStart(2, '0')} ${names[code] ?? 'unknown reason'}`;
}
