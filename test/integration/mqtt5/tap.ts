import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';

/** One message as the tap received it off the broker. */
export interface Tapped {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  properties: NonNullable<IPublishPacket['properties']>;
}

/** An independent subscriber (plain mqtt.js, not twinbed's client) that keeps every message on its filters. */
export interface Tap {
  readonly messages: Tapped[];
  close(): Promise<void>;
}

export async function startTap(url: string, filters: readonly string[], options: IClientOptions = {}): Promise<Tap> {
  const client: MqttClient = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true, reconnectPeriod: 0, clientId: `tap-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, ...options });
  const messages: Tapped[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload, qos: packet.qos, retain: packet.retain, properties: packet.properties ?? {} }));
  const granted = await client.subscribeAsync([...filters], { qos: 1 });
  const refused = granted.filter((g) => g.qos === 128);
  if (refused.length) throw new Error(`the broker refused the tap's subscriptions ${refused.map((g) => g.topic).join(', ')}`);
  return { messages, close: () => client.endAsync() };
}

/** Polls until `condition` holds, failing with `what` after `timeoutMs` (the tap may lag the run's exit by a little). */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
