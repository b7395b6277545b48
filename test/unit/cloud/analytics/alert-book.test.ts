import { describe, expect, it } from 'vitest';
import { AlertBook, alertId, AlertTransitionError, RuleEngine, ShelveTimeError, UnknownAlertError, type RuleChange } from '../../../../cloud/analytics/index';
import { rules, s, windowAt } from './engine-support';
import { MemoryAlertStore } from './memory-alert-store';

const change = (state: 'raised' | 'cleared', t: number, overrides: Partial<RuleChange> = {}): RuleChange => ({
  device: 'pump-1',
  sensor: 'accel',
  rule: 'rms above 0.2',
  severity: 'warning',
  tsMs: s(t),
  value: state === 'raised' ? 0.25 : 0.1,
  threshold: state === 'raised' ? 0.2 : 0.16,
  state,
  message: state === 'raised' ? 'pump-1/accel rms 0.25 g exceeds 0.2' : 'pump-1/accel rms 0.1 g back below 0.16',
  kind: 'alert',
  ...overrides,
});

async function bookWithRaised() {
  const store = new MemoryAlertStore();
  const book = new AlertBook(store);
  const { entry } = await book.apply(change('raised', 0), 'alert', 'cloud');
  return { store, book, id: entry.id };
}

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('AlertBook: raise and clear from rules', () => {
  it('stores a raised alert with a deterministic id and its first history step, and notifies', async () => {
    const store = new MemoryAlertStore();
    const update = await new AlertBook(store).apply(change('raised', 0), 'alert', 'cloud');
    const id = alertId('cloud', 'rms above 0.2', 'pump-1', 'accel', s(0));
    expect(update).toEqual({
      notify: true,
      entry: {
        id,
        rule: 'rms above 0.2',
        device: 'pump-1',
        sensor: 'accel',
        kind: 'alert',
        origin: 'cloud',
        severity: 'warning',
        state: 'raised',
        raisedMs: s(0),
        updatedMs: s(0),
        value: 0.25,
        threshold: 0.2,
        message: 'pump-1/accel rms 0.25 g exceeds 0.2',
        history: [{ state: 'raised', tsMs: s(0), by: 'rule:rms above 0.2' }],
      },
    });
    expect(await store.alertEntry(id)).toEqual(update.entry);
  });

  it('derives ids from origin, rule, device, sensor and raise time only', () => {
    const id = alertId('cloud', 'r', 'pump-1', 'accel', s(0));
    expect(alertId('cloud', 'r', 'pump-1', 'accel', s(0))).toBe(id);
    const variants = [alertId('edge', 'r', 'pump-1', 'accel', s(0)), alertId('cloud', 'r2', 'pump-1', 'accel', s(0)), alertId('cloud', 'r', 'pump-2', 'accel', s(0)), alertId('cloud', 'r', 'pump-1', undefined, s(0)), alertId('cloud', 'r', 'pump-1', 'accel', s(1))];
    expect(new Set([id, ...variants]).size).toBe(6);
    expect(id).toMatch(new RegExp(`^al-${s(0)}-[0-9a-f]{16}$`));
  });

  it('treats a second raise while open, or a replayed raise of a stored alert, as a silent no-op', async () => {
    const { store, book, id } = await bookWithRaised();
    expect(await book.apply(change('raised', 5), 'alert', 'cloud')).toMatchObject({ notify: false, entry: { id, raisedMs: s(0) } });
    await book.apply(change('cleared', 10), 'alert', 'cloud');
    expect(await book.apply(change('raised', 0), 'alert', 'cloud')).toMatchObject({ notify: false, entry: { id, state: 'cleared' } });
    expect(store.rows.size).toBe(1);
  });

  it('clears the open alert of the same rule, device and sensor, noting the clear message', async () => {
    const { store, book, id } = await bookWithRaised();
    const update = await book.apply(change('cleared', 10), 'alert', 'cloud');
    expect(update.notify).toBe(true);
    expect(update.entry).toMatchObject({ id, state: 'cleared', updatedMs: s(10), value: 0.25 });
    expect(update.entry.history.at(-1)).toEqual({ state: 'cleared', tsMs: s(10), by: 'rule:rms above 0.2', note: 'pump-1/accel rms 0.1 g back below 0.16' });
    expect(await store.openAlerts()).toEqual([]);
  });

  it('keeps edge and cloud alerts of the same rule apart', async () => {
    const { book, id } = await bookWithRaised();
    const edge = await book.apply(change('raised', 0), 'alert', 'edge');
    expect(edge.notify).toBe(true);
    expect(edge.entry.id).not.toBe(id);
    expect((await book.apply(change('cleared', 3), 'alert', 'edge')).entry.id).toBe(edge.entry.id);
    expect((await book.apply(change('cleared', 4), 'alert', 'cloud')).entry.id).toBe(id);
  });

  it('ignores a repeated clear (QoS 1 redelivery) but refuses a clear with no alert to clear', async () => {
    const { book } = await bookWithRaised();
    await book.apply(change('cleared', 10), 'alert', 'cloud');
    expect(await book.apply(change('cleared', 10), 'alert', 'cloud')).toMatchObject({ notify: false, entry: { state: 'cleared' } });
    const error = await rejection(book.apply(change('cleared', 20, { device: 'pump-7' }), 'alert', 'cloud'));
    expect(error).toBeInstanceOf(AlertTransitionError);
    expect(error.message).toBe('no open alert "rms above 0.2" on pump-7/accel (cloud) to clear: only a raise opens one');
  });

  it('runs calls one at a time in call order, so a concurrent acknowledgement and clear both land in history', async () => {
    const { store, book, id } = await bookWithRaised();
    const [acked, cleared] = await Promise.all([book.acknowledge(id, 'api:ana', s(5)), book.apply(change('cleared', 6), 'alert', 'cloud')]);
    expect([acked.entry.state, cleared.entry.state]).toEqual(['acknowledged', 'cleared']);
    expect((await store.alertEntry(id))!.history.map((h) => h.state)).toEqual(['raised', 'acknowledged', 'cleared']);
  });

  it('resumes the open alerts a previous run left in the store', async () => {
    const { store, id } = await bookWithRaised();
    const restarted = new AlertBook(store);
    expect((await restarted.apply(change('cleared', 10), 'alert', 'cloud')).entry).toMatchObject({ id, state: 'cleared' });
  });
});

