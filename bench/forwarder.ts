// Forwarder benchmark: the gateway's uplink draining a durable outbox (SQLite, priority order, a row deleted only on
// its PUBACK) into a loopback aedes, against mqtt.js publishing the same messages from memory with the same window,
// measured in the same run.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DurableStore, Forwarder, type OutboxInput, type Priority } from '../gateway';
import { connectMqtt, createRng, ScaledRealClock, startBroker } from '../sim';
import { machineLine, percentile } from './machine';

export interface ForwarderBenchResult {
  messages: number;
  payloadBytes: number;
  window: number;
  rounds: number;
  /** mqtt.js from memory, first publish → last PUBACK, messages/s, median round. */
  baselinePerS: number;
  /** The forwarder, start → last row acknowledged and deleted, messages/s, median round. */
  forwarderPerS: number;
  /** Forwarder ÷ baseline messages/s, median of the paired rounds' ratios. */
  ratio: number;
  ratios: number[];
  /** 1-minute load average when the bench started: above the core count, other work shared the machine. */
  loadAverage: number;
}

const MESSAGES = 5000;
const PAYLOAD_BYTES = 1024;
/** Unacknowledged QoS 1 publishes, at most, on both sides. */
const WINDOW = 64;
const ROUNDS = 5;
const KINDS = ['events', 'features', 'raw'] as const;

/** A gateway's outbox mix (10 % events, 40 % features, 50 % raw), shuffled with a fixed seed. */
function messages(): OutboxInput[] {
  const counts = [MESSAGES / 10, (4 * MESSAGES) / 10, MESSAGES / 2];
  const list = counts.flatMap((n, p) =>
    Array.from({ length: n }, (_, seq): OutboxInput => {
      const payload = Buffer.alloc(PAYLOAD_BYTES, 0x20);
      payload.write(`${KINDS[p]}:${seq}`);
      return { priority: p as Priority, topic: `twinbed/v1/bench/pump-1/${KINDS[p]}/accel`, payload, qos: 1, key: { device: 'pump-1', sensor: 'accel', seq } };
    }),
  );
  const rng = createRng('bench/forwarder');
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** Baseline: the same messages straight from memory through one mqtt.js client, WINDOW unacknowledged at most; ms. */
async function fromMemory(all: readonly OutboxInput[]): Promise<number> {
  const broker = await startBroker();
  const client = await connectMqtt(broker.url);
  try {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WINDOW }, async () => {
        while (next < all.length) {
          const m = all[next++]!;
          await client.publishAsync(m.topic, m.payload as Buffer, { qos: 1 });
        }
      }),
    );
    return performance.now() - started;
  } finally {
    await client.endAsync();
    await broker.close();
  }
}

/** The forwarder draining an outbox that holds the same messages (queued before the clock starts); ms. */
async function throughForwarder(all: readonly OutboxInput[], dir: string, round: number): Promise<number> {
  const clock = new ScaledRealClock();
  const store = DurableStore.open({ path: path.join(dir, `outbox-${round}.db`), clock });
  store.enqueue(all);
  const broker = await startBroker();
  const client = await connectMqtt(broker.url);
  let acked = 0;
  let done!: () => void;
  const drained = new Promise<void>((resolve) => (done = resolve));
  let failure: Error | undefined;
  const forwarder = new Forwarder({
    store,
    client,
    clock,
    maxInFlight: WINDOW,
    onAcked: () => ++acked === all.length && done(),
    onError: (error) => {
      failure ??= error;
      done();
    },
  });
  try {
    const started = performance.now();
    forwarder.start();
    await drained;
    const ms = performance.now() - started;
    if (failure) throw failure;
    // The last PUBACK's deletion is committed on the forwarder's next tick.
    await new Promise((resolve) => setImmediate(resolve));
    const depth = store.outboxStats().depth;
    if (depth.some((n) => n !== 0)) throw new Error(`forwarder bench: ${acked} acknowledged but the outbox still holds ${depth.join('/')} rows`);
    return ms;
  } finally {
    forwarder.stop();
    await client.endAsync();
    await broker.close();
    store.close();
  }
}

export async function forwarderBench(): Promise<ForwarderBenchResult> {
  const loadAverage = Number(os.loadavg()[0]!.toFixed(2));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'twinbed-bench-forwarder-'));
  try {
    const all = messages();
    // Warm-up of both paths (JIT, SQLite page cache), discarded.
    await fromMemory(all);
    await throughForwarder(all, dir, -1);
    const baseline: number[] = [];
    const forwarded: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which side goes first, so drift on a busy machine hits both alike.
      const order = round % 2 === 0 ? (['memory', 'forwarder'] as const) : (['forwarder', 'memory'] as const);
      const ms: Record<string, number> = {};
      for (const side of order) ms[side] = side === 'memory' ? await fromMemory(all) : await throughForwarder(all, dir, round);
      const perS = (x: number) => (MESSAGES / x) * 1000;
      baseline.push(perS(ms.memory!));
      forwarded.push(perS(ms.forwarder!));
      ratios.push(ms.memory! / ms.forwarder!);
    }
    const median = (xs: readonly number[]) => percentile([...xs].sort((a, b) => a - b), 50);
    const round3 = (x: number) => Number(x.toFixed(3));
    return {
      messages: MESSAGES,
      payloadBytes: PAYLOAD_BYTES,
      window: WINDOW,
      rounds: ROUNDS,
      baselinePerS: Math.round(median(baseline)),
      forwarderPerS: Math.round(median(forwarded)),
      ratio: round3(median(ratios)),
      ratios: ratios.map(round3),
      loadAverage,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatForwarder(r: ForwarderBenchResult): string {
  return [
    `forwarder: drain of ${r.messages} × ${r.payloadBytes / 1024} KB QoS 1 (10 % events, 40 % features, 50 % raw, shuffled), ≤ ${r.window} in flight, loopback aedes, ` +
      `median of ${r.rounds} paired rounds, on ${machineLine()}, load average ${r.loadAverage}`,
    `  mqtt.js publishing from memory (baseline)                         ${r.baselinePerS} msg/s`,
    `  forwarder: SQLite outbox in priority order, rows deleted on PUBACK   ${r.forwarderPerS} msg/s   ×${r.ratio} of baseline (rounds ${r.ratios.join(', ')})`,
  ].join('\n');
}
