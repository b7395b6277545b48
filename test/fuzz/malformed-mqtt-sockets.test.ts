import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMqtt, createRng, LinkModel, ScaledRealClock, startBroker, startMqttProxy, type EmbeddedBroker, type MqttClient, type MqttProxy } from '../../sim';
import { connectBytes, publishBytes, subscribeBytes } from '../integration/mqtt/packet-bytes';
import { runs, timeoutMs } from './fuzz-settings';

// Bytes written straight to the TCP port of the embedded broker and of the impairment proxy in front of it. Each
// malformed connection must be closed, and only it: two clients on each port go on publishing and receiving.

/** How long a server may take to close a connection on a malformed packet. Generous: a loaded CI machine is slow, not wrong. */
const CLOSE_MS = 5_000;

/** Packets no server may accept: each must close its connection without the client closing first. */
const MALFORMED: ReadonlyArray<readonly [string, Buffer]> = [
  ['reserved control packet type 0 [MQTT-2.2.1]', Buffer.from([0x00, 0x00])],
  ['remaining length longer than 4 bytes [MQTT-1.5.5]', Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01])],
  ['a first packet that is not CONNECT [MQTT-3.1.0-1]', Buffer.from([0xc0, 0x00])],
  ['a PUBLISH before CONNECT', publishBytes({ qosBits: 0, topic: 'fuzz/x', payload: 'x' })],
  ['a CONNECT with an unknown protocol name [MQTT-3.1.2-1]', connectBytes({ protocolName: 'MQTX', clientId: 'raw' })],
  ['a CONNECT with an unsupported protocol level [MQTT-3.1.2-2]', connectBytes({ level: 9, clientId: 'raw' })],
  ['a CONNECT with the reserved flag set [MQTT-3.1.2-3]', connectBytes({ clientId: 'raw', extraFlags: 0x01 })],
  ['a CONNECT whose client id is not UTF-8 [MQTT-1.5.3-1]', connectBytes({ clientId: Buffer.from([0x61, 0xff, 0xfe]) })],
  ['a second CONNECT [MQTT-3.1.0-2]', Buffer.concat([connectBytes({ clientId: 'raw-2nd' }), connectBytes({ clientId: 'raw-2nd' })])],
  ['a PUBLISH with QoS 3 [MQTT-3.3.1-4]', Buffer.concat([connectBytes({ clientId: 'raw-q3' }), publishBytes({ qosBits: 3, messageId: 1, topic: 'fuzz/x', payload: 'x' })])],
  ['a PUBLISH whose topic holds a wildcard [MQTT-3.3.2-2]', Buffer.concat([connectBytes({ clientId: 'raw-wild' }), publishBytes({ qosBits: 0, topic: 'fuzz/+', payload: 'x' })])],
  ['a PUBLISH whose topic holds U+0000 [MQTT-1.5.3-2]', Buffer.concat([connectBytes({ clientId: 'raw-nul' }), publishBytes({ qosBits: 0, topic: 'fuzz/\u0000', payload: 'x' })])],
  ['a SUBSCRIBE with the wrong header flags [MQTT-3.8.1-1]', Buffer.concat([connectBytes({ clientId: 'raw-sub' }), subscribeBytes({ header: 0x80, messageId: 1, topic: 'fuzz/#', requestedQos: 0 })])],
  ['a SUBSCRIBE with no topic filter [MQTT-3.8.3-3]', Buffer.concat([connectBytes({ clientId: 'raw-sub0' }), Buffer.from([0x82, 0x02, 0x00, 0x01])])],
  ['an AUTH packet, which MQTT 3.1.1 does not have', Buffer.concat([connectBytes({ clientId: 'raw-auth' }), Buffer.from([0xf0, 0x00])])],
  ['a packet of type 0 after CONNECT', Buffer.concat([connectBytes({ clientId: 'raw-0' }), Buffer.from([0x00, 0x00])])],
];

interface Endpoint {
  name: string;
  port: () => number;
  url: () => string;
}

/** A subscriber and a publisher that must stay connected and keep receiving through one port. */
interface Bystanders {
  subscriber: MqttClient;
  publisher: MqttClient;
  sent: number;
  received: Set<number>;
  /** Connection losses of either client: must stay 0. */
  drops: number;
  timer: NodeJS.Timeout;
}

let broker: EmbeddedBroker;
let proxy: MqttProxy;
const endpoints: Endpoint[] = [
  { name: 'the embedded broker', port: () => broker.port, url: () => broker.url },
  { name: 'the impairment proxy', port: () => proxy.port, url: () => proxy.url },
];
const bystanders = new Map<string, Bystanders>();

