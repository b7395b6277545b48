import type { AlertEntry, AlertEntryQuery, AlertStore, Page } from '../../../../cloud/records';

/** AlertStore in memory, as a Storage engine behaves: it keeps copies, so callers cannot change stored rows. */
export class MemoryAlertStore implements AlertStore {
  readonly rows = new Map<string, AlertEntry>();
  saves = 0;

  async saveAlert(entry: AlertEntry): Promise<void> {
    this.saves++;
    this.rows.set(entry.id, structuredClone(entry));
  }

  async alertEntry(id: string): Promise<AlertEntry | undefined> {
    const row = this.rows.get(id);
    return row && structuredClone(row);
  }

  async openAlerts(): Promise<AlertEntry[]> {
    return [...this.rows.values()].filter((e) => e.state !== 'cleared').map((e) => structuredClone(e));
  }

  async alertEntries(query: AlertEntryQuery = {}): Promise<Page<AlertEntry>> {
    const matching = [...this.rows.values()]
      .filter(
        (e) =>
          (query.device === undefined || e.device === query.device) &&
          (query.state === undefined || e.state === query.state) &&
          (query.rule === undefined || e.rule === query.rule) &&
          (query.fromMs === undefined || e.raisedMs >= query.fromMs) &&
          (query.toMs === undefined || e.raisedMs < query.toMs),
      )
      .sort((a, b) => b.raisedMs - a.raisedMs);
    const start = query.cursor === undefined ? 0 : Number(query.cursor);
    const limit = query.limit ?? 100;
    const items = matching.slice(start, start + limit).map((e) => structuredClone(e));
    return start + limit < matching.length ? { items, next: String(start + limit) } : { items };
  }
}
