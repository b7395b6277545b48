import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { connectMqtt, type MqttClient } from '../../sim';
import { topicMatches } from '../target';
import type { Role } from './layout';
import type { TopicNames } from './recorded-entry';
import type { RecordingSink } from './recording-sink';

/** One subscription of a tap, and what the messages it brings are. */
export interface TapFilter {
  filter: string;
  role: Role;
}

/** A broker to listen on: what crossed it is recorded. */
export interface Tap {
  url: string;
  filters: readonly TapFilter[];
  username?: string;
  password?: string;
  /** CA certificate (PEM) of an mqtts:// broker. */
  ca?: Buffer;
  protocolVersion?: 4 | 5;
}

export interface RecorderOptions {
  /** Where messages go (its log-time mode: `event` for a run, `receipt` for a live system). */
  sink: RecordingSink;
  taps: readonly Tap[];
  /** The run's clock (simulated ms), or the wall clock for a live recording: when a message arrived. */
  now: () => number;
  /** Leave out retained messages the broker hands over on subscribing: they predate the recording. Default false. */
  skipRetained?: boolean;
  /** The device and sensor of a topic whose payload does not say (from the target's topic templates). */
  describe?: (topic: string) => TopicNames | undefined;
  logger?: Logger;
}

/** A tap's connection, and the private topic its end marker goes round on. */
interface TapClient {
  client: MqttClient;
  barrier: string;
  arrived: (nonce: string) => void;
}

/**
 * Subscribes to what crosses the brokers of a run or a live system and writes each message into a recording, as
 * it arrived, in arrival order. A tap is an MQTT client like any other: it records exactly what the broker passed on.
 */
export class Recorder {
  readonly #o: RecorderOptions;
  readonly #clients: TapClient[] = [];
  readonly #waiting = new Map<string, () => void>();
  #stopped = false;

  private constructor(options: RecorderOptions) {
    this.#o = options;
  }

  /** Connects every tap and subscribes; resolves once every subscription is granted, so nothing after it is missed. */
  static async start(options: RecorderOptions): Promise<Recorder> {
    const recorder = new Recorder(options);
    try {
      for (const tap of mergeTaps(options.taps)) await recorder.#connect(tap);
    } catch (error) {
      await recorder.stop();
      throw error;
    }
    return recorder;
  }

  async #connect(tap: Tap): Promise<void> {
    const clientId = `twinbed-recorder-${randomUUID().slice(0, 8)}`;
    const barrier = `twinbed-recorder/${clientId}/barrier`;
    const client = await connectMqtt(tap.url, {
      clientId,
      clean: true,
      protocolVersion: tap.protocolVersion ?? 4,
      ...(tap.username !== undefined ? { username: tap.username } : {}),
      ...(tap.password !== undefined ? { password: tap.password } : {}),
      ...(tap.ca ? { ca: tap.ca } : {}),
      onError: (error) => this.#o.logger?.warn({ err: error, url: tap.url }, 'recorder connection error'),
    });
    const entry: TapClient = { client, barrier, arrived: (nonce) => this.#waiting.get(nonce)?.() };
    this.#clients.push(entry);
    client.on('message', (topic, payload, packet) => {
      if (topic === barrier) return entry.arrived(payload.toString());
      if (this.#stopped || (packet.retain && this.#o.skipRetained)) return;
      const role = tap.filters.find((f) => topicMatches(f.filter, topic))?.role ?? 'observed';
      this.record(topic, payload, role, { qos: packet.qos, retain: packet.retain });
    });
    const granted = await client.subscribeAsync([...new Set([...tap.filters.map((f) => f.filter), barrier])], { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length) this.#o.logger?.warn({ url: tap.url, refused }, 'the broker refused some of the recorder\'s subscriptions; those topics are not recorded');
  }

  /** Records one message (taps call it; a run adds what never crossed a broker, such as local ground truth). */
  record(topic: string, payload: Uint8Array, role: Role, flags: { qos: 0 | 1 | 2; retain: boolean }): void {
    this.#o.sink.add(topic, payload, role, flags, this.#o.now(), this.#o.describe?.(topic));
  }

  /**
   * Waits until every tap has received what its broker took before this call (a marker published through each broker
   * comes back after them, since a broker forwards to one client in order), then disconnects. At most `timeoutMs` per tap.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.#stopped) return;
    await Promise.all(this.#clients.map((entry) => this.#barrier(entry, timeoutMs)));
    this.#stopped = true;
    await Promise.all(this.#clients.map(({ client }) => client.endAsync().catch(() => undefined)));
  }

  async #barrier(entry: TapClient, timeoutMs: number): Promise<void> {
    if (!entry.client.connected) return;
    const nonce = randomUUID();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arrived = new Promise<boolean>((resolve) => {
      this.#waiting.set(nonce, () => resolve(true));
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    entry.client.publish(entry.barrier, nonce, { qos: 1 });
    const ok = await arrived;
    clearTimeout(timer);
    this.#waiting.delete(nonce);
    if (!ok) this.#o.logger?.warn({ topic: entry.barrier }, `the recorder's end marker did not come back within ${timeoutMs} ms; messages still on their way are not recorded`);
  }
}

/** Taps on the same broker share one client: one subscription set, one copy of each message. */
function mergeTaps(taps: readonly Tap[]): Tap[] {
  const byUrl = new Map<string, Tap>();
  for (const tap of taps) {
    const known = byUrl.get(tap.url);
    if (!known) byUrl.set(tap.url, { ...tap, filters: [...tap.filters] });
    else byUrl.set(tap.url, { ...known, filters: [...known.filters, ...tap.filters.filter((f) => !known.filters.some((k) => k.filter === f.filter))] });
  }
  return [...byUrl.values()];
}

/** A topic filter from a topic template: every level with a placeholder becomes `+`. */
export function filterOfTemplate(template: string): string {
  return template
    .split('/')
    .map((level) => (level.includes('{') ? '+' : level))
    .join('/');
}
