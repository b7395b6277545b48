import type { OutboxBounds } from './config';
import { PRIORITIES, type PerPriority, type Priority } from './priority';

/**
 * Why a message left (or never entered) the outbox without being sent:
 * `evicted` — a queued row dropped to make room for a more urgent or newer one;
 * `rejected` — a newcomer refused because the outbox was full and the policy would not make room;
 * `too-large` — a newcomer larger than the whole `maxBytes` bound.
 */
export type DropReason = 'evicted' | 'rejected' | 'too-large';
export const DROP_REASONS: readonly DropReason[] = ['evicted', 'rejected', 'too-large'];

export interface SpaceTotals {
  depth: PerPriority<number>;
  bytes: PerPriority<number>;
}

/** How the space accountant reaches the table, inside the caller's transaction. */
export interface SpaceAccess {
  /** The `limit` oldest queued rows of one priority. */
  oldest(priority: Priority, limit: number): Array<{ id: number; bytes: number }>;
  remove(id: number): void;
}

export interface Room {
  /** Set when the message must not be queued. */
  refused?: Exclude<DropReason, 'evicted'>;
  /** Rows evicted to make the room, by priority. */
  evicted: PerPriority<number>;
}

const EVICT_PAGE = 64;

/**
 * Keeps the outbox under its bounds. Totals live in memory (loaded once at open) so the check costs no query; the
 * caller snapshots them before a transaction and restores them if it rolls back.
 */
export class OutboxSpace {
  readonly #bounds: OutboxBounds;
  #totals: SpaceTotals;
  readonly #access: SpaceAccess;

  constructor(bounds: OutboxBounds, totals: SpaceTotals, access: SpaceAccess) {
    this.#bounds = bounds;
    this.#totals = totals;
    this.#access = access;
  }

  snapshot(): SpaceTotals {
    return { depth: [...this.#totals.depth], bytes: [...this.#totals.bytes] };
  }

  restore(totals: SpaceTotals): void {
    this.#totals = { depth: [...totals.depth], bytes: [...totals.bytes] };
  }

  depthOf(priority: Priority): number {
    return this.#totals.depth[priority];
  }

  added(priority: Priority, bytes: number): void {
    this.#totals.depth[priority]++;
    this.#totals.bytes[priority] += bytes;
  }

  removed(priority: Priority, bytes: number): void {
    this.#totals.depth[priority]--;
    this.#totals.bytes[priority] -= bytes;
  }

  /**
   * Makes room for a message of `priority` and `bytes`, evicting under `drop-lowest-priority-oldest`: raw first,
   * then features, then events, oldest first within each, but never a row more urgent than the newcomer — so events
   * go only to make room for an event, when nothing else is left. Evicts nothing when even that would not be enough.
   */
  makeRoom(priority: Priority, bytes: number): Room {
    const evicted: PerPriority<number> = [0, 0, 0];
    if (bytes > this.#bounds.maxBytes) return { refused: 'too-large', evicted };
    if (this.#fits(bytes, 0, 0)) return { evicted };
    if (this.#bounds.dropPolicy === 'reject-new') return { refused: 'rejected', evicted };
    const yielding = PRIORITIES.filter((p) => p >= priority);
    const freeBytes = yielding.reduce<number>((sum, p) => sum + this.#totals.bytes[p], 0);
    const freeRows = yielding.reduce<number>((sum, p) => sum + this.#totals.depth[p], 0);
    if (!this.#fits(bytes, freeBytes, freeRows)) return { refused: 'rejected', evicted };
    for (const p of [...yielding].reverse()) {
      while (!this.#fits(bytes, 0, 0)) {
        const page = this.#access.oldest(p, EVICT_PAGE);
        if (page.length === 0) break;
        for (const row of page) {
          if (this.#fits(bytes, 0, 0)) break;
          this.#access.remove(row.id);
          this.removed(p, row.bytes);
          evicted[p]++;
        }
      }
    }
    return { evicted };
  }

  /** Whether `bytes` more (one more row) fit once `freedBytes` (`freedRows`) are gone. */
  #fits(bytes: number, freedBytes: number, freedRows: number): boolean {
    const { maxBytes, maxMessages } = this.#bounds;
    const totalBytes = this.#totals.bytes[0] + this.#totals.bytes[1] + this.#totals.bytes[2];
    const totalRows = this.#totals.depth[0] + this.#totals.depth[1] + this.#totals.depth[2];
    return totalBytes - freedBytes + bytes <= maxBytes && (maxMessages === undefined || totalRows - freedRows + 1 <= maxMessages);
  }
}