describe('AlertBook: people acknowledge and shelve', () => {
  it('acknowledges a raised alert, recording who and why, and notifies', async () => {
    const { book, id } = await bookWithRaised();
    const update = await book.acknowledge(id, 'api:ana', s(5), 'checking the bearing');
    expect(update.notify).toBe(true);
    expect(update.entry).toMatchObject({ state: 'acknowledged', updatedMs: s(5) });
    expect(update.entry.history.map((h) => [h.state, h.by, h.note])).toEqual([
      ['raised', 'rule:rms above 0.2', undefined],
      ['acknowledged', 'api:ana', 'checking the bearing'],
    ]);
  });

  it('refuses an invalid transition with E_ALERT_TRANSITION, naming what the state allows', async () => {
    const { book, id } = await bookWithRaised();
    await book.acknowledge(id, 'api:ana', s(5));
    const twice = await rejection(book.acknowledge(id, 'api:bo', s(6)));
    expect(twice).toBeInstanceOf(AlertTransitionError);
    expect((twice as AlertTransitionError).code).toBe('E_ALERT_TRANSITION');
    expect(twice.message).toBe(`alert ${id} is acknowledged, so it cannot acknowledge: from acknowledged you can shelve or clear`);
    expect((await rejection(book.unshelve(id, 'api:bo', s(7)))).message).toMatch(/cannot unshelve: from acknowledged you can shelve or clear$/);
    await book.apply(change('cleared', 10), 'alert', 'cloud');
    expect((await rejection(book.shelve(id, 'api:bo', s(100), s(11)))).message).toBe(
      `alert ${id} is cleared, so it cannot shelve: a cleared alert is final; a new raise opens a new alert`,
    );
  });

  it('shelves silently, and advance returns it to raised when the shelf runs out, stamped at that time', async () => {
    const { store, book, id } = await bookWithRaised();
    const shelved = await book.shelve(id, 'api:ana', s(60), s(5), 'maintenance');
    expect(shelved).toMatchObject({ notify: false, entry: { state: 'shelved', shelvedUntilMs: s(60) } });
    expect(await book.advance(s(59.999))).toEqual([]);
    const [back] = await book.advance(s(90));
    expect(back!.notify).toBe(true);
    expect(back!.entry.state).toBe('raised');
    expect(back!.entry.shelvedUntilMs).toBeUndefined();
    expect(back!.entry.history.at(-1)).toEqual({ state: 'raised', tsMs: s(60), by: 'system', note: 'shelf time is up' });
    expect(await store.alertEntry(id)).toEqual(back!.entry);
    expect(await book.advance(s(120))).toEqual([]);
  });

  it('returns a shelved acknowledged alert to acknowledged, early on unshelve', async () => {
    const { book, id } = await bookWithRaised();
    await book.acknowledge(id, 'api:ana', s(1));
    await book.shelve(id, 'api:ana', s(600), s(2));
    const update = await book.unshelve(id, 'api:bo', s(3));
    expect(update).toMatchObject({ notify: true, entry: { state: 'acknowledged', updatedMs: s(3) } });
    expect(update.entry.history.map((h) => h.state)).toEqual(['raised', 'acknowledged', 'shelved', 'acknowledged']);
    expect(await book.advance(s(700))).toEqual([]);
  });

  it('clears a shelved alert without notifying, and a cleared alert leaves the open set', async () => {
    const { store, book, id } = await bookWithRaised();
    await book.shelve(id, 'api:ana', s(600), s(2));
    expect(await book.apply(change('cleared', 10), 'alert', 'cloud')).toMatchObject({ notify: false, entry: { state: 'cleared' } });
    expect((await store.alertEntry(id))!.shelvedUntilMs).toBeUndefined();
    expect(await book.advance(s(700))).toEqual([]);
  });

  it('refuses a shelf that ends before it starts, and an unknown id, with their own codes', async () => {
    const { book, id } = await bookWithRaised();
    const early = await rejection(book.shelve(id, 'api:ana', s(5), s(5)));
    expect(early).toBeInstanceOf(ShelveTimeError);
    expect((early as ShelveTimeError).code).toBe('E_ALERT_SHELVE_TIME');
    const unknown = await rejection(book.acknowledge('al-0-nope', 'api:ana', s(5)));
    expect(unknown).toBeInstanceOf(UnknownAlertError);
    expect((unknown as UnknownAlertError).code).toBe('E_ALERT_UNKNOWN');
    expect((await book.acknowledge(id, 'api:ana', s(6))).entry.state).toBe('acknowledged');
  });
});

describe('AlertBook with RuleEngine across a restart', () => {
  it('neither raises nor stores an alert twice when a restarted cloud sees the same condition', async () => {
    const store = new MemoryAlertStore();
    const config = rules({ above: 0.2 });
    const feed = async (engine: RuleEngine, book: AlertBook, t: number, rms: number) => {
      for (const c of engine.onWindow(windowAt(t, { rms }, { sensor: 'accel', unit: 'g' })).changes) await book.apply(c, c.kind, 'cloud');
    };
    await feed(new RuleEngine(config), new AlertBook(store), 0, 0.3);

    const engine = new RuleEngine(config);
    engine.restore(await store.openAlerts());
    const book = new AlertBook(store);
    await feed(engine, book, 10, 0.35);
    expect(store.rows.size).toBe(1);
    expect(store.saves).toBe(1);
    await feed(engine, book, 20, 0.1);
    expect([...store.rows.values()].map((e) => [e.state, e.history.length])).toEqual([['cleared', 2]]);
  });
});
