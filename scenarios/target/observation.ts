import { decodeAny, decodeAs, type RolloutV1 } from '../../protocol';
import { asNumber, asText, oneOf, readField, toEpochMs } from './field-source';
import type { AlertObservation, MappedObservation, ReplyObservation, TopicObservation } from './observe-schema';

/** An alert or anomaly the system under test raised or cleared, as the observer read it off the wire. */
export interface ObservedAlert {
  device: string;
  sensor?: string;
  /** Event time, ms since the Unix epoch. */
  tsMs: number;
  /** Undefined when the mapping cannot tell. */
  kind?: 'alert' | 'anomaly';
  state: 'raised' | 'cleared';
  rule: string;
  severity?: string;
  message?: string;
  value?: number;
  threshold?: number;
}

export interface ObservedCommand {
  device: string;
  action: string;
  tsMs: number;
}

/** The answer a device or gateway gave to a command, as the observer read it off the wire. */
export interface ObservedReply {
  device: string;
  /** Event time, ms since the Unix epoch. */
  tsMs: number;
  action: string;
  ok: boolean;
  /** A refusal's code, e.g. `E_MODEL_SIGNATURE`. */
  code?: string;
  /** A refusal's text. */
  error?: string;
}

/** Per (device, sensor): what readings the system passed on, by first seq, and how often each arrived. */
export interface ObservedStream {
  device: string;
  sensor: string;
  /** Blocks covered by each distinct message, by its first seq. */
  windows: Map<number, number>;
  /** Messages that repeated a (seq, count) already seen: redeliveries a deduplicating consumer drops. */
  copies: number;
  /** Blocks covered by two different messages that start at the same seq (windows of different sizes). */
  clashes: number;
  /** Messages that carried no seq. */
  unkeyed: number;
  /** Highest value of each feature, to explain a missing alert. */
  peaks: Record<string, number>;
}

/** How many blocks a stream's distinct messages cover, and where the coverage is wrong. */
export interface Coverage {
  device: string;
  sensor: string;
  /** Blocks covered by distinct messages (a window of 10 blocks counts 10). */
  count: number;
  minSeq: number;
  maxSeq: number;
  copies: number;
  /** Blocks covered by two different messages (overlapping windows): counted twice. */
  overlaps: number;
}

/** Everything the observer read, mapped onto what expectations judge. */
export class ObservationLog {
  readonly alerts: ObservedAlert[] = [];
  /** Alert messages that repeated one already seen (a QoS 1 redelivery), left out of `alerts`. */
  alertCopies = 0;
  readonly #alertKeys = new Set<string>();
  readonly commands: ObservedCommand[] = [];
  /** Replies to commands, in arrival order. */
  readonly replies: ObservedReply[] = [];
  /** Every status of each staged model rollout, by rollout id, in arrival order (a retained one first). */
  readonly rollouts = new Map<string, RolloutV1[]>();
  readonly streams = new Map<string, ObservedStream>();
  messages = 0;
  bytes = 0;
  /** Messages the mappings could not read, by reason. */
  readonly unmapped = new Map<string, number>();
  /** Features to keep every value of, for trends; others keep only their peak. */
  #watched: readonly { device?: string; sensor?: string; metric: string; thresholds: number[] }[] = [];
  readonly #series = new Map<string, { device: string; sensor: string; metric: string; thresholds: number[]; points: [number, number][] }>();

  /** Keeps [event time ms, value] of each reading's `metric` for the matching streams (undefined device or sensor: any). */
  watch(specs: readonly { device?: string; sensor?: string; metric: string; thresholds: number[] }[]): void {
    this.#watched = specs;
  }

