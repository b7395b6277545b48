import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { Forwarder, PRIORITY, UplinkRejectedError, type DurableStore, type UplinkClient } from '../../../../gateway/store/index';
import type { Clock } from '../../../../sim/index';
import { message, tempStore } from './support';

const { events, features, raw } = PRIORITY;

interface Publish {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  settle: (error?: Error) => void;
}

/** An mqtt.js stand-in: records publishes; the test decides when PUBACKs arrive and when the link drops. */
class FakeUplink extends EventEmitter implements UplinkClient {
  connected = true;
  readonly published: Publish[] = [];
  #unsettled: Publish[] = [];

  publish(topic: string, payload: Buffer, options: { qos: 0 | 1 }, callback: (error?: Error) => void): void {
    const entry = { topic, payload, qos: options.qos, settle: callback };
    this.published.push(entry);
    // QoS 0 is done once written; mqtt.js calls back after the write.
    if (options.qos === 0) setImmediate(callback);
    else this.#unsettled.push(entry);
  }

  /** PUBACKs for the `n` oldest unacknowledged publishes. */
  ack(n = Infinity): void {
    for (const entry of this.#unsettled.splice(0, n)) entry.settle();
  }

  get unacked(): number {
    return this.#unsettled.length;
  }

  drop(): void {
    this.connected = false;
    this.emit('close');
  }

  /** Reconnects; mqtt.js first writes again what was unacknowledged, then emits `connect`. */
  reconnect(): void {
    this.connected = true;
    for (const entry of this.#unsettled) this.published.push(entry);
    this.emit('connect');
  }

  /** Fails every unacknowledged publish, as mqtt.js does when the client is ended. */
  flushWithError(error: Error): void {
    for (const entry of this.#unsettled.splice(0)) entry.settle(error);
  }
}

/** Lets the forwarder's setImmediate ticks run. */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

const seqOf = (p: Publish) => p.payload[0]!;
const kindOf = (p: Publish) => p.topic.split('/').pop();

function setup(options: { maxInFlight?: number; pageSize?: number; store?: DurableStore; clock?: Clock } = {}) {
  const made = options.store ? undefined : tempStore();
  const store = options.store ?? made!.store;
  const clock = options.clock ?? made!.clock;
  const client = new FakeUplink();
  const errors: Error[] = [];
  const forwarder = new Forwarder({ store, client, clock, maxInFlight: options.maxInFlight ?? 4, pageSize: options.pageSize, onError: (e) => errors.push(e) });
  return { store, client, forwarder, errors, made };
}

describe('Forwarder', () => {
  it('sends events, then features, then raw blocks, oldest first within each, whatever the insertion order', async () => {
    const { store, client, forwarder } = setup({ maxInFlight: 1 });
    store.enqueue([message(raw, 1), message(features, 2), message(events, 3), message(raw, 4), message(features, 5), message(events, 6)]);
    forwarder.start();
    for (let i = 0; i < 6; i++) {
      await settle();
      client.ack();
    }
    await settle();
    expect(client.published.map((p) => `${kindOf(p)}:${seqOf(p)}`)).toEqual(['events:3', 'events:6', 'features:2', 'features:5', 'raw:1', 'raw:4']);
    expect(store.outboxStats().depth).toEqual([0, 0, 0]);
  });

  it('keeps at most maxInFlight unacknowledged and refills the window as PUBACKs arrive', async () => {
    const { store, client, forwarder } = setup({ maxInFlight: 3 });
    store.enqueue(Array.from({ length: 10 }, (_, i) => message(features, i)));
    forwarder.start();
    await settle();
    expect(client.published).toHaveLength(3);
    client.ack(2);
    await settle();
    expect(client.published).toHaveLength(5);
    expect(client.unacked).toBe(3);
    expect(forwarder.stats()).toMatchObject({ sent: 5, acked: 2, inFlight: 3 });
  });

  it('sends an event queued while raw blocks are in flight in the next free slot', async () => {
    const { store, client, forwarder } = setup({ maxInFlight: 2 });
    store.enqueue(Array.from({ length: 5 }, (_, i) => message(raw, i)));
    forwarder.start();
    await settle();
    store.enqueue([message(events, 9)]);
    client.ack(1);
    await settle();
    expect(client.published.map((p) => `${kindOf(p)}:${seqOf(p)}`)).toEqual(['raw:0', 'raw:1', 'events:9']);
  });

  it('deletes a QoS 1 row only on its PUBACK, and a QoS 0 row once written, telling onAcked once each', async () => {
    const { store, client } = setup();
    const acked: string[] = [];
    const forwarder = new Forwarder({ store, client, clock: { now: () => 0, schedule: () => () => {} }, onAcked: (row) => acked.push(`${row.qos}:${row.bytes}`) });
    store.enqueue([message(features, 1, 40), { ...message(raw, 2, 70), qos: 0 }]);
    forwarder.start();
    await settle();
    expect(client.published).toHaveLength(2);
    expect(store.outboxStats().depth).toEqual([0, 1, 0]);
    expect(acked).toEqual(['0:70']);
    client.ack();
    await settle();
    expect(store.outboxStats().depth).toEqual([0, 0, 0]);
    expect(acked).toEqual(['0:70', '1:40']);
  });

  it('writes nothing while disconnected, then replays in order: the in-flight rows first, counted as resent', async () => {
    const { store, client, forwarder } = setup({ maxInFlight: 2 });
    store.enqueue([message(features, 1), message(features, 2), message(features, 3)]);
    forwarder.start();
    await settle();
    client.drop();
    store.enqueue([message(events, 4)]);
    await settle();
    expect(client.published.map(seqOf)).toEqual([1, 2]);
    client.reconnect();
    await settle();
    client.ack();
    await settle();
    client.ack();
    await settle();
    // Features 1 and 2 again (same bytes), then the event that was queued meanwhile, then feature 3.
    expect(client.published.map(seqOf)).toEqual([1, 2, 1, 2, 4, 3]);
    expect(forwarder.stats()).toMatchObject({ sent: 4, acked: 4, resent: 2, depth: [0, 0, 0] });
  });

  it('sends again, in order, a row whose publish failed because the client was ended', async () => {
    const { store, client, forwarder } = setup({ maxInFlight: 2 });
    store.enqueue([message(raw, 1), message(raw, 2), message(raw, 3)]);
    forwarder.start();
    await settle();
    client.connected = false;
    client.flushWithError(new Error('Connection closed'));
    client.connected = true;
    client.emit('connect');
    await settle();
    expect(client.published.map(seqOf)).toEqual([1, 2, 1, 2]);
    client.ack();
    await settle();
    client.ack();
    await settle();
    expect(client.published.map(seqOf)).toEqual([1, 2, 1, 2, 3]);
    expect(forwarder.stats()).toMatchObject({ acked: 3, resent: 2, refused: [0, 0, 0] });
  });

  it('after a restart sends the rows that were in flight again, byte for byte, counted as resent', async () => {
    const first = setup({ maxInFlight: 3 });
    first.store.enqueue(Array.from({ length: 5 }, (_, i) => message(features, i, 64 + i)));
    first.forwarder.start();
    await settle();
    first.client.ack(1);
    await settle();
    const sentBefore = first.client.published.map((p) => p.payload);
    // Killed: no more PUBACKs, nothing flushed beyond what the store already holds.
    first.forwarder.stop();
    first.store.close();

    const store = first.made!.open();
    const second = setup({ store, clock: first.made!.clock, maxInFlight: 10 });
    second.forwarder.start();
    await settle();
    expect(second.client.published.map(seqOf)).toEqual([1, 2, 3, 4]);
    expect(second.client.published.slice(0, 3).map((p) => p.payload)).toEqual(sentBefore.slice(1, 4));
    expect(second.forwarder.stats()).toMatchObject({ sent: 4, resent: 3 });
  });

  it('drops and reports a row upstream refuses while connected, instead of retrying it forever', async () => {
    const { store, client, forwarder, errors } = setup();
    store.enqueue([message(events, 1), message(events, 2)]);
    forwarder.start();
    await settle();
    client.published[0]!.settle(new Error('Unspecified error'));
    client.published[1]!.settle();
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(UplinkRejectedError);
    expect(errors[0]!.message).toMatch(/upstream refused a message on twinbed\/site-1\/pump-1\/accel\/events: Unspecified error/);
    expect(forwarder.stats()).toMatchObject({ acked: 1, refused: [1, 0, 0], depth: [0, 0, 0] });
  });

  it('reads the outbox a page at a time, never the whole table', async () => {
    const { store, client, forwarder } = setup({ maxInFlight: 8, pageSize: 16 });
    store.enqueue(Array.from({ length: 1000 }, (_, i) => message(raw, i, 8)));
    const page = vi.spyOn(store, 'outboxPage');
    forwarder.start();
    for (let i = 0; i < 200 && store.outboxStats().depth[raw] > 0; i++) {
      await settle();
      client.ack();
    }
    expect(store.outboxStats().depth[raw]).toBe(0);
    // Pages of at most pageSize rows: 1000 rows take at least 63 reads, none of more than 16 rows.
    expect(Math.max(...page.mock.calls.map(([, , limit]) => limit))).toBe(16);
    expect(Math.max(...page.mock.results.map((r) => (r.value as unknown[]).length))).toBeLessThanOrEqual(16);
    expect(page.mock.calls.length).toBeGreaterThanOrEqual(63);
  });

  it('reports the age of the oldest queued row per priority on its clock', async () => {
    const { store, forwarder, made } = setup();
    store.enqueue([message(raw, 1)]);
    await made!.clock.runUntil(made!.clock.now() + 1500);
    store.enqueue([message(events, 2)]);
    await made!.clock.runUntil(made!.clock.now() + 500);
    expect(forwarder.stats().oldestAgeMs).toEqual([500, null, 2000]);
  });
});
