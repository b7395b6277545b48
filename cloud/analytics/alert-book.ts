import type { AlertChange } from '../../protocol';
import type { AlertEntry, AlertState, AlertStore } from '../records';
import { ALLOWED_ACTIONS, AlertTransitionError, ShelveTimeError, UnknownAlertError, type AlertAction } from './alert-errors';
import { alertId } from './alert-id';

/** An alert after a transition, and whether people should hear of it (a shelved alert is silent). */
export interface AlertUpdate {
  entry: AlertEntry;
  notify: boolean;
}

/**
 * Alert lifecycles over the AlertStore port: raise and clear from rules (cloud or edge), acknowledge and shelve
 * from people. Every transition is appended to the alert's history. Calls run one at a time, in call order, so an
 * acknowledgement from the API cannot interleave with a rule's clear of the same alert.
 */
export class AlertBook {
  readonly #store: AlertStore;
  /** Open alerts by id, and their ids by origin, rule, device and sensor; loaded from the store on first use. */
  #open?: { byId: Map<string, AlertEntry>; byKey: Map<string, string> };
  #tail: Promise<unknown> = Promise.resolve();

  constructor(store: AlertStore) {
    this.#store = store;
  }

  /** A rule raised or cleared an alert. A repeated raise of an open alert, or of one already stored, changes nothing. */
  apply(change: AlertChange, kind: string, origin: 'edge' | 'cloud'): Promise<AlertUpdate> {
    return this.#serial(async () => {
      const open = await this.#index();
      const key = openKey(origin, change.rule, change.device, change.sensor);
      const openId = open.byKey.get(key);
      const by = `rule:${change.rule}`;
      if (change.state === 'cleared') {
        if (openId === undefined) return this.#repeatedClear(change, origin);
        const entry = open.byId.get(openId)!;
        const notify = entry.state !== 'shelved';
        return { entry: await this.#transition(entry, 'clear', 'cleared', change.tsMs, by, change.message), notify };
      }
      if (openId !== undefined) return { entry: structuredClone(open.byId.get(openId)!), notify: false };
      const id = alertId(origin, change.rule, change.device, change.sensor, change.tsMs);
      const stored = await this.#store.alertEntry(id);
      if (stored) return { entry: stored, notify: false };
      const entry: AlertEntry = {
        id,
        rule: change.rule,
        device: change.device,
        ...(change.sensor !== undefined ? { sensor: change.sensor } : {}),
        kind,
        origin,
        severity: change.severity,
        state: 'raised',
        raisedMs: change.tsMs,
        updatedMs: change.tsMs,
        value: change.value,
        threshold: change.threshold,
        message: change.message,
        history: [{ state: 'raised', tsMs: change.tsMs, by }],
      };
      await this.#save(entry);
      return { entry: structuredClone(entry), notify: true };
    });
  }

  acknowledge(id: string, by: string, tsMs: number, note?: string): Promise<AlertUpdate> {
    return this.#serial(async () => {
      const entry = await this.#entry(id, 'acknowledge');
      return { entry: await this.#transition(entry, 'acknowledge', 'acknowledged', tsMs, by, note), notify: true };
    });
  }

  /** Silences a raised or acknowledged alert until untilMs (event time). */
  shelve(id: string, by: string, untilMs: number, tsMs: number, note?: string): Promise<AlertUpdate> {
    return this.#serial(async () => {
      const entry = await this.#entry(id, 'shelve');
      if (!(untilMs > tsMs)) throw new ShelveTimeError(id, untilMs, tsMs);
      return { entry: await this.#transition(entry, 'shelve', 'shelved', tsMs, by, note, untilMs), notify: false };
    });
  }

  /** Ends a shelf early: back to raised or acknowledged, whichever it was. */
  unshelve(id: string, by: string, tsMs: number): Promise<AlertUpdate> {
    return this.#serial(async () => {
      const entry = await this.#entry(id, 'unshelve');
      return { entry: await this.#transition(entry, 'unshelve', stateBeforeShelf(entry), tsMs, by), notify: true };
    });
  }

  /** Event time reached nowMs: shelves that ran out end, stamped when they ran out, in that order. */
  advance(nowMs: number): Promise<AlertUpdate[]> {
    return this.#serial(async () => {
      const open = await this.#index();
      const due = [...open.byId.values()]
        .filter((e) => e.state === 'shelved' && e.shelvedUntilMs !== undefined && e.shelvedUntilMs <= nowMs)
        .sort((a, b) => a.shelvedUntilMs! - b.shelvedUntilMs! || (a.id < b.id ? -1 : 1));
      const updates: AlertUpdate[] = [];
      for (const entry of due) {
        updates.push({ entry: await this.#transition(entry, 'unshelve', stateBeforeShelf(entry), entry.shelvedUntilMs!, 'system', 'shelf time is up'), notify: true });
      }
      return updates;
    });
  }

  /** A clear with nothing open: a duplicate of the clear that closed the latest alert (QoS 1 redelivery) is a no-op. */
  async #repeatedClear(change: AlertChange, origin: 'edge' | 'cloud'): Promise<AlertUpdate> {
    const page = await this.#store.alertEntries({ rule: change.rule, device: change.device, state: 'cleared', limit: 20 });
    const latest = page.items.find((e) => e.origin === origin && e.sensor === change.sensor);
    if (latest && latest.history.at(-1)?.tsMs === change.tsMs) return { entry: latest, notify: false };
    throw new AlertTransitionError(`"${change.rule}" on ${change.device}${change.sensor ? `/${change.sensor}` : ''} (${origin})`, 'none', 'clear');
  }

  async #entry(id: string, action: AlertAction): Promise<AlertEntry> {
    const open = await this.#index();
    const entry = open.byId.get(id) ?? (await this.#store.alertEntry(id));
    if (!entry) throw new UnknownAlertError(id);
    if (!ALLOWED_ACTIONS[entry.state].includes(action)) throw new AlertTransitionError(id, entry.state, action);
    return entry;
  }

  /** Applies a transition to a copy, which replaces the indexed entry only once the store has it. */
  async #transition(current: AlertEntry, action: AlertAction, state: AlertState, tsMs: number, by: string, note?: string, shelvedUntilMs?: number): Promise<AlertEntry> {
    if (!ALLOWED_ACTIONS[current.state].includes(action)) throw new AlertTransitionError(current.id, current.state, action);
    const entry = structuredClone(current);
    entry.state = state;
    entry.updatedMs = tsMs;
    if (shelvedUntilMs !== undefined) entry.shelvedUntilMs = shelvedUntilMs;
    else delete entry.shelvedUntilMs;
    entry.history.push({ state, tsMs, by, ...(note !== undefined ? { note } : {}) });
    await this.#save(entry);
    return structuredClone(entry);
  }

  async #save(entry: AlertEntry): Promise<void> {
    await this.#store.saveAlert(structuredClone(entry));
    const open = await this.#index();
    const key = openKey(entry.origin, entry.rule, entry.device, entry.sensor);
    if (entry.state === 'cleared') {
      open.byId.delete(entry.id);
      open.byKey.delete(key);
    } else {
      open.byId.set(entry.id, entry);
      open.byKey.set(key, entry.id);
    }
  }

  async #index(): Promise<{ byId: Map<string, AlertEntry>; byKey: Map<string, string> }> {
    if (!this.#open) {
      const byId = new Map<string, AlertEntry>();
      const byKey = new Map<string, string>();
      for (const entry of await this.#store.openAlerts()) {
        byId.set(entry.id, structuredClone(entry));
        byKey.set(openKey(entry.origin, entry.rule, entry.device, entry.sensor), entry.id);
      }
      this.#open = { byId, byKey };
    }
    return this.#open;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

function openKey(origin: string, rule: string, device: string, sensor: string | undefined): string {
  return [origin, rule, device, sensor ?? ''].join('\u0000');
}

/** Where a shelved alert returns to: its last state before the shelf. */
function stateBeforeShelf(entry: AlertEntry): AlertState {
  for (let i = entry.history.length - 1; i >= 0; i--) {
    const state = entry.history[i]!.state;
    if (state !== 'shelved') return state;
  }
  return 'raised';
}
