import type { RolloutV1 } from '../../protocol';
import type { LatencySummary } from '../../sim';
import type { DeviceStats } from '../../twins';
import type { Expectation, Scenario } from '../schema';
import type { Coverage, ObservedAlert, StoredCount } from '../target';
import type { HistogramLike } from '../thresholds/distribution';

export interface ExpectationResult {
  name: string;
  /** The expectation's type, or `threshold` for one condition of the scenario's `thresholds:`. */
  type: Expectation['type'] | 'threshold';
  passed: boolean;
  /** What was measured, in words and figures: why it passed or failed. */
  detail: string;
  /** The target does not judge it, and why; `passed` is false and the run does not fail on it. */
  skipped?: string;
  /**
   * A threshold on a wall-clock metric (puback_ms, connect_ms, action_latency_ms): its figure and verdict depend on
   * the machine, so two runs of one seed may differ here as they do under `wall`.
   */
  wallClock?: true;
}

/** A command a twin received from the system under test. */
export interface ReceivedCommandEvidence {
  device: string;
  action: string;
  args?: Record<string, unknown>;
  /** Run seconds at which the twin received it. */
  atS: number;
}

/** A reply a device or gateway sent to a command, as observed. */
export interface ReplyEvidence {
  device: string;
  action: string;
  ok: boolean;
  /** A refusal's code, e.g. `E_MODEL_SIGNATURE`. */
  code?: string;
  /** A refusal's text. */
  error?: string;
  /** Event time, ms since the Unix epoch. */
  tsMs: number;
  /** Run seconds of tsMs. */
  atS: number;
}

/** One status of a staged model rollout as the cloud published it, with its event time (`tsMs`) in run seconds. */
export type RolloutStatusEvidence = RolloutV1 & { atS: number };

/** What one simulated link did over the run (the scenario's `links:`). */
export interface LinkEvidence {
  sent: number;
  delivered: number;
  lostQos0: number;
  retransmittedQos1: number;
  duplicated: number;
  /** Messages the link still held, carried or was to resend when the run ended: never delivered. */
  owed: number;
  /** The one-way delay each message drew, simulated ms. */
  latencyMs: HistogramLike;
}

/** Everything observed in a run that expectations are judged on: the same for every target. */
export interface RunEvidence {
  scenario: Scenario;
  startMs: number;
  /** Every alert state change the system published, as observed, in event-time order. */
  alerts: readonly ObservedAlert[];
  /** What the twins published, per device. */
  published: readonly DeviceStats[];
  /** What the system stored, per (device, sensor), from its store query. */
  stored?: readonly StoredCount[];
  /** What the system passed on upstream, per (device, sensor), from the observed readings; judged when there is no store. */
  delivered?: readonly Coverage[];
  /** Copies of readings the system passed on more than once (a deduplicating store drops them). */
  duplicatesDropped: number;
  /** Highest value of each feature per `device/sensor`, to explain a missing alert. */
  peaks: ReadonlyMap<string, Record<string, number>>;
  /** Commands the twins received from the system under test, in arrival order (the scenario's steps are not among them). */
  commands: readonly ReceivedCommandEvidence[];
  /** Replies to commands the system published (a gateway's to the cloud's model commands), in arrival order. */
  replies: readonly ReplyEvidence[];
  /** Every status of each staged model rollout the cloud published, by rollout id, in arrival order. */
  rollouts: ReadonlyMap<string, readonly RolloutStatusEvidence[]>;
  /** The simulated links, by name, when the scenario impairs any. */
  links?: Readonly<Record<string, LinkEvidence>>;
  /** Payload bytes: published by the twins, observed from the system; the embedded gateway's own in and out. */
  bytes?: { published: number; observed: number; edge?: { in: number; out: number } };
  /** Wall-clock figures thresholds may read: the twins' connections and PUBACKs, the embedded gateway's action latency. */
  wall?: { connectMs: LatencySummary; pubackMs: LatencySummary; actionLatency?: { count: number; p50Ms: number; p99Ms: number } };
}
