import net from 'node:net';
import type { AddressInfo } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { createRng, ScaledRealClock } from '../../../../sim/index';
import { LinkModel, type LinkImpairmentInput } from '../../../../sim/link/index';
import { MqttFramer } from '../../../../sim/proxy/framer';
import { startMqttProxy, type MqttProxy } from '../../../../sim/proxy/index';

// The proxy between a raw TCP client and a raw TCP "broker" that records bytes: what goes in must come out.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface RawUpstream {
  port: number;
  /** Bytes received so far, per accepted connection. */
  received: Buffer[][];
  sockets: net.Socket[];
}

async function rawUpstream(): Promise<RawUpstream> {
  const upstream: RawUpstream = { port: 0, received: [], sockets: [] };
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    upstream.received.push(chunks);
    upstream.sockets.push(socket);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.port = (server.address() as AddressInfo).port;
  cleanups.push(async () => {
    for (const socket of upstream.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return upstream;
}

async function proxyTo(port: number, up: LinkImpairmentInput = {}, down: LinkImpairmentInput = {}, maxQueuedBytes?: number): Promise<MqttProxy> {
  const proxy = await startMqttProxy({
    maxQueuedBytes,
    upstream: { host: '127.0.0.1', port },
    links: { up: new LinkModel('up', up, createRng('up')), down: new LinkModel('down', down, createRng('down')) },
    clock: new ScaledRealClock(),
  });
  cleanups.push(() => proxy.close());
  return proxy;
}

async function rawClient(port: number): Promise<{ socket: net.Socket; received: Buffer[] }> {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  cleanups.push(() => void socket.destroy());
  return { socket, received };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(5);
  }
}

const total = (chunks: readonly Buffer[] | undefined) => (chunks ?? []).reduce((sum, c) => sum + c.length, 0);

/** Writes `bytes` in pieces cut at `cuts`, pausing between writes so that each piece is its own TCP segment. */
async function writeInPieces(socket: net.Socket, bytes: Buffer, cuts: readonly number[]): Promise<void> {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    socket.write(bytes.subarray(from, cut));
    from = cut;
    await pause(15);
  }
}

const v5 = { protocolVersion: 5 } as const;
const connect = mqttPacket.generate({ cmd: 'connect', clientId: 'raw-1', protocolVersion: 5, clean: true, keepalive: 30, properties: { userProperties: { line: '3' }, receiveMaximum: 7 } });
const subscribe = mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#', qos: 1 }], properties: { subscriptionIdentifier: 42 } }, v5);
const smallPublish = mqttPacket.generate({ cmd: 'publish', topic: 'a/b', payload: Buffer.from('one'), qos: 0, retain: false, dup: false, properties: { contentType: 'text/x' } }, v5);
const bigPublish = mqttPacket.generate({ cmd: 'publish', topic: 'a/big', payload: Buffer.alloc(100_000, 0xab), qos: 1, messageId: 2, retain: false, dup: false }, v5);
const pingreq = mqttPacket.generate({ cmd: 'pingreq' });
const disconnect = mqttPacket.generate({ cmd: 'disconnect', reasonCode: 0 }, v5);

describe('the proxy forwards MQTT byte for byte', () => {
  it('passes packets coalesced in one segment and packets split across segments intact, client → broker', async () => {
    const upstream = await rawUpstream();
    const proxy = await proxyTo(upstream.port);
    const { socket } = await rawClient(proxy.port);
    const stream = Buffer.concat([connect, subscribe, smallPublish, bigPublish, pingreq, smallPublish, disconnect]);
    const bigStart = connect.length + subscribe.length + smallPublish.length;
    // One segment with three packets and the type byte of the big PUBLISH, then its length bytes one by one, then its body in two.
    await writeInPieces(socket, stream, [bigStart + 1, bigStart + 2, bigStart + 3, bigStart + 40_000]);
    await until(() => total(upstream.received[0]) >= stream.length, 'the whole stream upstream');
    expect(Buffer.concat(upstream.received[0]!).toString('base64')).toBe(stream.toString('base64'));
    const counters = proxy.counters();
    expect(counters.up.packets).toBe(7);
    expect(counters.up.publishes).toBe(3);
    expect(counters.up.forwarded).toBe(3);
    expect(counters.up.bytes).toBe(stream.length);
  });

  it('passes the broker\'s packets to the client intact, v5 properties included', async () => {
    const upstream = await rawUpstream();
    const proxy = await proxyTo(upstream.port);
    const client = await rawClient(proxy.port);
    client.socket.write(connect);
    await until(() => upstream.sockets.length === 1 && total(upstream.received[0]) === connect.length, 'CONNECT upstream');
    const connack = mqttPacket.generate({ cmd: 'connack', sessionPresent: false, reasonCode: 0, properties: { topicAliasMaximum: 10, userProperties: { broker: 'raw' } } }, v5);
    const suback = mqttPacket.generate({ cmd: 'suback', messageId: 1, granted: [1], properties: { reasonString: 'ok' } }, v5);
    const stream = Buffer.concat([connack, suback, bigPublish, smallPublish]);
    await writeInPieces(upstream.sockets[0]!, stream, [connack.length + suback.length + 1, connack.length + suback.length + 60_000]);
    await until(() => total(client.received) >= stream.length, 'the whole stream at the client');
    expect(Buffer.concat(client.received).toString('base64')).toBe(stream.toString('base64'));
  });

  it('removes only PUBLISH packets under loss 1.0 and passes every other packet untouched, in order', async () => {
    const upstream = await rawUpstream();
    const proxy = await proxyTo(upstream.port, { loss: 1 });
    const { socket } = await rawClient(proxy.port);
    await writeInPieces(socket, Buffer.concat([connect, smallPublish, subscribe, bigPublish, pingreq, smallPublish, disconnect]), [connect.length + 2]);
    const expected = Buffer.concat([connect, subscribe, pingreq, disconnect]);
    // Once the proxy has read all 7 packets it has judged every PUBLISH, and what it passed on precedes the DISCONNECT.
    await until(() => proxy.counters().up.packets === 7 && total(upstream.received[0]) >= expected.length, 'the 7 packets read and the control packets upstream');
    expect(Buffer.concat(upstream.received[0]!).toString('base64')).toBe(expected.toString('base64'));
    const counters = proxy.counters();
    expect(counters.up.publishes).toBe(3);
    expect(counters.up.dropped.loss).toBe(3);
    expect(counters.up.forwarded).toBe(0);
    expect(counters.up.link.dropped.loss).toBe(3);
  });

  it('resets a client whose first packet is not CONNECT, without passing anything on', async () => {
    const upstream = await rawUpstream();
    const proxy = await proxyTo(upstream.port);
    const { socket } = await rawClient(proxy.port);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(smallPublish);
    await closed;
    // The reset came from judging that first packet, before anything was written on: it was read, not forwarded.
    expect(proxy.counters().connections.reset).toBe(1);
    expect(proxy.counters().up).toMatchObject({ packets: 1, bytes: smallPublish.length, publishes: 0, forwarded: 0 });
    expect(total(upstream.received[0])).toBe(0);
  });

  it('resets a client that sends bytes which cannot be MQTT', async () => {
    const upstream = await rawUpstream();
    const proxy = await proxyTo(upstream.port);
    const { socket } = await rawClient(proxy.port);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(Buffer.concat([connect, Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0xff])]));
    await closed;
    expect(proxy.counters().connections.active).toBe(0);
  });

  it('stops reading a sender while its queue is over maxQueuedBytes, then forwards everything intact', async () => {
    const upstream = await rawUpstream();
    const proxy = await proxyTo(upstream.port, { latencyMs: 30 }, {}, 16 * 1024);
    const { socket } = await rawClient(proxy.port);
    const publishes = Array.from({ length: 60 }, (_, i) =>
      mqttPacket.generate({ cmd: 'publish', topic: `q/${i}`, payload: Buffer.alloc(4000, i), qos: 0, retain: false, dup: false }),
    );
    const stream = Buffer.concat([connect, ...publishes, disconnect]);
    const startedMs = performance.now();
    socket.write(stream);
    await until(() => total(upstream.received[0]) >= stream.length, 'the whole stream upstream');
    const elapsedMs = performance.now() - startedMs;
    expect(Buffer.concat(upstream.received[0]!).toString('base64')).toBe(stream.toString('base64'));
    // The proxy read 240 kB only as its queue drained below 16 kB, over several 30 ms windows (about 135 ms
    // here); reading all of it at once, it would have been through in about 40 ms.
    expect(elapsedMs).toBeGreaterThan(75);
  });

  it('resets the client when the broker cannot be reached', async () => {
    const nobody = net.createServer();
    await new Promise<void>((resolve) => nobody.listen(0, '127.0.0.1', resolve));
    const deadPort = (nobody.address() as AddressInfo).port;
    await new Promise<void>((resolve) => nobody.close(() => resolve()));
    const proxy = await proxyTo(deadPort);
    const { socket } = await rawClient(proxy.port);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(connect);
    await closed;
    expect(proxy.counters().connections.reset).toBe(1);
  });

  it('lets the model reorder PUBLISHes among themselves but never across a control packet', async () => {
    const upstream = await rawUpstream();
    const proxy = await proxyTo(upstream.port, { reorder: { probability: 0.5, extraDelayMs: 40 } });
    const { socket } = await rawClient(proxy.port);
    const publish = (i: number) => mqttPacket.generate({ cmd: 'publish', topic: 'r', payload: Buffer.from(String(i)), qos: 0, retain: false, dup: false });
    const stream = Buffer.concat([connect, ...Array.from({ length: 20 }, (_, i) => publish(i)), pingreq, ...Array.from({ length: 20 }, (_, i) => publish(20 + i)), disconnect]);
    socket.write(stream);
    await until(() => total(upstream.received[0]) >= stream.length, 'every packet upstream');
    const labels: string[] = [];
    new MqttFramer().push(Buffer.concat(upstream.received[0]!), (buf, start, end, header) => {
      const type = header >> 4;
      labels.push(type === 3 ? buf.subarray(start + 5, end).toString() : type === 12 ? 'PING' : type === 14 ? 'DISCONNECT' : type === 1 ? 'CONNECT' : `type ${type}`);
    });
    const numbers = (list: string[]) => list.map(Number);
    const ping = labels.indexOf('PING');
    expect(labels[0]).toBe('CONNECT');
    expect(labels.at(-1)).toBe('DISCONNECT');
    expect(numbers(labels.slice(1, ping)).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(numbers(labels.slice(ping + 1, -1)).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 20 + i));
    // Some held-back PUBLISHes were overtaken inside each half.
    expect(numbers(labels.slice(1, ping))).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(proxy.counters().up.link.reordered).toBeGreaterThan(0);
  });
});
