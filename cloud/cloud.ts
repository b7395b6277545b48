import { EventEmitter } from 'node:events';
import pino, { type Logger } from 'pino';
import {
  bytesToBase64,
  decodeMessage,
  DecodeError,
  encodeMessage,
  filters,
  parseTopic,
  topics,
  type DeadLetterV1,
  type EventV1,
  type Message,
  AlertEngine,
  type ThresholdRule,
} from '../protocol';
import { connectMqtt, type Clock, type MqttClient } from '../sim';

import type { AlertRecord, FeatureRecord, Storage } from './storage';

export interface CloudOptions {
  /** Upstream broker the gateways publish to. */
  brokerUrl: string;
  storage: Storage;
  rules?: readonly ThresholdRule[];
  clock: Clock;
  /** Client id on the broker. Default `twinbed-cloud`. */
  clientId?: string;
  logger?: Logger;
}

export interface CloudStats {
  /** Messages received from gateways (features, raw blocks, edge events, dead letters), valid or not. */
  received: number;
  /** Feature records stored (first copy of each key). */
  stored: number;
  /** Feature records dropped because their (device, sensor, seq) was already stored. */
  duplicatesDropped: number;
  /** Dead letters stored, from any stage. */
  deadLettered: number;
  alertsRaised: number;
  /** Raw blocks stored (first copy of each key). */
  rawStored: number;
  /** Events edge gateways reported (local alerts and anomalies). */
  edgeEvents: number;
}

export interface CloudEvents {
  features: [FeatureRecord];
  alert: [AlertRecord];
}

/**
 * The cloud pipeline: validates what gateways send, stores each reading once (dedupe on device, sensor, seq),
 * evaluates alert rules on event time, and publishes alerts back as device events.
 */
export class Cloud extends EventEmitter<CloudEvents> {
  readonly storage: Storage;
  readonly #options: CloudOptions;
  readonly #log: Logger;
  readonly #engine: AlertEngine;
  readonly #stats: CloudStats = { received: 0, stored: 0, duplicatesDropped: 0, deadLettered: 0, alertsRaised: 0, rawStored: 0, edgeEvents: 0 };
  #client: MqttClient | undefined;
  /** Messages are handled one at a time, in arrival order, so dedupe and alert state never race. */
  #chain: Promise<void> = Promise.resolve();

  private constructor(options: CloudOptions) {
    super();
    this.#options = options;
    this.storage = options.storage;
    this.#log = options.logger ?? pino({ level: 'silent' });
    this.#engine = new AlertEngine(options.rules ?? []);
  }

  static async start(options: CloudOptions): Promise<Cloud> {
    const cloud = new Cloud(options);
    cloud.#client = await connectMqtt(options.brokerUrl, { clientId: options.clientId ?? 'twinbed-cloud', clean: true });
    cloud.#client.on('message', (topic, payload) => {
      cloud.#chain = cloud.#chain.then(() => cloud.#handle(topic, payload)).catch((error: unknown) => {
        cloud.#log.error({ err: error, topic }, 'cloud failed to handle a message');
      });
    });
    await cloud.#client.subscribeAsync([filters.features(), filters.deadLetter(), filters.raw(), filters.event()], { qos: 1 });
    cloud.#log.info({ brokerUrl: options.brokerUrl }, 'cloud ready');
    return cloud;
  }

  stats(): CloudStats {
    return { ...this.#stats };
  }

  /** Resolves once every message received so far has been handled. */
  async idle(): Promise<void> {
    await this.#chain;
  }

  async #handle(topic: string, payload: Buffer): Promise<void> {
    const where = parseTopic(topic);
    let message: Message;
    try {
      message = decodeMessage(payload);
    } catch (error) {
      this.#stats.received++;
      if (!(error instanceof DecodeError)) throw error;
      if (where?.kind === 'deadletter') {
        this.#log.error({ topic, reason: error.message }, 'dropped a malformed dead letter');
        return;
      }
      await this.#deadLetter(topic, payload, error.message, where?.site);
      return;
    }
    // Our own alerts come back on the event topic; they are not news, and not counted as received.
    if (message.type === 'event' && message.origin !== 'edge') return;
    this.#stats.received++;
    if (message.type === 'deadletter' && where?.kind === 'deadletter') {
      if (message.stage === 'cloud') return; // our own, already stored when we rejected it
      await this.storage.insertDeadLetter(message);
      this.#stats.deadLettered++;
    } else if (message.type === 'features' && where?.kind === 'features' && where.device === message.device) {
      const record: FeatureRecord = { ...message, receivedMs: this.#options.clock.now() };
      if (!(await this.storage.insertFeatures(record))) {
        this.#stats.duplicatesDropped++;
        return;
      }
      this.#stats.stored++;
      this.emit('features', record);
      for (const alert of this.#engine.evaluate(record)) await this.#raise(where.site, alert);
    } else if (message.type === 'raw' && where?.kind === 'raw' && where.device === message.device) {
      const { type: _type, v: _v, ...raw } = message;
      if (await this.storage.insertRaw({ ...raw, receivedMs: this.#options.clock.now() })) this.#stats.rawStored++;
      else this.#stats.duplicatesDropped++;
    } else if (message.type === 'event' && where?.kind === 'event' && where.device === message.device) {
      const { type: _type, v: _v, ...event } = message;
      await this.storage.insertAlert(event);
      this.#stats.edgeEvents++;
      this.emit('alert', event);
    } else {
      await this.#deadLetter(topic, payload, `a "${message.type}" message does not belong on ${topic}`, where?.site);
    }
  }

  async #raise(site: string, alert: AlertRecord): Promise<void> {
    await this.storage.insertAlert(alert);
    if (alert.state === 'raised') this.#stats.alertsRaised++;
    this.#log.info({ device: alert.device, rule: alert.rule, state: alert.state, value: alert.value }, alert.message);
    this.emit('alert', alert);
    const event: EventV1 = { type: 'event', v: 1, kind: 'alert', origin: 'cloud', ...alert };
    this.#client?.publish(topics.event(site, alert.device), Buffer.from(encodeMessage(event, 'json')), { qos: 1 });
  }

  async #deadLetter(topic: string, payload: Buffer, reason: string, site = 'unknown'): Promise<void> {
    const letter: DeadLetterV1 = {
      type: 'deadletter',
      v: 1,
      stage: 'cloud',
      topic,
      reason,
      tsMs: this.#options.clock.now(),
      payloadB64: bytesToBase64(payload),
    };
    this.#log.warn({ topic, reason }, 'dead-lettered an upstream message');
    // Stored here and published for other consumers; #handle skips the copy our own subscription receives.
    await this.storage.insertDeadLetter(letter);
    this.#stats.deadLettered++;
    this.#client?.publish(topics.deadLetter(site), Buffer.from(encodeMessage(letter, 'json')), { qos: 1 });
  }

  async stop(): Promise<void> {
    await this.#client?.endAsync();
    this.#client = undefined;
    await this.#chain;
  }
}
