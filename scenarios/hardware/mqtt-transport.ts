import type { Logger } from 'pino';
import { connectMqtt, type MqttClient } from '../../sim';
import { expandTemplate, topicMatcher } from '../../twins';
import { HardwareError, type LineHandlers, type LineTransport } from './hardware-device';

export interface MqttTransportOptions {
  device: string;
  url: string;
  /** Templates with `{device}` (and `{sensor}` in `topic`). */
  topic: string;
  commandTopic: string;
  statusTopic: string;
  clientId: string;
  qos: 0 | 1;
  username?: string;
  password?: string;
  logger?: Logger;
}

/**
 * A device on a broker as a line transport: a message on its data topic is one or more lines, a message on its
 * status topic is its (retained) status, and a command is one message on its command topic. The broker connection
 * dropping makes the link go down; the device going away shows as its will on the status topic, or as silence.
 */
export class MqttTransport implements LineTransport {
  readonly description: string;
  readonly #o: MqttTransportOptions;
  readonly #dataFilter: string;
  readonly #statusTopic: string;
  readonly #commandTopic: string;
  readonly #matchData: (topic: string) => Record<string, string> | undefined;
  #client: MqttClient | undefined;

  constructor(options: MqttTransportOptions) {
    this.#o = options;
    const device = options.device;
    this.#dataFilter = expandTemplate(options.topic, { device, sensor: '+' });
    this.#matchData = topicMatcher(options.topic.replaceAll('{device}', device));
    this.#statusTopic = expandTemplate(options.statusTopic, { device });
    this.#commandTopic = expandTemplate(options.commandTopic, { device });
    this.description = `mqtt ${redact(options.url)} ${this.#dataFilter}`;
  }

  async open(handlers: LineHandlers): Promise<void> {
    const { device, url, logger } = this.#o;
    let client: MqttClient;
    try {
      client = await connectMqtt(url, {
        clientId: expandTemplate(this.#o.clientId, { device }),
        ...(this.#o.username !== undefined ? { username: this.#o.username } : {}),
        ...(this.#o.password !== undefined ? { password: this.#o.password } : {}),
        reconnectPeriod: 1000,
        onError: (error) => logger?.warn({ device, err: error }, 'hardware broker connection error'),
      });
    } catch (error) {
      throw new HardwareError(device, `${(error as Error).message}; check mqtt.url in the target's hardware: binding`, { cause: error });
    }
    this.#client = client;
    let up = true;
    client.on('message', (topic, payload) => {
      const text = payload.toString('utf8');
      if (topic === this.#statusTopic) {
        if (text.trim() !== '') handlers.status(statusBody(text));
        return;
      }
      const sensor = this.#matchData(topic)?.sensor;
      for (const line of text.split('\n')) handlers.line(line, sensor);
    });
    client.on('close', () => {
      if (!up) return;
      up = false;
      handlers.down('broker connection lost');
    });
    client.on('connect', () => {
      up = true;
      handlers.up();
    });
    await client.subscribeAsync([this.#dataFilter, this.#statusTopic], { qos: this.#o.qos });
    handlers.up();
  }

  async write(line: string): Promise<void> {
    const client = this.#client;
    if (!client?.connected) throw new Error(`not connected to ${redact(this.#o.url)}`);
    await client.publishAsync(this.#commandTopic, line, { qos: this.#o.qos });
  }

  async close(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    client.removeAllListeners('close');
    client.options.reconnectPeriod = 0;
    await client.endAsync();
  }
}

/** A status payload: JSON `{"status": …}`, or a bare word such as `offline`. */
function statusBody(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // a bare word
  }
  return { status: text.trim() };
}

function redact(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}
