import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { connectMqtt, createRng, ScaledRealClock, type Clock, type ConnectOptions, type MqttClient } from '../../../sim/index';
import { LinkModel, type LinkImpairmentInput } from '../../../sim/link/index';
import { startMqttProxy, type MqttProxy } from '../../../sim/proxy/index';

/** Cleanups run in reverse order after each test. */
export function cleanupList(): { add(cleanup: () => Promise<unknown> | unknown): void; run(): Promise<void> } {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  return {
    add: (cleanup) => void cleanups.push(cleanup),
    run: async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}

/** A proxy in front of `upstreamPort`, with its own seeded link models; in real time unless given a clock. */
export async function proxyTo(upstreamPort: number, impairments: { up?: LinkImpairmentInput; down?: LinkImpairmentInput; name?: string; clock?: Clock } = {}): Promise<MqttProxy> {
  return startMqttProxy({
    name: impairments.name,
    upstream: { host: '127.0.0.1', port: upstreamPort },
    links: {
      up: new LinkModel('up', impairments.up ?? {}, createRng('proxy-test/up')),
      down: new LinkModel('down', impairments.down ?? {}, createRng('proxy-test/down')),
    },
    clock: impairments.clock ?? new ScaledRealClock(),
  });
}

/**
 * connectMqtt with quick reconnects, so tests of reconnection take a fraction of a second. Socket errors are
 * expected here (the proxy resets connections on purpose), so they are kept on `errors` instead of thrown.
 */
export async function mqttClient(url: string, options: ConnectOptions = {}): Promise<MqttClient & { errors: Error[] }> {
  const client = await connectMqtt(url, { reconnectPeriod: 200, connectTimeoutMs: 5_000, ...options });
  const errors: Error[] = [];
  client.on('error', (error) => errors.push(error));
  return Object.assign(client, { errors });
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(10);
  }
}

/** A TCP port that was free a moment ago (for servers that cannot be told to pick port 0 and report it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts TCP connections on `port`. */
export async function waitForListener(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (performance.now() > deadline) throw new Error(`nothing accepted connections on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await pause(50);
  }
}

/** Collects messages on `topic`, in arrival order: payload text and the DUP flag. */
export async function collect(client: MqttClient, topic: string, qos: 0 | 1 = 0): Promise<Array<{ text: string; dup: boolean }>> {
  const seen: Array<{ text: string; dup: boolean }> = [];
  client.on('message', (t, payload, packet) => {
    if (t === topic) seen.push({ text: payload.toString(), dup: packet.dup });
  });
  await client.subscribeAsync(topic, { qos });
  return seen;
}
