import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { connectMqtt, monotonicWallMs, type Clock, type MqttClient } from '../../sim';
import { ObservationLog } from './observation';
import type { Observe } from './observe-schema';

/** Whether an MQTT topic matches a filter with `+` and `#` wildcards ([MQTT-4.7.1]). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  // [MQTT-4.7.2-1] wildcards at the first level do not match topics starting with $.
  if (t[0]?.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export interface ObserverOptions {
  observe: Observe;
  /** The broker to observe when `observe.url` does not say. */
  defaultUrl: string;
  /** Files in `observe` (ca) are relative to this folder. */
  baseDir: string;
  /** The run's clock: messages without an event time are stamped with it. */
  clock: Clock;
  logger?: Logger;
}

/**
 * Subscribes to what a system under test publishes (its alerts, its features upstream, its commands) and maps
 * each message onto what expectations judge. It starts before the twins, so nothing the system says is missed.
 */
export class Observer {
  readonly log = new ObservationLog();
  readonly url: string;
  #client: MqttClient | undefined;
  #lastMessageWallMs = monotonicWallMs();

  private constructor(url: string) {
    this.url = url;
  }

  static async start(options: ObserverOptions): Promise<Observer> {
    const { observe, clock } = options;
    const observer = new Observer(observe.url ?? options.defaultUrl);
    const ca = observe.ca ? await readFile(path.resolve(options.baseDir, observe.ca)) : undefined;
    const client = await connectMqtt(observer.url, {
      clientId: observe.clientId,
      protocolVersion: observe.protocolVersion,
      clean: true,
      ...(observe.username !== undefined ? { username: observe.username } : {}),
      ...(observe.password !== undefined ? { password: observe.password } : {}),
      ...(ca ? { ca } : {}),
      onError: (error) => options.logger?.warn({ err: error }, 'observer connection error'),
    });
    observer.#client = client;
    client.on('message', (topic, payload) => {
      observer.#lastMessageWallMs = monotonicWallMs();
      for (const spec of observe.topics) if (topicMatches(spec.filter, topic)) observer.log.add(spec, topic, payload, clock.now());
    });
    // Resubscribe on every connect: the observer uses a clean session.
    const subscribe = async () => {
      const granted = await client.subscribeAsync([...new Set(observe.topics.map((t) => t.filter))], { qos: 1 });
      const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length) throw new Error(`the broker refused the observer's subscriptions ${refused.join(', ')}`);
    };
    client.on('connect', () => void subscribe().catch((error: unknown) => options.logger?.error({ err: error }, 'observer could not resubscribe')));
    await subscribe();
    return observer;
  }

  /** Wall ms since the last observed message. */
  quietForMs(): number {
    return monotonicWallMs() - this.#lastMessageWallMs;
  }

  async stop(): Promise<void> {
    await this.#client?.endAsync();
    this.#client = undefined;
  }
}
