// Broker latency benchmark: what TCP_NODELAY buys on loopback. Publisher → aedes → subscriber, one-way latency,
// with twinbed's sockets (noDelay on the broker and the clients) against the defaults (Nagle on), same run.
import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { connectMqtt, startBroker } from '../sim';
import { machineLine, percentile } from './machine';

export interface BrokerBenchResult {
  messages: number;
  noDelayP50Ms: number;
  noDelayP99Ms: number;
  nagleP50Ms: number;
  nagleP99Ms: number;
  /** Nagle p99 ÷ noDelay p99. */
  p99Ratio: number;
}

interface Setup {
  url: string;
  connect: (url: string) => Promise<mqtt.MqttClient>;
  close: () => Promise<void>;
}

async function twinbedSockets(): Promise<Setup> {
  const broker = await startBroker();
  return { url: broker.url, connect: (url) => connectMqtt(url), close: () => broker.close() };
}

async function defaultSockets(): Promise<Setup> {
  const aedes = await Aedes.createBroker();
  const server = net.createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    connect: (url) => mqtt.connectAsync(url),
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Publishes `count` small QoS 0 messages every `gapMs` and returns each one's publish-to-receive latency, ms. */
async function latencies(setup: Setup, count: number, gapMs: number): Promise<number[]> {
  const sub = await setup.connect(setup.url);
  const pub = await setup.connect(setup.url);
  const sentAt = new Map<number, number>();
  const out: number[] = [];
  const done = new Promise<void>((resolve) => {
    sub.on('message', (_topic, payload) => {
      const id = payload.readUInt32LE(0);
      out.push(performance.now() - sentAt.get(id)!);
      if (out.length === count) resolve();
    });
  });
  await sub.subscribeAsync('bench/latency', { qos: 0 });
  const payload = Buffer.alloc(64);
  for (let i = 0; i < count; i++) {
    payload.writeUInt32LE(i, 0);
    sentAt.set(i, performance.now());
    pub.publish('bench/latency', Buffer.from(payload), { qos: 0 });
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  await pub.endAsync();
  await sub.endAsync();
  await setup.close();
  return out.sort((a, b) => a - b);
}

export async function brokerBench(count = 1000): Promise<BrokerBenchResult> {
  const fast = await latencies(await twinbedSockets(), count, 1);
  const slow = await latencies(await defaultSockets(), count, 1);
  const round = (x: number) => Number(x.toFixed(3));
  return {
    messages: count,
    noDelayP50Ms: round(percentile(fast, 50)),
    noDelayP99Ms: round(percentile(fast, 99)),
    nagleP50Ms: round(percentile(slow, 50)),
    nagleP99Ms: round(percentile(slow, 99)),
    p99Ratio: round(percentile(slow, 99) / percentile(fast, 99)),
  };
}

export function formatBroker(r: BrokerBenchResult): string {
  return [
    `broker: ${r.messages} QoS 0 messages of 64 bytes, 1 ms apart, publisher → aedes → subscriber on loopback, on ${machineLine()}`,
    `  default sockets, Nagle on (baseline)   p50 ${r.nagleP50Ms} ms   p99 ${r.nagleP99Ms} ms`,
    `  twinbed sockets, TCP_NODELAY           p50 ${r.noDelayP50Ms} ms   p99 ${r.noDelayP99Ms} ms   (baseline p99 ÷ this p99: ×${r.p99Ratio})`,
  ].join('\n');
}