  /** The watched features, per device and sensor, in arrival order. */
  series(): { device: string; sensor: string; metric: string; thresholds: number[]; points: [number, number][] }[] {
    return [...this.#series.values()].sort((a, b) => a.device.localeCompare(b.device) || a.sensor.localeCompare(b.sensor) || a.metric.localeCompare(b.metric));
  }

  /** Maps one message by its subscription's rules; a message that does not fit is counted, never thrown. */
  add(spec: TopicObservation, topic: string, payload: Uint8Array, receivedMs: number): void {
    this.messages++;
    this.bytes += payload.byteLength;
    if (spec.as === 'rollout') return this.#rollout(spec.filter, payload);
    this.#mapped(spec, topic, payload, receivedMs);
  }

  #mapped(spec: MappedObservation, topic: string, payload: Uint8Array, receivedMs: number): void {
    let data: unknown;
    try {
      data = decode(payload, spec.decode);
    } catch (error) {
      this.#skip(`${spec.filter}: ${(error as Error).message}`);
      return;
    }
    if (spec.where && !Object.entries(spec.where).every(([path, want]) => readField(path, data, topic) === want)) return;
    const field = (name: string) => {
      const source = (spec.fields as Record<string, Parameters<typeof readField>[0] | undefined>)[name];
      return source === undefined ? undefined : readField(source, data, topic);
    };
    const time = field('time');
    const tsMs = time === undefined ? receivedMs : toEpochMs(time, spec.time);
    const device = asText(field('device'));
    if (!device) return this.#skip(`${spec.filter}: no device at ${describeSource(spec.fields.device)}`);
    if (tsMs === undefined) return this.#skip(`${spec.filter}: time ${JSON.stringify(time)} is not a time in ${spec.time === 'iso' ? 'ISO 8601' : spec.time}`);
    switch (spec.as) {
      case 'alert': {
        const alert = this.#alert(spec, field, device, tsMs, topic);
        if (!alert) return;
        const key = JSON.stringify(alert);
        if (this.#alertKeys.has(key)) this.alertCopies++;
        else {
          this.#alertKeys.add(key);
          this.alerts.push(alert);
        }
        return;
      }
      case 'command': {
        const action = asText(field('action'));
        if (!action) return this.#skip(`${spec.filter}: no action`);
        this.commands.push({ device, action, tsMs });
        return;
      }
      case 'reply': {
        const reply = this.#reply(spec, field, device, tsMs);
        if (reply) this.replies.push(reply);
        return;
      }
      case 'reading': {
        const sensor = asText(field('sensor'));
        if (!sensor) return this.#skip(`${spec.filter}: no sensor`);
        const key = `${device}/${sensor}`;
        let stream = this.streams.get(key);
        if (!stream) this.streams.set(key, (stream = { device, sensor, windows: new Map(), copies: 0, clashes: 0, unkeyed: 0, peaks: {} }));
        const seq = asNumber(field('seq'));
        const count = spec.fields.count === undefined ? 1 : asNumber(field('count')) ?? 1;
        let copy = false;
        if (seq === undefined) stream.unkeyed++;
        else {
          const seen = stream.windows.get(seq);
          if (seen === count) {
            stream.copies++;
            copy = true;
          } else {
            // Another window from the same seq (a different size): its blocks are counted twice.
            if (seen !== undefined) stream.clashes += Math.min(seen, count);
            stream.windows.set(seq, Math.max(count, seen ?? 0));
          }
        }
        const features = field('features');
        if (features && typeof features === 'object') {
          for (const [name, value] of Object.entries(features as Record<string, unknown>)) {
            if (typeof value === 'number' && !(value <= (stream.peaks[name] ?? -Infinity))) stream.peaks[name] = value;
          }
          const pushed = new Set<string>();
          for (const w of copy ? [] : this.#watched) {
            const value = (features as Record<string, unknown>)[w.metric];
            if (typeof value !== 'number' || (w.device !== undefined && w.device !== device) || (w.sensor !== undefined && w.sensor !== sensor)) continue;
            const key = `${device}/${sensor}/${w.metric}`;
            let series = this.#series.get(key);
            if (!series) this.#series.set(key, (series = { device, sensor, metric: w.metric, thresholds: [], points: [] }));
            // Two specs may watch one feature (a rule and the model): one point, and every threshold line.
            for (const t of w.thresholds) if (!series.thresholds.includes(t)) series.thresholds.push(t);
            if (!pushed.has(key)) series.points.push([tsMs, value]);
            pushed.add(key);
          }
        }
        return;
      }
    }
  }

  #alert(spec: AlertObservation, field: (name: string) => unknown, device: string, tsMs: number, topic: string): ObservedAlert | undefined {
    const rawState = field('state');
    const state = rawState === undefined ? 'raised' : oneOf(rawState, spec.raised) ? 'raised' : oneOf(rawState, spec.cleared) ? 'cleared' : undefined;
    if (!state) {
      this.#skip(`${spec.filter}: state ${JSON.stringify(rawState)} is neither raised (${spec.raised.join(', ')}) nor cleared (${spec.cleared.join(', ')})`);
      return undefined;
    }
    const rawKind = field('kind');
    const kind = rawKind === undefined ? undefined : oneOf(rawKind, spec.kinds.anomaly) ? 'anomaly' : oneOf(rawKind, spec.kinds.alert) ? 'alert' : undefined;
    if (rawKind !== undefined && !kind) {
      this.#skip(`${spec.filter}: kind ${JSON.stringify(rawKind)} is neither alert (${spec.kinds.alert.join(', ')}) nor anomaly (${spec.kinds.anomaly.join(', ')})`);
      return undefined;
    }
    const sensor = asText(field('sensor'));
    const severity = asText(field('severity'));
    const message = asText(field('message'));
    const value = asNumber(field('value'));
    const threshold = asNumber(field('threshold'));
    return {
      device,
      tsMs,
      state,
      rule: asText(field('rule')) ?? topic,
      ...(kind ? { kind } : {}),
      ...(sensor !== undefined ? { sensor } : {}),
      ...(severity !== undefined ? { severity } : {}),
      ...(message !== undefined ? { message } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
    };
  }

  #reply(spec: ReplyObservation, field: (name: string) => unknown, device: string, tsMs: number): ObservedReply | undefined {
    const action = asText(field('action'));
    if (!action) {
      this.#skip(`${spec.filter}: no action`);
      return undefined;
    }
    const rawOk = field('ok');
    const ok = oneOf(rawOk, spec.accepted) ? true : oneOf(rawOk, spec.refused) ? false : undefined;
    if (ok === undefined) {
      const seen = rawOk === undefined ? `no ok at ${describeSource(spec.fields.ok)}` : `ok ${JSON.stringify(rawOk)} is neither accepted (${spec.accepted.join(', ')}) nor refused (${spec.refused.join(', ')})`;
      this.#skip(`${spec.filter}: ${seen}`);
      return undefined;
    }
    const code = asText(field('code'));
    const error = asText(field('error'));
    return { device, tsMs, action, ok, ...(code !== undefined ? { code } : {}), ...(error !== undefined ? { error } : {}) };
  }

