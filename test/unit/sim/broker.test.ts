import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeAs, encodeMessage, filters, topics, type TelemetryV1 } from '../../../protocol/index';
import { connectMqtt, startBroker, type EmbeddedBroker, type MqttClient } from '../../../sim/index';

// Real loopback TCP throughout: an aedes broker on an ephemeral port and mqtt.js clients.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function broker(options: Parameters<typeof startBroker>[0] = {}): Promise<EmbeddedBroker> {
  const started = await startBroker(options);
  cleanups.push(() => started.close());
  return started;
}

async function client(url: string, options: Parameters<typeof connectMqtt>[1] = {}): Promise<MqttClient> {
  const connected = await connectMqtt(url, options);
  cleanups.push(() => connected.endAsync(true));
  return connected;
}

const sample: TelemetryV1 = {
  type: 'telemetry',
  v: 1,
  device: 'pump-1',
  sensor: 'accel',
  seq: 0,
  tsMs: 1_700_000_000_000,
  rateHz: 1_000,
  unit: 'g',
  values: new Float32Array([0.5, -0.25]),
};

describe('startBroker', () => {
  it('listens on a free loopback port when asked for port 0, and reports it in its url', async () => {
    const a = await broker();
    const b = await broker();
    expect(a.host).toBe('127.0.0.1');
    expect(a.port).toBeGreaterThan(0);
    expect(b.port).not.toBe(a.port);
    expect(a.url).toBe(`mqtt://127.0.0.1:${a.port}`);
  });

  it('delivers a QoS 1 publish from one client to a subscriber over TCP', async () => {
    const server = await broker();
    const subscriber = await client(server.url, { clientId: 'sub' });
    const publisher = await client(server.url, { clientId: 'pub' });
    const granted = await subscriber.subscribeAsync(filters.telemetry(), { qos: 1 });
    expect(granted.map((grant) => grant.qos)).toEqual([1]);

    const received = new Promise<{ topic: string; payload: Buffer; qos: number }>((resolve) => {
      subscriber.once('message', (topic, payload, packet) => resolve({ topic, payload, qos: packet.qos }));
    });
    const topic = topics.telemetry('site-a', 'pump-1', 'accel');
    // For QoS 1, publishAsync settles on the broker's PUBACK.
    await publisher.publishAsync(topic, Buffer.from(encodeMessage(sample)), { qos: 1 });

    const message = await received;
    expect(message.topic).toBe(topic);
    expect(message.qos).toBe(1);
    expect(decodeAs(message.payload, 'telemetry')).toEqual(sample);
  });

  it('listens on IPv6 loopback with a bracketed url that connectMqtt understands', async () => {
    const server = await broker({ host: '::1' });
    expect(server.url).toBe(`mqtt://[::1]:${server.port}`);
    const connected = await client(server.url);
    expect(connected.connected).toBe(true);
  });

  it('closes while clients are connected, and the clients see the connection drop', async () => {
    const server = await startBroker();
    const connected = await client(server.url, { reconnectPeriod: 0 });
    const dropped = new Promise<void>((resolve) => connected.once('close', () => resolve()));
    await server.close();
    await dropped;
    expect(connected.connected).toBe(false);
  });
});

describe('connectMqtt', () => {
  it('rejects with a message naming the broker when nothing listens on the port', async () => {
    const server = await startBroker();
    const { url, port } = server;
    await server.close();
    await expect(connectMqtt(url)).rejects.toThrow(new RegExp(`^cannot connect to MQTT broker mqtt://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it('gives up after connectTimeoutMs (200 ms, not a moment sooner) when the server never answers CONNACK, hangs up and does not reconnect', async () => {
    const accepted: net.Socket[] = [];
    /** The client port of each connection, in the order the server accepted them. */
    const fromPorts: Array<number | undefined> = [];
    const arrivals: Array<() => void> = [];
    const silent = net.createServer((socket) => {
      accepted.push(socket);
      fromPorts.push(socket.remotePort);
      socket.on('error', () => {});
      socket.resume();
      for (const arrived of arrivals.splice(0)) arrived();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const { port } = silent.address() as AddressInfo;
    /** Resolves once the server holds `count` connections; sockets are real I/O, which fake timers leave alone. */
    const acceptedCount = async (count: number) => {
      while (accepted.length < count) await new Promise<void>((resolve) => arrivals.push(resolve));
    };
    // The connect timeout, mqtt.js's own CONNACK timer and its reconnect interval all run on fake time.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      let settled = false;
      const attempt = connectMqtt(`mqtt://127.0.0.1:${port}`, { connectTimeoutMs: 200 });
      void attempt.then(
        () => (settled = true),
        () => (settled = true),
      );
      await acceptedCount(1);
      await vi.advanceTimersByTimeAsync(199);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      // mqtt.js's own connack timer has the same length and was armed first, so its "connack timeout" usually wins.
      await expect(attempt).rejects.toThrow(new RegExp(`^cannot connect to MQTT broker mqtt://127\\.0\\.0\\.1:${port}: (connack timeout|no CONNACK from .* within 200 ms)$`));
      // The failed client hangs up: the server sees its one connection close.
      if (!accepted[0]!.destroyed) await new Promise((resolve) => accepted[0]!.once('close', resolve));
      // Five reconnect periods (1 s each) pass without a second connection: a probe made now is the next one accepted.
      await vi.advanceTimersByTimeAsync(5_000);
      const probe = net.connect({ host: '127.0.0.1', port });
      probe.on('error', () => {});
      cleanups.push(async () => void probe.destroy());
      await new Promise((resolve) => probe.once('connect', resolve));
      await acceptedCount(2);
      expect(fromPorts).toEqual([expect.any(Number), probe.localPort]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('passes credentials from the url, percent-decoded, to the broker', async () => {
    const logins: Array<[string | undefined, string | undefined]> = [];
    const server = await broker({
      authenticate: (_client, username, password, done) => {
        logins.push([username, password?.toString()]);
        done(null, true);
      },
    });
    await client(`mqtt://edge%40site-a:p%20w%3A1@127.0.0.1:${server.port}`);
    expect(logins).toEqual([['edge@site-a', 'p w:1']]);
  });

  it('keeps the password out of the error when the broker refuses the login', async () => {
    const server = await broker({ authenticate: (_client, _username, _password, done) => done(null, false) });
    const attempt = connectMqtt(`mqtt://edge:hunter2@127.0.0.1:${server.port}`);
    await expect(attempt).rejects.toThrow(`cannot connect to MQTT broker mqtt://127.0.0.1:${server.port}: `);
    await expect(attempt).rejects.not.toThrow(/hunter2|edge/);
  });
});