beforeAll(async () => {
  broker = await startBroker();
  proxy = await startMqttProxy({
    upstream: { host: '127.0.0.1', port: broker.port },
    links: { up: new LinkModel('up', {}, createRng('fuzz/up')), down: new LinkModel('down', {}, createRng('fuzz/down')) },
    clock: new ScaledRealClock(),
  });
  for (const endpoint of endpoints) {
    const topic = `fuzz/heartbeat/${endpoint.name.replace(/ /g, '-')}`;
    const subscriber = await connectMqtt(endpoint.url(), { clientId: `${topic}/sub`, reconnectPeriod: 100 });
    const publisher = await connectMqtt(endpoint.url(), { clientId: `${topic}/pub`, reconnectPeriod: 100 });
    const watch: Bystanders = { subscriber, publisher, sent: 0, received: new Set(), drops: 0, timer: setInterval(() => {}, 1_000_000) };
    for (const client of [subscriber, publisher]) client.on('close', () => watch.drops++);
    subscriber.on('message', (_topic, payload) => watch.received.add(Number(payload.toString())));
    await subscriber.subscribeAsync(topic, { qos: 1 });
    clearInterval(watch.timer);
    watch.timer = setInterval(() => publisher.publish(topic, String(watch.sent++), { qos: 1 }), 20);
    bystanders.set(endpoint.name, watch);
  }
  const flowing = () => [...bystanders.values()].every((w) => w.received.size >= 3);
  for (let i = 0; i < 500 && !flowing(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(flowing(), 'heartbeats flow through both ports before the fuzz').toBe(true);
});

afterAll(async () => {
  for (const watch of bystanders.values()) {
    clearInterval(watch.timer);
    await watch.subscriber.endAsync();
    await watch.publisher.endAsync();
  }
  await proxy?.close();
  await broker?.close();
});

/**
 * Opens a raw connection, writes `bytes` (then FIN when `end`), and resolves with whether the server closed it within
 * `waitMs`; past that the client resets it.
 */
function writeRaw(port: number, bytes: Buffer, end: boolean, waitMs = CLOSE_MS): Promise<{ closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.write(bytes);
      if (end) socket.end();
    });
    socket.on('error', () => {});
    socket.on('data', () => {}); // a CONNACK (protocol level refused) before the close
    const timer = setTimeout(() => {
      socket.resetAndDestroy();
      resolve({ closed: false, ms: waitMs });
    }, waitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, ms: performance.now() - started });
    });
  });
}

/** Every heartbeat sent so far arrives, and neither bystander lost its connection. */
async function expectBystandersUnharmed(endpoint: Endpoint): Promise<void> {
  const watch = bystanders.get(endpoint.name)!;
  const upTo = watch.sent;
  const deadline = performance.now() + 10_000;
  while ([...Array(upTo).keys()].some((seq) => !watch.received.has(seq)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const missing = [...Array(upTo).keys()].filter((seq) => !watch.received.has(seq));
  expect(missing, `heartbeats through ${endpoint.name} that never arrived`).toEqual([]);
  expect(upTo).toBeGreaterThan(0);
  expect(watch.drops, `connections the bystanders on ${endpoint.name} lost`).toBe(0);
}

for (const endpoint of endpoints) {
  describe(`malformed MQTT written straight to ${endpoint.name}`, () => {
    for (const [what, bytes] of MALFORMED) {
      it(`closes the connection on ${what}, and only it`, async () => {
        const { closed } = await writeRaw(endpoint.port(), bytes, false);
        expect(closed, `${endpoint.name} kept a connection open after ${what}`).toBe(true);
        await expectBystandersUnharmed(endpoint);
      });
    }

    it('takes a PUBLISH whose topic is not UTF-8 (the deviation delivery-suite.ts keeps) without harm to any other client', async () => {
      const bytes = Buffer.concat([connectBytes({ clientId: 'raw-utf' }), publishBytes({ qosBits: 0, topic: Buffer.from([0x66, 0xc3, 0x28]), payload: 'x' })]);
      await writeRaw(endpoint.port(), bytes, false, 200);
      await expectBystandersUnharmed(endpoint);
    });

    it('closes the connection on a header that promises 256 MB and never sends it, once the client gives up', async () => {
      const { closed } = await writeRaw(endpoint.port(), Buffer.concat([connectBytes({ clientId: 'raw-big' }), Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(64 * 1024, 0x41)]), true);
      expect(closed).toBe(true);
      await expectBystandersUnharmed(endpoint);
    });

    it('closes every connection that writes arbitrary bytes, whatever they are, and harms no other client', { timeout: timeoutMs(60_000, 900_000) }, async () => {
      const garbage = fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        // A good CONNECT first, then garbage: the broker has a session to tear down.
        fc.tuple(fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme-ascii' }), fc.uint8Array({ minLength: 1, maxLength: 600 })).map(([id, tail]) => Uint8Array.from([...connectBytes({ clientId: `raw-${id}` }), ...tail])),
      );
      await fc.assert(
        fc.asyncProperty(garbage, fc.boolean(), async (bytes, end) => {
          // With FIN the server must close. Without, it may rightly wait for the rest of a packet that is only
          // incomplete: the client resets the connection after a moment, which must harm no one either.
          const { closed } = await writeRaw(endpoint.port(), Buffer.from(bytes), end, end ? CLOSE_MS : 100);
          if (end) expect(closed).toBe(true);
        }),
        runs(25, 500),
      );
      await expectBystandersUnharmed(endpoint);
    });
  });
}
