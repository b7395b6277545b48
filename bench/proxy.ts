// Proxy benchmark: what the MQTT impairment proxy costs with no impairment set. Baseline, measured in the same run:
// the same clients straight to the same kind of aedes broker. Publisher and subscriber both go through the proxy,
// so every message crosses it twice (up, then down).
import os from 'node:os';
import { connectMqtt, createRng, LinkModel, ScaledRealClock, startBroker, type MqttClient } from '../sim';
import { startMqttProxy } from '../sim/proxy/index';
import { machineLine, percentile } from './machine';

export interface ProxyBenchResult {
  /** Proxied ÷ direct QoS 1 throughput, median over paired rounds; the target is ≥ 0.8. */
  throughputRatio: number;
  /** Proxied − direct publish → receive latency, ms. */
  addedLatencyP50Ms: number;
  addedLatencyP99Ms: number;
  throughput: { messages: number; payloadBytes: number; window: number; rounds: number; directPerS: number; proxiedPerS: number; ratios: number[] };
  latency: { messages: number; gapMs: number; directP50Ms: number; directP99Ms: number; proxiedP50Ms: number; proxiedP99Ms: number };
  /** 1-minute load average when the bench started: above the core count, other work shared the machine. */
  loadAverage: number;
}

interface Path {
  /** Where clients connect: the proxy when proxied, else the broker. */
  url: string;
  /** The broker itself. */
  direct: string;
  close(): Promise<void>;
}

type Mode = 'direct' | 'proxied';

/** A fresh aedes broker, with a proxy (no impairment) in front of it when `mode` is proxied. */
async function path(mode: Mode): Promise<Path> {
  const broker = await startBroker();
  if (mode === 'direct') return { url: broker.url, direct: broker.url, close: () => broker.close() };
  const proxy = await startMqttProxy({
    upstream: { host: broker.host, port: broker.port },
    links: { up: new LinkModel('up', {}, createRng('bench/up')), down: new LinkModel('down', {}, createRng('bench/down')) },
    clock: new ScaledRealClock(),
  });
  return {
    url: proxy.url,
    direct: broker.url,
    close: async () => {
      await proxy.close();
      await broker.close();
    },
  };
}

/** Messages per second: `count` QoS 1 publishes of `bytes` each, at most `window` unacknowledged, until the QoS 1 subscriber has them all. */
async function throughput(mode: Mode, count: number, bytes: number, window: number): Promise<number> {
  const route = await path(mode);
  const sub = await connectMqtt(route.url);
  const pub = await connectMqtt(route.url);
  await sub.subscribeAsync('bench/proxy/throughput', { qos: 1 });
  let received = 0;
  const allReceived = new Promise<void>((resolve) => sub.on('message', () => ++received === count && resolve()));
  const payload = Buffer.alloc(bytes, 0x5a);
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve, reject) => {
    let inFlight = 0;
    const next = () => {
      while (inFlight < window && sent < count) {
        inFlight++;
        sent++;
        pub.publish('bench/proxy/throughput', payload, { qos: 1 }, (error) => {
          if (error) return reject(error);
          inFlight--;
          if (sent === count && inFlight === 0) resolve();
          else next();
        });
      }
    };
    next();
  });
  await allReceived;
  const elapsedMs = performance.now() - started;
  await close(pub, sub, route);
  return (count / elapsedMs) * 1000;
}

/**
 * Publish → receive latency of `count` 64-byte QoS 0 messages per path, sorted, ms. One broker with the proxy in
 * front; one tick every `gapMs` alternates between the direct pair of clients and the proxied pair, so both paths
 * see the same machine at the same moments and drift cannot favour either.
 */
