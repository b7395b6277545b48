import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DurableStore, Forwarder, PRIORITY, type OutboxInput, type Priority } from '../../../gateway/store/index';
import { connectMqtt, createRng, ScaledRealClock, startBroker, type EmbeddedBroker, type MqttClient } from '../../../sim/index';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbed-forwarder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KINDS = ['events', 'features', 'raw'] as const;
const clock = new ScaledRealClock();

/** `counts[p]` messages of each priority, shuffled with a fixed seed; the payload names the message. */
function messages(counts: readonly [number, number, number], payloadBytes: number): OutboxInput[] {
  const list = counts.flatMap((n, p) =>
    Array.from({ length: n }, (_, seq): OutboxInput => {
      const name = `${KINDS[p]}:${seq}`;
      const payload = Buffer.alloc(payloadBytes, 0x20);
      payload.write(name);
      return { priority: p as Priority, topic: `twinbed/site-1/pump-1/accel/${KINDS[p]}`, payload, qos: 1, key: { device: 'pump-1', sensor: 'accel', seq } };
    }),
  );
  const rng = createRng('forwarder-reconnect');
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** An upstream broker that records, in `authorizePublish` (before it writes the PUBACK), every message it gets. */
async function upstream(port: number, arrivals: string[]): Promise<EmbeddedBroker> {
  return startBroker({
    port,
    id: `upstream-${port}`,
    authorizePublish: (client, packet, done) => {
      if (client) arrivals.push(packet.payload.toString().trimEnd());
      done(null);
    },
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(5);
  }
}

function openStore(name: string): DurableStore {
  const store = DurableStore.open({ path: path.join(dir, name), clock });
  cleanups.push(() => store.close());
  return store;
}

/** Socket errors the client reported; a broker that goes away makes them, and the test checks they are only those. */
const clientErrors: string[] = [];

async function client(url: string): Promise<MqttClient> {
  const c = await connectMqtt(url, { clientId: `forwarder-${url}`, clean: true, reconnectPeriod: 50 });
  c.on('error', (error) => clientErrors.push(String((error as { code?: unknown }).code ?? error.message)));
  cleanups.push(() => void c.end(true));
  return c;
}

/** Sending rank: priority first, then the order the messages were queued in. */
const ranker = (queuedInOrder: readonly OutboxInput[]) => {
  const rankOf = new Map(queuedInOrder.map((m, i) => [m.payload.toString().trimEnd(), m.priority * 1e6 + i]));
  return (name: string) => rankOf.get(name)!;
};

describe('Forwarder over loopback MQTT', () => {
  it('drains 1,000 rows, events first, through a broker restart on the same port: every row arrives, acked rows are gone', async () => {
    const store = openStore('reconnect.db');
    const all = messages([100, 400, 500], 256);
    store.enqueue(all);
    // Queued in shuffled order, sent in priority order: the first 100 the broker sees are the events.
    const arrivals: string[] = [];
    let broker = await upstream(0, arrivals);
    const port = broker.port;
    cleanups.push(() => broker.close());
    const mqtt = await client(broker.url);
    const maxInFlight = 32;
    const forwarder = new Forwarder({ store, client: mqtt, clock, maxInFlight });
    cleanups.push(() => forwarder.stop());
    forwarder.start();

    await until(() => arrivals.length >= 300, '300 arrivals');
    await broker.close();
    await until(() => !mqtt.connected, 'the client to see the broker go');
    // No PUBACK comes after the close; the forwarder deletes the last ones it got on its next tick.
    const queued = () => store.outboxStats().depth.reduce((a, b) => a + b, 0);
    await until(() => queued() === 1000 - forwarder.stats().acked, 'the acknowledged rows to be deleted');
    const atBreak = forwarder.stats();
    const remaining = queued();
    const firstBroker = new Set(arrivals);
    // What was acknowledged is deleted; what is left never reached the broker or was in flight when it went.
    expect(atBreak.acked).toBeGreaterThanOrEqual(300 - maxInFlight);
    expect(remaining).toBe(1000 - atBreak.acked);
    const leftRows = PRIORITY_LIST.flatMap((p) => store.outboxPage(p, 0, 1000)).map((r) => r.payload.toString().trimEnd());
    expect(leftRows.filter((name) => firstBroker.has(name)).length).toBeLessThanOrEqual(maxInFlight);
    // Reconnects fail while nothing listens (every 50 ms); let two fail before the broker comes back.
    const refused = () => clientErrors.filter((code) => code === 'ECONNREFUSED').length;
    const refusedAtBreak = refused();
    await until(() => refused() >= refusedAtBreak + 2, 'two refused reconnects');

    broker = await upstream(port, arrivals);
    await until(() => store.outboxStats().depth.every((n) => n === 0) && forwarder.stats().inFlight === 0, 'the outbox to drain');
    const stats = forwarder.stats();

    const firstSeen = [...new Set(arrivals)];
    expect(firstSeen).toHaveLength(1000);
    expect(new Set(firstSeen)).toEqual(new Set(all.map((m) => m.payload.toString().trimEnd())));
    expect(firstSeen.slice(0, 100).every((name) => name.startsWith('events:'))).toBe(true);
    // Priority order and FIFO within a priority hold across the break.
    const rank = ranker(all);
    expect(firstSeen).toEqual([...firstSeen].sort((a, b) => rank(a) - rank(b)));
    expect(new Set(clientErrors.splice(0))).toSatisfy((codes: Set<string>) => [...codes].every((c) => c === 'ECONNRESET' || c === 'ECONNREFUSED'));
    // Resends are byte-identical copies of messages in flight at the break; the cloud's dedupe drops them.
    const copies = arrivals.length - 1000;
    expect(copies).toBeLessThanOrEqual(maxInFlight);
    // Resent: what was in flight at the break, counted once however many reconnect attempts failed.
    expect(stats.resent).toBeGreaterThanOrEqual(copies);
    expect(stats.resent).toBeLessThanOrEqual(maxInFlight);
    expect(stats).toMatchObject({ acked: 1000, refused: [0, 0, 0], depth: [0, 0, 0] });
    console.log(`reconnect drain: ${arrivals.length} arrivals for 1000 rows (${copies} duplicate copies), resent ${stats.resent}`);
  });
});

const PRIORITY_LIST = [PRIORITY.events, PRIORITY.features, PRIORITY.raw] as const;
