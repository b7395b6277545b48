import type { Readable } from 'node:stream';
import type { IConnackPacket, IPublishPacket, QoS } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { EmbeddedBroker } from '../../../sim';
import { connectBytes, type ConnectSpec } from './packet-bytes';
import { RawClient, WAIT_MS } from './raw-client';

// The client side of MQTT 3.1.1 flows, spelled out packet by packet over a RawClient.

/** A broker for one describe block, and connections that are all dropped after each test. */
export interface Harness {
  readonly broker: EmbeddedBroker;
  /** Connects and expects CONNACK 0. */
  open(spec: ConnectSpec): Promise<{ client: RawClient; connack: IConnackPacket }>;
  /** Sends a CONNECT and leaves the answer to the test. */
  attempt(spec: ConnectSpec): Promise<RawClient>;
  /** A TCP connection on which nothing has been sent yet. */
  raw(): Promise<RawClient>;
}

/** Registers the hooks: `start` runs once before the block's tests, and the broker closes after them. */
export function harness(start: () => Promise<EmbeddedBroker>): Harness {
  let broker: EmbeddedBroker | undefined;
  const clients: RawClient[] = [];
  const track = (client: RawClient): void => void clients.push(client);
  beforeAll(async () => {
    broker = await start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.destroy()));
  });
  afterAll(async () => {
    await broker?.close();
  });
  const started = (): EmbeddedBroker => {
    if (!broker) throw new Error('the broker is not started yet: use the harness inside a test');
    return broker;
  };
  return {
    get broker() {
      return started();
    },
    open: (spec) => connect(started(), spec, track),
    attempt: (spec) => sendConnect(started(), spec, track),
    raw: async () => {
      const client = await RawClient.open(started().port, started().host);
      track(client);
      return client;
    },
  };
}

let lastId = 0;
/** A client id of 0-9a-zA-Z only, at most 23 bytes, that no other test uses [MQTT-3.1.3-5]. */
export function uniqueId(prefix = 'c'): string {
  lastId += 1;
  return `${prefix}${lastId}x${process.pid}`.slice(0, 23);
}

/** Opens a TCP connection and sends a CONNECT built from `spec`; the caller reads the answer. */
export async function sendConnect(broker: EmbeddedBroker, spec: ConnectSpec, track: (client: RawClient) => void): Promise<RawClient> {
  const client = await RawClient.open(broker.port, broker.host);
  track(client);
  client.write(connectBytes(spec));
  return client;
}

/** Connects and expects CONNACK 0 (accepted). */
export async function connect(broker: EmbeddedBroker, spec: ConnectSpec, track: (client: RawClient) => void): Promise<{ client: RawClient; connack: IConnackPacket }> {
  const client = await sendConnect(broker, spec, track);
  const connack = await client.next('connack');
  expect(connack.returnCode).toBe(0);
  return { client, connack };
}

let lastMessageId = 0;
/** A packet identifier, non-zero [MQTT-2.3.1-1]. */
export function nextMessageId(): number {
  lastMessageId = (lastMessageId % 65_535) + 1;
  return lastMessageId;
}

export async function subscribe(client: RawClient, subscriptions: Array<[topic: string, qos: QoS]>): Promise<number[]> {
  const messageId = nextMessageId();
  client.send({ cmd: 'subscribe', messageId, subscriptions: subscriptions.map(([topic, qos]) => ({ topic, qos })) });
  const suback = await client.next('suback', (packet) => packet.messageId === messageId);
  return suback.granted.map((granted) => (typeof granted === 'number' ? granted : (granted as { qos: number }).qos));
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  messageId?: number;
}