async function latencies(count: number, gapMs: number): Promise<Record<Mode, number[]>> {
  const route = await path('proxied');
  const pairs = {
    direct: { pub: await connectMqtt(route.direct), sub: await connectMqtt(route.direct) },
    proxied: { pub: await connectMqtt(route.url), sub: await connectMqtt(route.url) },
  };
  const out: Record<Mode, number[]> = { direct: [], proxied: [] };
  const sentAt: Record<Mode, Float64Array> = { direct: new Float64Array(count), proxied: new Float64Array(count) };
  const done = Promise.all(
    (['direct', 'proxied'] as const).map(
      (mode) =>
        new Promise<void>((resolve) =>
          pairs[mode].sub.on('message', (_topic, payload) => {
            out[mode].push(performance.now() - sentAt[mode][payload.readUInt32LE(0)]!);
            if (out[mode].length === count) resolve();
          }),
        ),
    ),
  );
  for (const mode of ['direct', 'proxied'] as const) await pairs[mode].sub.subscribeAsync(`bench/proxy/latency/${mode}`, { qos: 0 });
  for (let tick = 0; tick < 2 * count; tick++) {
    const mode: Mode = tick % 2 === 0 ? 'direct' : 'proxied';
    const i = tick >> 1;
    const payload = Buffer.alloc(64);
    payload.writeUInt32LE(i, 0);
    sentAt[mode][i] = performance.now();
    pairs[mode].pub.publish(`bench/proxy/latency/${mode}`, payload, { qos: 0 });
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  for (const pair of Object.values(pairs)) {
    await pair.pub.endAsync();
    await pair.sub.endAsync();
  }
  await route.close();
  return { direct: out.direct.sort((a, b) => a - b), proxied: out.proxied.sort((a, b) => a - b) };
}

async function close(pub: MqttClient, sub: MqttClient, route: Path): Promise<void> {
  await pub.endAsync();
  await sub.endAsync();
  await route.close();
}

export async function proxyBench(options: { messages?: number; payloadBytes?: number; window?: number; rounds?: number; latencyMessages?: number; gapMs?: number } = {}): Promise<ProxyBenchResult> {
  const { messages = 20_000, payloadBytes = 4096, window = 100, rounds = 5, latencyMessages = 2000, gapMs = 1 } = options;
  const loadAverage = Number(os.loadavg()[0]!.toFixed(2));
  // Warm-up (JIT, sockets), then paired rounds in alternating order, so drift on a busy machine hits both sides
  // alike; the ratio is the median of the rounds' ratios, and each rate the median of its rounds.
  await throughput('direct', 2000, payloadBytes, window);
  await throughput('proxied', 2000, payloadBytes, window);
  const direct: number[] = [];
  const proxied: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order: Mode[] = round % 2 === 0 ? ['direct', 'proxied'] : ['proxied', 'direct'];
    const rate: Partial<Record<Mode, number>> = {};
    for (const mode of order) rate[mode] = await throughput(mode, messages, payloadBytes, window);
    direct.push(rate.direct!);
    proxied.push(rate.proxied!);
    ratios.push(rate.proxied! / rate.direct!);
  }
  const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
  const directPerS = median(direct);
  const proxiedPerS = median(proxied);
  const { direct: directLatency, proxied: proxiedLatency } = await latencies(latencyMessages, gapMs);
  const round3 = (x: number) => Number(x.toFixed(3));
  const p = (sorted: number[], q: number) => round3(percentile(sorted, q));
  return {
    throughputRatio: round3(median(ratios)),
    addedLatencyP50Ms: round3(percentile(proxiedLatency, 50) - percentile(directLatency, 50)),
    addedLatencyP99Ms: round3(percentile(proxiedLatency, 99) - percentile(directLatency, 99)),
    throughput: { messages, payloadBytes, window, rounds, directPerS: Math.round(directPerS), proxiedPerS: Math.round(proxiedPerS), ratios: ratios.map(round3) },
    latency: {
      messages: latencyMessages,
      gapMs,
      directP50Ms: p(directLatency, 50),
      directP99Ms: p(directLatency, 99),
      proxiedP50Ms: p(proxiedLatency, 50),
      proxiedP99Ms: p(proxiedLatency, 99),
    },
    loadAverage,
  };
}

const signed = (ms: number) => `${ms < 0 ? '−' : '+'}${Math.abs(ms)}`;

export function formatProxy(r: ProxyBenchResult): string {
  const t = r.throughput;
  const l = r.latency;
  return [
    `proxy: MQTT impairment proxy with no impairment vs the same clients straight to aedes, publisher and subscriber both proxied, on ${machineLine()}, load average ${r.loadAverage}`,
    `  throughput, ${t.messages} QoS 1 publishes of ${t.payloadBytes} B, ≤ ${t.window} in flight, median of ${t.rounds} paired rounds`,
    `    direct to aedes (baseline)   ${t.directPerS} msg/s`,
    `    through the proxy            ${t.proxiedPerS} msg/s   (÷ baseline: ×${r.throughputRatio}, target ≥ 0.8; rounds ${t.ratios.join(' ')})`,
    `  latency, ${l.messages} QoS 0 messages of 64 B per path, one every ${l.gapMs} ms alternating between the paths, publish → receive`,
    `    direct to aedes (baseline)   p50 ${l.directP50Ms} ms   p99 ${l.directP99Ms} ms`,
    `    through the proxy            p50 ${l.proxiedP50Ms} ms   p99 ${l.proxiedP99Ms} ms   (added: p50 ${signed(r.addedLatencyP50Ms)} ms, p99 ${signed(r.addedLatencyP99Ms)} ms)`,
  ].join('\n');
}
