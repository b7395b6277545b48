import type { AlertEntry, AlertEntryQuery, AlertStore, Page } from '../records';

/**
 * The AlertBook's store during a batch: while capturing, saved alerts are held (and read back from here) to be
 * committed in the batch's own transaction with the readings that caused them; otherwise they go straight through.
 */
export class AlertCapture implements AlertStore {
  readonly #store: AlertStore;
  #held: Map<string, AlertEntry> | undefined;

  constructor(store: AlertStore) {
    this.#store = store;
  }

  /** Starts holding saves; take() ends it and returns them in save order (one per id, the latest). */
  capture(): void {
    this.#held = new Map();
  }

  take(): AlertEntry[] {
    const held = [...(this.#held?.values() ?? [])];
    this.#held = undefined;
    return held;
  }

  async saveAlert(entry: AlertEntry): Promise<void> {
    if (!this.#held) return this.#store.saveAlert(entry);
    this.#held.delete(entry.id);
    this.#held.set(entry.id, structuredClone(entry));
  }

  async alertEntry(id: string): Promise<AlertEntry | undefined> {
    const held = this.#held?.get(id);
    return held ? structuredClone(held) : this.#store.alertEntry(id);
  }

  async openAlerts(): Promise<AlertEntry[]> {
    const open = new Map((await this.#store.openAlerts()).map((a) => [a.id, a]));
    for (const [id, entry] of this.#held ?? []) {
      if (entry.state === 'cleared') open.delete(id);
      else open.set(id, structuredClone(entry));
    }
    return [...open.values()];
  }

  alertEntries(query?: AlertEntryQuery): Promise<Page<AlertEntry>> {
    return this.#store.alertEntries(query);
  }
}
