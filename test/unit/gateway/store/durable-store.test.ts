import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../protocol/index';
import { DurableStore, PRIORITY, StoreError } from '../../../../gateway/store/index';
import { failInsertsOn, message, queued, reading, T0, tempStore } from './support';

const { events, features, raw } = PRIORITY;
const noDrops = { evicted: [0, 0, 0], rejected: [0, 0, 0], 'too-large': [0, 0, 0] };

describe('DurableStore outbox order', () => {
  it('orders by priority — events, then features, then raw — whatever the insertion order', () => {
    const { store } = tempStore();
    store.enqueue([message(raw, 1), message(features, 2), message(events, 3), message(raw, 4), message(events, 5), message(features, 6)]);
    expect(queued(store)).toEqual(['events:3', 'events:5', 'features:2', 'features:6', 'raw:1', 'raw:4']);
  });

  it('keeps first-in, first-out within a priority, across commits and pages', async () => {
    const { store, clock } = tempStore();
    for (let seq = 1; seq <= 5; seq++) {
      store.enqueue([message(features, seq)]);
      await clock.runUntil(clock.now() + 10);
    }
    const first = store.outboxPage(features, 0, 2);
    const rest = store.outboxPage(features, first[1]!.id, 10);
    expect([...first, ...rest].map((r) => r.key!.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rest.map((r) => r.enqueuedMs)).toEqual([T0 + 20, T0 + 30, T0 + 40]);
  });

  it('queues a dedupe key once while it is queued, and again once the first copy is gone', () => {
    const { store } = tempStore();
    expect(store.enqueue([message(features, 7), message(features, 7), message(raw, 7)])).toEqual(['queued', 'duplicate', 'queued']);
    expect(store.outboxStats().duplicates).toBe(1);
    const [row] = store.outboxPage(features, 0, 10);
    store.deleteOutbox([row!.id]);
    expect(store.enqueue([message(features, 7)])).toEqual(['queued']);
  });
});

describe('DurableStore outbox bounds (drop-lowest-priority-oldest)', () => {
  // 10 rows of 100 bytes fill it exactly.
  const bounded = () => tempStore({ outbox: { maxBytes: 1000 } });

  it('evicts the oldest raw block to make room for a feature, and counts it', () => {
    const { store } = bounded();
    store.enqueue(Array.from({ length: 10 }, (_, i) => message(raw, i + 1)));
    expect(store.commit({ enqueue: [message(features, 100)] })).toEqual({ released: 0, outcomes: ['queued'], evicted: 1 });
    expect(queued(store)).toEqual(['features:100', ...Array.from({ length: 9 }, (_, i) => `raw:${i + 2}`)]);
    const stats = store.outboxStats();
    expect(stats.dropped).toEqual({ ...noDrops, evicted: [0, 0, 1] });
    expect(stats.depth).toEqual([0, 1, 9]);
    expect(stats.bytes).toEqual([0, 100, 900]);
  });

  it('drops raw before features and features before events, oldest first, as many as the newcomer needs', () => {
    const { store } = bounded();
    store.enqueue([message(events, 1), message(features, 2), message(raw, 3), message(features, 4), message(raw, 5), message(events, 6)]);
    store.enqueue([message(features, 7), message(features, 8), message(raw, 9), message(raw, 10)]);
    // A 450-byte event needs 5 rows out: the 4 raw blocks, then the oldest feature.
    expect(store.commit({ enqueue: [message(events, 11, 450)] }).evicted).toBe(5);
    expect(queued(store)).toEqual(['events:1', 'events:6', 'events:11', 'features:4', 'features:7', 'features:8']);
    expect(store.outboxStats().dropped.evicted).toEqual([0, 1, 4]);
  });

  it('evicts events only for an event, when nothing but events is left', () => {
    const { store } = bounded();
    store.enqueue(Array.from({ length: 10 }, (_, i) => message(events, i + 1)));
    expect(store.enqueue([message(events, 11)])).toEqual(['queued']);
    expect(queued(store)[0]).toBe('events:2');
    expect(store.outboxStats().dropped).toEqual({ ...noDrops, evicted: [1, 0, 0] });
  });

  it('rejects a newcomer that would need more urgent rows evicted, and then evicts nothing', () => {
    const { store } = bounded();
    store.enqueue([...Array.from({ length: 9 }, (_, i) => message(events, i + 1)), message(raw, 10)]);
    // A 200-byte feature may push out only the raw block (100 bytes): not enough, so raw:10 stays.
    expect(store.enqueue([message(features, 11, 200)])).toEqual(['rejected']);
    expect(queued(store)).toContain('raw:10');
    // An event takes the raw block's place; after that a raw block finds only events, which it may not push out.
    expect(store.enqueue([message(events, 12), message(raw, 13)])).toEqual(['queued', 'rejected']);
    expect(queued(store)).toEqual(Array.from({ length: 10 }, (_, i) => `events:${i < 9 ? i + 1 : 12}`));
    expect(store.outboxStats().dropped).toEqual({ ...noDrops, evicted: [0, 0, 1], rejected: [0, 1, 1] });
  });

  it('refuses a message larger than the whole bound as too-large', () => {
    const { store } = bounded();
    store.enqueue([message(raw, 1)]);
    expect(store.enqueue([message(events, 2, 1001)])).toEqual(['too-large']);
    expect(queued(store)).toEqual(['raw:1']);
    expect(store.outboxStats().dropped).toEqual({ ...noDrops, 'too-large': [1, 0, 0] });
  });

  it('bounds the row count with maxMessages as well', () => {
    const { store } = tempStore({ outbox: { maxBytes: 1_000_000, maxMessages: 3 } });
    expect(store.enqueue([message(raw, 1), message(raw, 2), message(features, 3), message(features, 4), message(raw, 5)])).toEqual([
      'queued',
      'queued',
      'queued',
      'queued',
      'queued',
    ]);
    expect(queued(store)).toEqual(['features:3', 'features:4', 'raw:5']);
    expect(store.outboxStats().dropped.evicted).toEqual([0, 0, 2]);
  });
});

describe('DurableStore outbox bounds (reject-new)', () => {
  it('keeps what is queued and rejects every newcomer while full, events included', () => {
    const { store } = tempStore({ outbox: { maxBytes: 300, dropPolicy: 'reject-new' } });
    store.enqueue([message(raw, 1), message(raw, 2), message(raw, 3)]);
    expect(store.enqueue([message(events, 4), message(features, 5), message(raw, 6)])).toEqual(['rejected', 'rejected', 'rejected']);
    expect(queued(store)).toEqual(['raw:1', 'raw:2', 'raw:3']);
    expect(store.outboxStats().dropped).toEqual({ ...noDrops, rejected: [1, 1, 1] });
  });
});

describe('DurableStore commit', () => {
  it('releases the inbox rows and queues their results together', () => {
    const { store } = tempStore();
    const ids = [1, 2, 3].map((seq) => store.acceptInbox(reading(seq)));
    const result = store.commit({ release: ids.slice(0, 2), enqueue: [message(features, 1), message(features, 2)] });
    expect(result).toEqual({ released: 2, outcomes: ['queued', 'queued'], evicted: 0 });
    expect([...store.pendingInbox()].map((r) => r.seq)).toEqual([3]);
    expect(queued(store)).toEqual(['features:1', 'features:2']);
  });

  it('applies nothing — inbox, outbox, evictions, counters — when the transaction fails half-way', () => {
    const { store, file } = tempStore({ outbox: { maxBytes: 300 } });
    const ids = [1, 2, 3].map((seq) => store.acceptInbox(reading(seq)));
    store.enqueue([message(raw, 10), message(raw, 11), message(raw, 12)]);
    const before = store.outboxStats();
    // The second message fails inside SQLite after the inbox deletes, the first insert and its eviction ran.
    const restore = failInsertsOn(file, message(events, 2).topic.replace('events', 'boom'));
    const boom = { ...message(events, 2), topic: message(events, 2).topic.replace('events', 'boom') };
    let thrown: unknown;
    try {
      store.commit({ release: ids, enqueue: [message(features, 1), boom] });
    } catch (error) {
      thrown = error;
    }
    restore();
    expect(thrown).toBeInstanceOf(StoreError);
    expect((thrown as StoreError).code).toBe('E_STORE_WRITE');
    expect((thrown as StoreError).message).toMatch(/injected failure; nothing of it was applied/);
    expect([...store.pendingInbox()].map((r) => r.id)).toEqual(ids);
    expect(queued(store)).toEqual(['raw:10', 'raw:11', 'raw:12']);
    expect(store.outboxStats()).toEqual(before);
    // And the store goes on: the same batch commits once the fault is gone.
    expect(store.commit({ release: ids, enqueue: [message(features, 1)] }).evicted).toBe(1);
  });
});

describe('DurableStore inbox', () => {
  it('replays pending rows in arrival order, a page at a time, skipping released ones', () => {
    const { store } = tempStore();
    const ids = [5, 3, 9, 1, 7].map((seq) => store.acceptInbox(reading(seq)));
    expect(store.releaseInbox([ids[1]!, ids[3]!, 999])).toBe(2);
    expect([...store.pendingInbox({ pageSize: 2 })].map((r) => r.seq)).toEqual([5, 9, 7]);
    expect([...store.pendingInbox({ afterId: ids[2]! })].map((r) => r.seq)).toEqual([7]);
    expect(store.inboxDepth()).toBe(3);
  });

  it('returns the stored row byte for byte', () => {
    const { store, clock } = tempStore();
    const input = { ...reading(42, 4096), qos: 0 as const };
    const id = store.acceptInbox(input);
    expect([...store.pendingInbox()]).toEqual([{ id, ...input, receivedMs: clock.now() }]);
  });

  it('stores a batch in one transaction: every payload, in order, or none', () => {
    const { store, file } = tempStore();
    const ids = store.acceptInboxBatch([reading(1), reading(2), reading(3)]);
    expect(ids).toHaveLength(3);
    expect([...store.pendingInbox()].map((r) => r.seq)).toEqual([1, 2, 3]);
    // A trigger refuses seq 5: the batch around it leaves nothing behind, in the file or in what the pump reads.
    const db = new Database(file);
    db.exec("CREATE TRIGGER fail_inbox BEFORE INSERT ON inbox WHEN NEW.seq = 5 BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    expect(() => store.acceptInboxBatch([reading(4), reading(5), reading(6)])).toThrow(StoreError);
    db.close();
    expect([...store.pendingInbox()].map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(store.inboxDepth()).toBe(3);
  });

  it('still finds rows read past in the file, for a reader that starts again lower', () => {
    const { store } = tempStore();
    const ids = [1, 2, 3, 4].map((seq) => store.acceptInbox(reading(seq, 64)));
    store.readThrough(ids[2]!);
    expect([...store.pendingInbox({ afterId: ids[2]! })].map((r) => r.seq)).toEqual([4]);
    const again = [...store.pendingInbox({ afterId: 0 })];
    expect(again.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(again[0]!.payload).toEqual(reading(1, 64).payload);
  });

  it('lets a write between pages of a replay go through', () => {
    const { store } = tempStore();
    for (let seq = 1; seq <= 6; seq++) store.acceptInbox(reading(seq));
    const seen: number[] = [];
    for (const row of store.pendingInbox({ pageSize: 2 })) {
      seen.push(row.seq!);
      store.commit({ release: [row.id], enqueue: [message(features, row.seq!)] });
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(store.inboxDepth()).toBe(0);
  });
});

describe('DurableStore on disk', () => {
  it('keeps inbox rows, outbox rows, totals and send attempts when the same file is opened again', () => {
    const { store, open } = tempStore();
    const a = store.acceptInbox(reading(1, 4096));
    store.acceptInbox(reading(2, 10));
    store.enqueue([message(raw, 3, 700), message(events, 4, 50)]);
    const [event] = store.outboxPage(events, 0, 1);
    store.markAttempted([event!.id]);
    const inbox = [...store.pendingInbox()];
    const outbox = queued(store);
    store.close();

    const again = open();
    expect([...again.pendingInbox()]).toEqual(inbox);
    expect(queued(again)).toEqual(outbox);
    expect(again.outboxStats()).toMatchObject({ depth: [1, 0, 1], bytes: [50, 0, 700] });
    expect(again.outboxPage(events, 0, 1)[0]!.attempts).toBe(1);
    expect(again.outboxPage(raw, 0, 1)[0]!.payload.equals(message(raw, 3, 700).payload as Buffer)).toBe(true);
    // Ids never go back, even once every row was released: arrival order holds across restarts.
    again.releaseInbox([...again.pendingInbox()].map((r) => r.id));
    again.close();
    expect(open().acceptInbox(reading(3))).toBeGreaterThan(a + 1);
  });

  it('runs the file in WAL mode with synchronous NORMAL by default and FULL on request', () => {
    const { file, store, open } = tempStore();
    expect(store.settings()).toEqual({ journalMode: 'wal', synchronous: 'normal' });
    store.close();
    const full = open({ synchronous: 'full' });
    expect(full.settings()).toEqual({ journalMode: 'wal', synchronous: 'full' });
    // WAL is a property of the file: a plain connection sees it too.
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a file of another schema version with E_STORE_SCHEMA, and use after close with E_STORE_CLOSED', () => {
    const { file, store, open } = tempStore();
    store.close();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => open()).toThrow(expect.objectContaining({ code: 'E_STORE_SCHEMA', message: expect.stringMatching(/version 99.*version 1/) }));
    const other = tempStore().store;
    other.close();
    expect(() => other.acceptInbox(reading(1))).toThrow(expect.objectContaining({ code: 'E_STORE_CLOSED' }));
  });

  it('rejects invalid bounds instead of clamping them', () => {
    const { file, clock } = tempStore();
    expect(() => DurableStore.open({ path: file, clock, outbox: { maxBytes: -1 } })).toThrow(ConfigError);
    expect(() => DurableStore.open({ path: file, clock, outbox: { maxBytes: -1 } })).toThrow(/outbox\.maxBytes/);
  });
});