  /** A rollout status in twinbed's own format, validated; anything else is counted as unmapped. */
  #rollout(filter: string, payload: Uint8Array): void {
    let status: RolloutV1;
    try {
      status = decodeAs(payload, 'rollout');
    } catch (error) {
      return this.#skip(`${filter}: not a rollout status (${(error as Error).message})`);
    }
    let statuses = this.rollouts.get(status.id);
    if (!statuses) this.rollouts.set(status.id, (statuses = []));
    statuses.push(status);
  }

  #skip(reason: string): void {
    this.unmapped.set(reason, (this.unmapped.get(reason) ?? 0) + 1);
  }

  /** Coverage of each stream's distinct messages, in device/sensor order. */
  coverage(): Coverage[] {
    return [...this.streams.values()]
      .sort((a, b) => a.device.localeCompare(b.device) || a.sensor.localeCompare(b.sensor))
      .map((stream) => {
        const starts = [...stream.windows.keys()].sort((a, b) => a - b);
        let count = 0;
        let overlaps = stream.clashes;
        let reach = -Infinity;
        for (const seq of starts) {
          const n = stream.windows.get(seq)!;
          count += n;
          if (seq <= reach) overlaps += Math.min(reach, seq + n - 1) - seq + 1;
          reach = Math.max(reach, seq + n - 1);
        }
        return { device: stream.device, sensor: stream.sensor, count, minSeq: starts[0] ?? -1, maxSeq: Number.isFinite(reach) ? reach : -1, copies: stream.copies, overlaps };
      });
  }
}

function decode(payload: Uint8Array, how: MappedObservation['decode']): unknown {
  if (how === 'text') return new TextDecoder().decode(payload);
  if (how === 'json') return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  if (how === 'cbor') return decodeAny(payload);
  // auto: JSON of any shape first (an array, a bare number); CBOR is rarely valid UTF-8 JSON.
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return decodeAny(payload);
  }
}

function describeSource(source: unknown): string {
  return typeof source === 'string' ? source : JSON.stringify(source);
}
