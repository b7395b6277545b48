import { describe, expect, it } from 'vitest';
import { InboxPump, PRIORITY, StoreError, type HandOver, type InboxRow } from '../../../../gateway/store/index';
import { failInsertsOn, message, queued, reading, tempStore } from './support';

const toFeatures = (row: InboxRow): HandOver => ({ enqueue: [message(PRIORITY.features, row.seq!)], release: [row.id] });
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('InboxPump', () => {
  it('replays, in arrival order, the rows a previous run accepted and never handed over', async () => {
    const { store, open } = tempStore();
    for (const seq of [4, 2, 8, 6]) store.acceptInbox(reading(seq));
    store.close();

    const again = open();
    const pump = new InboxPump({ store: again, process: toFeatures, maxRows: 3 });
    pump.start();
    await pump.idle();
    await turn();
    await pump.idle();
    expect(queued(again)).toEqual(['features:4', 'features:2', 'features:8', 'features:6']);
    expect(again.inboxDepth()).toBe(0);
    await pump.stop();
  });

  it('hands rows accepted before it runs over together, on the next turn of the event loop, in one transaction', async () => {
    const { store } = tempStore();
    const commits: number[] = [];
    const pump = new InboxPump({ store, process: toFeatures, onCommitted: (r) => commits.push(r.released) });
    pump.start();
    await pump.idle();
    for (const seq of [1, 2, 3]) {
      store.acceptInbox(reading(seq));
      pump.notify();
    }
    expect(queued(store)).toEqual([]);
    await turn();
    await pump.idle();
    expect(queued(store)).toEqual(['features:1', 'features:2', 'features:3']);
    expect(commits).toEqual([3]);
    await pump.stop();
  });

  it('keeps a row that only fed an open window in the inbox until a later row releases it', async () => {
    const { store, open } = tempStore();
    const held: number[] = [];
    // Two rows make a window: the first is held, the second releases both with one message.
    const pump = new InboxPump({
      store,
      process: (row) => {
        if (row.seq! % 2 === 0) {
          held.push(row.id);
          return { enqueue: [], release: [] };
        }
        return { enqueue: [message(PRIORITY.features, row.seq! - 1)], release: [...held.splice(0), row.id] };
      },
    });
    pump.start();
    store.acceptInbox(reading(0));
    pump.notify();
    await turn();
    await pump.idle();
    expect(store.inboxDepth()).toBe(1);
    expect(queued(store)).toEqual([]);
    store.close();
    // Killed here: the held row is replayed by the next run.
    expect([...open().pendingInbox()].map((r) => r.seq)).toEqual([0]);
  });

  it('leaves a row it cannot process in the inbox, reports it, and hands the others over', async () => {
    const { store, open } = tempStore();
    for (const seq of [1, 2, 3]) store.acceptInbox(reading(seq));
    const errors: Array<[Error, number | undefined]> = [];
    const pump = new InboxPump({
      store,
      process: (row) => {
        if (row.seq === 2) throw new Error('bug in the feature code');
        return toFeatures(row);
      },
      onError: (error, row) => errors.push([error, row?.seq ?? undefined]),
    });
    pump.start();
    await turn();
    await pump.stop();
    expect(errors.map(([e, seq]) => `${seq}: ${e.message}`)).toEqual(['2: bug in the feature code']);
    expect(queued(store)).toEqual(['features:1', 'features:3']);
    store.close();
    // The next run tries it again.
    expect([...open().pendingInbox()].map((r) => r.seq)).toEqual([2]);
  });

  it('keeps the rows in the inbox when the hand-over fails, and hands them over when notified again', async () => {
    const { store, file } = tempStore();
    for (const seq of [1, 2]) store.acceptInbox(reading(seq));
    const errors: Error[] = [];
    const pump = new InboxPump({ store, process: toFeatures, onError: (e) => errors.push(e) });
    const restore = failInsertsOn(file, message(PRIORITY.features, 0).topic);
    pump.start();
    await turn();
    await pump.idle();
    expect(errors[0]).toBeInstanceOf(StoreError);
    expect(store.inboxDepth()).toBe(2);
    restore();
    pump.notify();
    await turn();
    await pump.idle();
    expect(queued(store)).toEqual(['features:1', 'features:2']);
    expect(store.inboxDepth()).toBe(0);
    await pump.stop();
  });
});