/** Publishes and completes the QoS 1 or 2 handshake as the sender [MQTT-4.3.2-1] [MQTT-4.3.3-1]. */
export async function publish(client: RawClient, topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
  const { qos = 0, retain = false } = options;
  if (qos === 0) {
    client.send({ cmd: 'publish', topic, payload, qos, retain, dup: false });
    return;
  }
  const messageId = options.messageId ?? nextMessageId();
  client.send({ cmd: 'publish', topic, payload, qos, retain, dup: false, messageId });
  if (qos === 1) {
    await client.next('puback', (packet) => packet.messageId === messageId);
    return;
  }
  await client.next('pubrec', (packet) => packet.messageId === messageId);
  client.send({ cmd: 'pubrel', messageId });
  await client.next('pubcomp', (packet) => packet.messageId === messageId);
}

/** Publishes, then waits until the broker has fully handled the message, so other clients see its effects. */
export async function publishSettled(broker: EmbeddedBroker, client: RawClient, topic: string, payload: string, options: PublishOptions = {}): Promise<void> {
  const settled = published(broker, topic);
  await publish(client, topic, payload, options);
  await settled;
}

/** Takes the next PUBLISH (on `topic`, if given) and acknowledges it as the receiver [MQTT-4.3.2-2] [MQTT-4.3.3-2]. */
export async function receive(client: RawClient, topic?: string): Promise<IPublishPacket> {
  const packet = await client.next('publish', (p) => topic === undefined || p.topic === topic);
  await acknowledge(client, packet);
  return packet;
}

export async function acknowledge(client: RawClient, packet: IPublishPacket): Promise<void> {
  const messageId = packet.messageId!;
  if (packet.qos === 1) client.send({ cmd: 'puback', messageId });
  if (packet.qos === 2) {
    client.send({ cmd: 'pubrec', messageId });
    await client.next('pubrel', (p) => p.messageId === messageId);
    client.send({ cmd: 'pubcomp', messageId });
  }
}

/** One PINGREQ and its PINGRESP [MQTT-3.12.4-1]: proves the connection is up and every earlier packet was read. */
export async function ping(client: RawClient): Promise<void> {
  client.send({ cmd: 'pingreq' });
  await client.next('pingresp');
}

/** Sends DISCONNECT and waits until the broker has taken the client down (its will decided, its session stored). */
export async function disconnect(broker: EmbeddedBroker, client: RawClient, clientId: string): Promise<void> {
  const gone = clientGone(broker, clientId);
  client.send({ cmd: 'disconnect' });
  await client.closed();
  await gone;
}

/** Resolves when aedes has unregistered `clientId`: its connection is over and its will, if any, published. */
export function clientGone(broker: EmbeddedBroker, clientId: string): Promise<void> {
  return brokerEvent(broker, 'clientDisconnect', (client: { id: string }) => client.id === clientId, `client ${clientId} to be unregistered`);
}

/** Resolves once the broker has fully handled a PUBLISH on `topic`: retained store, offline queues, live delivery. */
export function published(broker: EmbeddedBroker, topic: string): Promise<void> {
  return brokerEvent(broker, 'publish', (packet: { topic: string }) => packet.topic === topic, `a publish on ${topic}`);
}

function brokerEvent<T>(broker: EmbeddedBroker, event: 'publish' | 'clientDisconnect', match: (value: T) => boolean, what: string): Promise<void> {
  const aedes = broker.aedes as unknown as NodeJS.EventEmitter;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      aedes.off(event, listener);
      reject(new Error(`waited ${WAIT_MS} ms for ${what}`));
    }, WAIT_MS);
    function listener(value: T): void {
      if (!match(value)) return;
      clearTimeout(timer);
      aedes.off(event, listener);
      resolve();
    }
    aedes.on(event, listener);
  });
}

/** Payloads of the retained messages the broker holds for `topic`, read from its store (aedes persistence). */
export async function retainedPayloads(broker: EmbeddedBroker, topic: string): Promise<string[]> {
  const { persistence } = broker.aedes as unknown as { persistence: { createRetainedStream(pattern: string): Readable } };
  const payloads: string[] = [];
  for await (const packet of persistence.createRetainedStream(topic)) payloads.push(Buffer.from((packet as { payload: Buffer }).payload).toString());
  return payloads;
}
