import {
  AlertEngine,
  bytesToBase64,
  decodeMessage,
  DecodeError,
  encodeMessage,
  topics,
  type CommandV1,
  type DeadLetterV1,
  type EventV1,
  type FeaturesV1,
  type FeaturesV2,
  type TelemetryV1,
  type ThresholdRule,
  upcastFeatures,
} from '../protocol';
import type { Clock } from '../sim';
import type { IngestResult, IngestRoute } from './device-auth';
import { encodeRawBlock, pipelineFor, RawRing, Resequencer, restartGapBlocks, SensorPipeline, type GzipCodec, type PipelineConfig, type PipelineOutput } from './dsp';
import type { ActionConfig } from './edge-config';
import type { AnomalyDetector, DetectorVerdict } from './model';
import { IntegrityError, type GatewaySecurity } from './security';
import { PRIORITY, type HandOver, type OutboxInput } from './store';

/** The log calls the processor makes (a pino Logger fits; the edge worker collects them for the gateway's logger). */
export interface EdgeLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** A command the gateway decided to send a device, with when it decided (for detection-to-command latency). */
export interface LocalCommand {
  device: string;
  command: CommandV1;
  /** Wall-clock ms (monotonic) when the triggering window was processed. */
  detectedWallMs: number;
}

/** What one device payload produced. */
export interface Processed extends HandOver {
  result: IngestResult;
  commands: LocalCommand[];
  /** The stream the payload belongs to, once it decoded. */
  stream?: { device: string; sensor: string };
}

/** A model score as long as CBOR can make one: the bound on the bytes a scored record adds. */
const LONGEST_SCORE = { version: 'v'.repeat(128), score: Math.PI, threshold: Math.PI } as const;

export interface EdgeProcessorOptions {
  site: string;
  /** The gateway's id, stamped on every features window it emits as `gateway`. */
  gateway: string;
  pipelines: readonly PipelineConfig[];
  rules: readonly ThresholdRule[];
  actions: readonly ActionConfig[];
  /** The anomaly detector and the sensors it scores; absent: no model. */
  anomaly?: { detector: AnomalyDetector; sensors: readonly string[] };
  security?: GatewaySecurity;
  /** Event time of dead letters. */
  clock: Pick<Clock, 'now'>;
  /** Monotonic wall clock, ms, for latency measurements only. */
  wallMs: () => number;
  gzip: GzipCodec;
  log: EdgeLog;
  /** Told about each dead letter (for counters and metrics). */
  onDeadLetter: (letter: DeadLetterV1) => void;
  /** Told how long each anomaly model run took, ms (for metrics). */
  onInference?: (ms: number) => void;
  /** Event-time ms a block after a gap is held for the missing one before windows go on without it. Default 2000. */
  reorderHoldMs?: number;
  /** Told when a silent stream's open windows went up (`window.idleFlushS`). */
  onIdleFlush?: (stream: { device: string; sensor: string }) => void;
}

/** A decoded device block with what it arrived as, kept while the resequencer holds it. */
interface Arrival {
  seq: number;
  tsMs: number;
  telemetry: TelemetryV1;
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  inboxId: number | undefined;
}

interface Stream {
  /** Puts blocks back in seq order before the pipeline: a resent QoS 1 block comes after its successors. */
  order: Resequencer<Arrival>;
  pipeline: SensorPipeline;
  ring: RawRing | undefined;
  /** Inbox ids of blocks not yet released, by seq. */
  held: Map<number, number>;
  /** Raw blocks after an event are uplinked until this event time. */
  rawUntilMs: number;
  /** A cloud request for raw data, s: applied at the stream's next block, whose event time it counts from. */
  rawRequestS: number | undefined;
  /** Event time at the end of its newest block, ms. */
  lastEndMs: number;
  /** Its open windows went up for silence, and no block came since. */
  idleFlushed: boolean;
}

/** Event-time ms between scans for silent streams. */
const IDLE_SCAN_MS = 1000;

/** What a `raw.request` command asks for: raw blocks of a device (one sensor or all) for the next `seconds`. */
export interface RawRequest {
  device: string;
  sensor?: string | undefined;
  seconds: number;
}

/**
 * Everything the edge does with one device payload, protocol-free: verify and decode it, run its sensor's
 * pipeline, judge the windows (local rules, the anomaly model), decide local actions, pick raw blocks to uplink
 * around events, and say which durable inbox rows can now be released. The gateway feeds it from the inbox pump
 * (or straight from HTTP/CoAP) and sends what it returns.
 */
export class EdgeProcessor {
  readonly #o: EdgeProcessorOptions;
  readonly #rules: AlertEngine;
  readonly #streams = new Map<string, Stream>();
  /** Per device: a command's id must not depend on how other devices' readings interleaved with its own. */
  readonly #commandSeq = new Map<string, number>();
  /** Event time of the newest reading processed, from any stream, ms: the clock silence is measured on. */
  #watermarkMs = -Infinity;
  #nextIdleScanMs = -Infinity;

  constructor(options: EdgeProcessorOptions) {
    this.#o = options;
    this.#rules = new AlertEngine(options.rules);
  }

  /** Processes one payload; `inboxId` is its durable inbox row, released once its window is queued. */
  async process(payload: Buffer, route: IngestRoute, qos: 0 | 1 | 2, inboxId?: number): Promise<Processed> {
    const site = this.#o.site;
    let topic = 'topic' in route ? route.topic : topics.telemetry(site, route.device ?? 'unknown', 'unknown');
    let telemetry: TelemetryV1;
    try {
      const decoded = decodeMessage(payload);
      // A signed envelope is checked (MAC, replay window) and unwrapped; devices that must sign cannot skip it.
      const message = this.#o.security ? this.#o.security.verifier.verify(decoded) : decoded;
      if (message.type !== 'telemetry') throw new DecodeError('type', `expected "telemetry", got "${message.type}"`);
      telemetry = message;
      if ('topic' in route) {
        if (topic !== topics.telemetry(site, telemetry.device, telemetry.sensor)) {
          throw new DecodeError('device', `payload names ${telemetry.device}/${telemetry.sensor} but arrived on ${topic}`);
        }
      } else {
        topic = topics.telemetry(site, telemetry.device, telemetry.sensor);
        if (route.device !== undefined && route.device !== telemetry.device) {
          throw new DecodeError('device', `authenticated as ${route.device} over ${route.via} but the envelope names ${telemetry.device}`);
        }
      }
    } catch (error) {
      return this.#rejected(topic, payload, error, inboxId);
    }

    const key = `${telemetry.device}/${telemetry.sensor}`;
    let stream = this.#streams.get(key);
    if (!stream) {
      const config = pipelineFor(this.#o.pipelines, telemetry.sensor, telemetry);
      const raw = config.rawUplink;
      const scored = this.#o.anomaly?.sensors.includes(telemetry.sensor) ?? false;
      const pipeline = new SensorPipeline(config, { device: telemetry.device, sensor: telemetry.sensor }, { uplink: { recordBytes: (record) => this.#recordBytes(record, scored) } });
      stream = {
        order: new Resequencer<Arrival>(this.#o.reorderHoldMs ?? 2000, () => restartGapBlocks(pipeline.windowBlocks)),
        pipeline,
        ring: raw && raw.mode !== 'never' ? new RawRing(raw.preS) : undefined,
        held: new Map(),
        rawUntilMs: -Infinity,
        rawRequestS: undefined,
        lastEndMs: -Infinity,
        idleFlushed: false,
      };
      this.#streams.set(key, stream);
    }
    const processed: Processed = { result: { accepted: true }, enqueue: [], release: [], commands: [], stream: { device: telemetry.device, sensor: telemetry.sensor } };
    const arrival: Arrival = { seq: telemetry.seq, tsMs: telemetry.tsMs, telemetry, topic, payload, qos: qos === 0 ? 0 : 1, inboxId };
    const { ready, gaveUp, refused } = stream.order.push(arrival);
    if (refused) {
      if (refused.block.inboxId !== undefined) processed.release.push(refused.block.inboxId);
      if (refused.kind === 'late') {
        // Its window went out without it: say so with the block, never drop it silently.
        const reason = `${key} seq ${telemetry.seq} arrived after the gateway stopped waiting for it (${stream.order.holdMs} ms of event time past the gap); its window went out without it`;
        processed.enqueue.push(this.#deadLetter(topic, payload, reason));
        processed.result = { accepted: false, reason };
      }
    }
    if (gaveUp.length) this.#o.log.warn({ device: telemetry.device, sensor: telemetry.sensor, seqs: gaveUp.length, from: gaveUp[0] }, 'gave up waiting for missing blocks');
    for (const block of ready) await this.#feed(stream, block, processed);
    await this.#flushSilent(processed);
    return processed;
  }

  /**
   * Streams with `window.idleFlushS` that have been silent that long in event time send their open windows, as at
   * a drain. Event time, not the clock: a run faster than real time must not find a stream silent whose readings are
   * merely not processed yet. Scanned once per event-time second.
   */
  async #flushSilent(into: Processed): Promise<void> {
    if (this.#watermarkMs < this.#nextIdleScanMs) return;
    this.#nextIdleScanMs = this.#watermarkMs + IDLE_SCAN_MS;
    for (const [key, stream] of this.#streams) {
      const idleS = stream.pipeline.config.window.idleFlushS;
      if (idleS === undefined || stream.idleFlushed || this.#watermarkMs - stream.lastEndMs < idleS * 1000) continue;
      const before = into.enqueue.length + into.release.length;
      for (const block of stream.order.flush().ready) await this.#feed(stream, block, into);
      for (const output of stream.pipeline.flush()) await this.#handle(stream, output, 1, into, '', Buffer.alloc(0));
      stream.idleFlushed = true;
      if (into.enqueue.length + into.release.length === before) continue;
      const [device, sensor] = key.split('/') as [string, string];
      this.#o.log.info({ device, sensor, silentS: (this.#watermarkMs - stream.lastEndMs) / 1000 }, 'sent the open window of a silent stream');
      this.#o.onIdleFlush?.({ device, sensor });
    }
  }

  /** One block, in seq order, through its stream's pipeline and raw uplink. */
  async #feed(stream: Stream, block: Arrival, into: Processed): Promise<void> {
    if (block.inboxId !== undefined) stream.held.set(block.seq, block.inboxId);
    const t = block.telemetry;
    const endMs = t.tsMs + (1000 * t.values.length) / t.rateHz;
    if (endMs > stream.lastEndMs) stream.lastEndMs = endMs;
    if (endMs > this.#watermarkMs) this.#watermarkMs = endMs;
    stream.idleFlushed = false;
    for (const output of stream.pipeline.push(block.telemetry, block.payload.length)) await this.#handle(stream, output, block.qos, into, block.topic, block.payload);
    this.#rawAfter(stream, block.telemetry, into);
  }

  /**
   * The cloud asks for raw data: from the stream's next block, its last preS seconds and the next `seconds` go up
   * as raw blocks, as around an event. Streams whose pipeline never uplinks raw (`mode: never`) are left out.
   * Returns the streams it applies to (`device/sensor`): none for a device this gateway has not heard from.
   */
  requestRaw(request: RawRequest): string[] {
    const matched: string[] = [];
    for (const [key, stream] of this.#streams) {
      const [device, sensor] = key.split('/');
      if (device !== request.device || (request.sensor !== undefined && sensor !== request.sensor) || !stream.ring) continue;
      stream.rawRequestS = Math.max(stream.rawRequestS ?? 0, request.seconds);
      matched.push(key);
    }
    return matched;
  }

  /** Emits every open window (at shutdown, or when a run drains) with the inbox rows it releases. */
  async flush(): Promise<Processed> {
    const processed: Processed = { result: { accepted: true }, enqueue: [], release: [], commands: [] };
    for (const stream of this.#streams.values()) {
      // Blocks still waiting for a gap to fill go through first, in order.
      for (const block of stream.order.flush().ready) await this.#feed(stream, block, processed);
      for (const output of stream.pipeline.flush()) await this.#handle(stream, output, 1, processed, '', Buffer.alloc(0));
    }
    return processed;
  }

  async #handle(stream: Stream, output: PipelineOutput, qos: 0 | 1, into: Processed, topic: string, payload: Buffer): Promise<void> {
    for (const seq of output.releaseSeqs) {
      const id = stream.held.get(seq);
      if (id === undefined) continue;
      stream.held.delete(seq);
      into.release.push(id);
    }
    if (output.kind === 'rejected') {
      // A block the pipeline refuses (out of range, wrong unit) is dead-lettered with the reason; a late copy is not news.
      if (output.code !== 'late') into.enqueue.push(this.#deadLetter(topic, payload, output.reason));
      if (output.code !== 'late') into.result = { accepted: false, reason: output.reason };
      return;
    }
    // Held windows going up on their own: each was judged when it closed.
    if (output.kind === 'span') {
      for (const record of output.uplink) into.enqueue.push(this.#record(this.#stamp(record, undefined), qos));
      return;
    }
    // Every window is judged, whether it goes up now, with others, or later: local rules and the model see them all.
    const detectedWallMs = this.#o.wallMs();
    const verdict = await this.#score(output.message);
    const window = this.#stamp(output.message, verdict);
    // A record merging several windows carries no score: the model scored the windows, not the merge.
    const records = output.kind === 'features' ? [window] : output.kind === 'report' ? output.uplink.map((r) => (r === output.message ? window : this.#stamp(r, undefined))) : [];
    for (const record of records) into.enqueue.push(this.#record(record, qos));
    this.#judge(stream, window, verdict, detectedWallMs, into);
  }

  #record(window: FeaturesV2, qos: 0 | 1): OutboxInput {
    return {
      priority: PRIORITY.features,
      topic: topics.features(this.#o.site, window.device, window.sensor),
      payload: encodeMessage(window, 'cbor'),
      qos,
      key: { device: window.device, sensor: window.sensor, seq: window.seq },
    };
  }

  /**
   * Bytes of `window`'s record on the wire, at most: stamped as it will be, with the longest score a scored sensor's
   * record can carry (its version at the schema's 128 characters, score and threshold as 9-byte floats).
   */
  #recordBytes(window: FeaturesV1, scored: boolean): number {
    const record: FeaturesV2 = { ...this.#stamp(window, undefined), ...(scored ? { model: LONGEST_SCORE } : {}) };
    return encodeMessage(record, 'cbor').length;
  }

  /** The anomaly model on one window of a sensor it scores; undefined when it did not run (no model, a failure logged). */
  async #score(window: FeaturesV1): Promise<DetectorVerdict | undefined> {
    const anomaly = this.#o.anomaly;
    if (!anomaly || !anomaly.sensors.includes(window.sensor)) return undefined;
    try {
      const verdict = await anomaly.detector.process(window);
      if (verdict.scored) this.#o.onInference?.(verdict.latencyMs);
      return verdict;
    } catch (error) {
      this.#o.log.error({ err: error, device: window.device, sensor: window.sensor }, 'anomaly model failed on a window');
      return undefined;
    }
  }

  /**
   * The window as the gateway emits it: v2, with its id and the model's score. Every scored window carries its score,
   * raised anomaly or not, so the cloud can count a model version's windows over threshold on live data.
   */
  #stamp(window: FeaturesV1, verdict: DetectorVerdict | undefined): FeaturesV2 {
    const model = verdict?.scored ? { version: verdict.modelVersion, score: verdict.score, threshold: verdict.threshold } : undefined;
    return { ...upcastFeatures(window), gateway: this.#o.gateway, ...(model ? { model } : {}) };
  }

  /** Local rules and the model's verdict on one window; events, actions and raw context follow from what they raise. */
  #judge(stream: Stream, window: FeaturesV2, verdict: DetectorVerdict | undefined, detectedWallMs: number, into: Processed): void {
    const events: EventV1[] = this.#rules.evaluate(window).map((change) => ({ type: 'event', v: 1, kind: 'alert', origin: 'edge', ...change }));
    if (verdict?.scored && verdict.event) events.push({ ...verdict.event, origin: 'edge' });
    for (const event of events) {
      into.enqueue.push({ priority: PRIORITY.events, topic: topics.event(this.#o.site, event.device), payload: encodeMessage(event, 'json'), qos: 1 });
      if (event.state !== 'raised') continue;
      this.#rawAround(stream, event, into);
      for (const action of this.#o.actions) {
        const trigger = event.kind === 'anomaly' ? 'anomaly' : event.rule;
        if (action.on !== trigger || (action.device && action.device !== event.device)) continue;
        const command: CommandV1 = {
          type: 'cmd',
          v: 1,
          device: event.device,
          tsMs: event.tsMs,
          id: `edge-${event.device}-${this.#nextCommandSeq(event.device)}`,
          action: action.action,
          ...(action.args ? { args: action.args } : {}),
        };
        into.commands.push({ device: event.device, command, detectedWallMs });
      }
    }
  }

  #nextCommandSeq(device: string): number {
    const next = (this.#commandSeq.get(device) ?? 0) + 1;
    this.#commandSeq.set(device, next);
    return next;
  }

  /** On an event, the blocks of the last preS seconds go up (as raw), and the next postS seconds follow. */
  #rawAround(stream: Stream, event: EventV1, into: Processed): void {
    const raw = stream.pipeline.config.rawUplink;
    if (!raw || !stream.ring || raw.mode !== 'around-events') return;
    for (const block of stream.ring.drain()) into.enqueue.push(this.#raw(block, raw.encoding));
    stream.rawUntilMs = Math.max(stream.rawUntilMs, event.tsMs + raw.postS * 1000);
  }

  #rawAfter(stream: Stream, block: TelemetryV1, into: Processed): void {
    const raw = stream.pipeline.config.rawUplink;
    if (!raw || !stream.ring) return;
    if (stream.rawRequestS !== undefined) {
      for (const held of stream.ring.drain()) into.enqueue.push(this.#raw(held, raw.encoding));
      stream.rawUntilMs = Math.max(stream.rawUntilMs, block.tsMs + stream.rawRequestS * 1000);
      stream.rawRequestS = undefined;
    }
    if (raw.mode === 'always' || block.tsMs <= stream.rawUntilMs) into.enqueue.push(this.#raw(block, raw.encoding));
    else stream.ring.push(block);
  }

  #raw(block: TelemetryV1, encoding: Parameters<typeof encodeRawBlock>[1]): OutboxInput {
    return {
      priority: PRIORITY.raw,
      topic: topics.raw(this.#o.site, block.device, block.sensor),
      payload: encodeMessage(encodeRawBlock(block, encoding, this.#o.gzip), 'cbor'),
      qos: 1,
      key: { device: block.device, sensor: block.sensor, seq: block.seq },
    };
  }

  #rejected(topic: string, payload: Buffer, error: unknown, inboxId: number | undefined): Processed {
    if (!(error instanceof DecodeError) && !(error instanceof IntegrityError)) throw error;
    const reason = (error as Error).message;
    return { result: { accepted: false, reason }, enqueue: [this.#deadLetter(topic, payload, reason)], release: inboxId === undefined ? [] : [inboxId], commands: [] };
  }

  #deadLetter(topic: string, payload: Buffer, reason: string): OutboxInput {
    const letter: DeadLetterV1 = { type: 'deadletter', v: 1, stage: 'gateway', topic, reason, tsMs: this.#o.clock.now(), payloadB64: bytesToBase64(payload) };
    this.#o.onDeadLetter(letter);
    // Features priority, not events: a device flooding garbage must not crowd out real events.
    return { priority: PRIORITY.features, topic: topics.deadLetter(this.#o.site), payload: encodeMessage(letter, 'json'), qos: 1 };
  }
}
