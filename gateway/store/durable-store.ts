import type Database from 'better-sqlite3';
import { ConfigError } from '../../protocol';
import type { Clock } from '../../sim';
import { OutboxBoundsSchema, type OutboxBounds, type Synchronous } from './config';
import { StoreError } from './errors';
import { OutboxSpace, type DropReason, type SpaceTotals } from './outbox-space';
import { perPriority, PRIORITIES, type PerPriority, type Priority } from './priority';
import { inboxRow, outboxRow, asBuffer, type InboxInput, type InboxRow, type OutboxInput, type OutboxRow, type Row } from './rows';
import { openDatabase, prepareStatements } from './schema';

/** What became of one message given to `commit` or `enqueue`. */
export type EnqueueOutcome = 'queued' | 'duplicate' | Exclude<DropReason, 'evicted'>;

export interface CommitResult {
  /** Inbox rows deleted (ids already gone are not counted). */
  released: number;
  /** One outcome per message, in the order given. */
  outcomes: EnqueueOutcome[];
  /** Queued rows dropped to make room. */
  evicted: number;
}

/** What a commit changed in the outbox, for readers that keep rows read ahead. */
export interface OutboxChange {
  /** Most urgent priority queued; 3 when the commit queued nothing (it only evicted). */
  top: Priority | 3;
  /** Rows evicted to make room. */
  evicted: number;
}

export interface OutboxStats {
  depth: PerPriority<number>;
  bytes: PerPriority<number>;
  /** Enqueue time of the oldest queued row of each priority; null when none is queued. */
  oldestEnqueuedMs: PerPriority<number | null>;
  /** Monotonic since open: messages dropped, by reason and priority. */
  dropped: Record<DropReason, PerPriority<number>>;
  /** Monotonic since open: messages not queued because an identical key was still queued. */
  duplicates: number;
}

export interface DurableStoreOptions {
  /** SQLite file, created if missing. */
  path: string;
  /** Default `normal`: survives a killed process, not a power cut (see `openDatabase`). */
  synchronous?: Synchronous;
  /** Outbox bounds and drop policy. Default 256 MiB, no row limit, `drop-lowest-priority-oldest`. */
  outbox?: Partial<OutboxBounds>;
  clock: Pick<Clock, 'now'>;
}

/**
 * The gateway's durable state, one SQLite file: the **inbox** holds device payloads from the moment they are
 * accepted (before the device gets its acknowledgement) until the outbox holds what was derived from them; the
 * **outbox** holds messages for the uplink, bounded, by priority. Every method is synchronous: a call that
 * returns has committed.
 */
export class DurableStore {
  readonly path: string;
  readonly bounds: OutboxBounds;
  readonly #db: Database.Database;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #space: OutboxSpace;
  readonly #listeners = new Set<(change: OutboxChange) => void>();
  readonly #dropped: Record<DropReason, PerPriority<number>> = { evicted: [0, 0, 0], rejected: [0, 0, 0], 'too-large': [0, 0, 0] };
  #duplicates = 0;
  readonly #sql: ReturnType<typeof prepareStatements>;
  readonly #commitTx: (release: readonly number[], enqueue: readonly OutboxInput[]) => CommitResult;
  readonly #acceptTx: (inputs: readonly InboxInput[], receivedMs: number) => number[];
  /**
   * Inbox rows with ids above `#freshFloor`, all of them, by id: accepted by this connection and not yet read past
   * (see `readThrough`). The pump reads them from here rather than reading back payloads it just wrote; rows at or
   * below the floor (a previous run's, or read past) come from the file.
   */
  readonly #fresh = new Map<number, InboxRow>();
  #freshFloor: number;
  readonly #settleTx: (attempted: readonly number[], remove: readonly number[]) => number;

  private constructor(options: DurableStoreOptions, db: Database.Database, bounds: OutboxBounds) {
    this.path = options.path;
    this.bounds = bounds;
    this.#db = db;
    this.#clock = options.clock;
    this.#sql = prepareStatements(db);
    const totals: SpaceTotals = { depth: [0, 0, 0], bytes: [0, 0, 0] };
    for (const row of this.#sql.totals.all() as Row[]) {
      const p = row.priority as Priority;
      totals.depth[p] = row.n as number;
      totals.bytes[p] = row.bytes as number;
    }
    this.#space = new OutboxSpace(bounds, totals, {
      oldest: (priority, limit) => this.#sql.oldestOf.all(priority, limit) as Array<{ id: number; bytes: number }>,
      remove: (id) => void this.#sql.evictOutbox.run(id),
    });
    this.#commitTx = db.transaction((release, enqueue) => this.#commitIn(release, enqueue));
    this.#settleTx = db.transaction((attempted, remove) => this.#settleIn(attempted, remove));
    this.#acceptTx = db.transaction((inputs: readonly InboxInput[], receivedMs: number) => inputs.map((input) => this.#insertInbox(input, receivedMs)));
    this.#freshFloor = this.#sql.lastInboxId.pluck().get() as number;
  }

  /** Opens or creates the store. Throws StoreError (E_STORE_OPEN, E_STORE_SCHEMA) or ConfigError for bad bounds. */
  static open(options: DurableStoreOptions): DurableStore {
    const parsed = OutboxBoundsSchema.safeParse(options.outbox ?? {});
    if (!parsed.success) {
      throw new ConfigError(options.path, parsed.error.issues.map((i) => ({ path: `outbox.${i.path.join('.')}`, message: i.message })));
    }
    return new DurableStore(options, openDatabase(options.path, options.synchronous ?? 'normal'), parsed.data);
  }

  // ── inbox ──────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Stores a device payload and returns its id. Synchronous on purpose: call it where the acknowledgement is decided
   * (aedes `authorizePublish` runs before aedes writes the PUBACK), and acknowledge only if it returned.
   * [MQTT-4.3.2-2] the receiver "MUST respond with a PUBACK … having accepted ownership of the Application Message".
   */
  acceptInbox(input: InboxInput): number {
    return this.acceptInboxBatch([input])[0]!;
  }

  /**
   * Stores several device payloads in one transaction (a group commit: one journal write for all of them) and
   * returns their ids; all are stored or, on a throw, none.
   */
  acceptInboxBatch(inputs: readonly InboxInput[]): number[] {
    if (inputs.length === 0) return [];
    const nowMs = this.#clock.now();
    const ids = this.#write('accept device payloads', () => this.#acceptTx(inputs, nowMs));
    inputs.forEach((input, i) => {
      const payload = asBuffer(input.payload);
      const row: InboxRow = { id: ids[i]!, device: input.device, sensor: input.sensor, seq: input.seq, topic: input.topic, payload, qos: input.qos, receivedMs: input.receivedMs ?? nowMs };
      this.#fresh.set(row.id, row);
    });
    return ids;
  }

  #insertInbox(input: InboxInput, nowMs: number): number {
    const info = this.#sql.insertInbox.run(input.device, input.sensor, input.seq, input.topic, asBuffer(input.payload), input.qos, input.receivedMs ?? nowMs);
    return Number(info.lastInsertRowid);
  }

  /** Deletes inbox rows (dropped or dead-lettered ones; processed ones go through `commit`). Returns rows deleted. */
  releaseInbox(ids: readonly number[]): number {
    if (ids.length === 0) return 0;
    const released = this.#write('release inbox rows', () => this.#db.transaction(() => this.#release(ids))());
    this.#forget(ids);
    return released;
  }

  /**
   * Inbox rows in arrival order, read a page at a time (a backlog after a long outage is never all in memory).
   * Start after `afterId` to continue where a previous pass stopped. Safe to write to the store between rows.
   */
  *pendingInbox(options: { afterId?: number; pageSize?: number } = {}): Generator<InboxRow> {
    let afterId = options.afterId ?? 0;
    const pageSize = options.pageSize ?? 256;
    if (afterId >= this.#freshFloor) {
      this.#assertOpen();
      // A Map iterates live, in insertion (id) order: rows accepted meanwhile come too, rows released meanwhile do not.
      for (const row of this.#fresh.values()) if (row.id > afterId) yield row;
      return;
    }
    for (;;) {
      this.#assertOpen();
      const page = this.#sql.inboxPage.all(afterId, pageSize) as Row[];
      for (const row of page) yield inboxRow(row);
      if (page.length < pageSize) return;
      afterId = page[page.length - 1]!.id as number;
    }
  }

  /**
   * The reader is past `id` and will not read rows up to it again: they need not stay in memory (a read that starts
   * lower still finds them, in the file).
   */
  readThrough(id: number): void {
    if (id <= this.#freshFloor) return;
    for (const key of this.#fresh.keys()) {
      if (key > id) break;
      this.#fresh.delete(key);
    }
    this.#freshFloor = id;
  }

  /** Rows in the inbox and their payload bytes (a restart's backlog). */
  inboxTotals(): { rows: number; bytes: number } {
    this.#assertOpen();
    const totals = this.#sql.inboxTotals.get() as { rows: number; bytes: number };
    return { rows: totals.rows, bytes: totals.bytes };
  }

  /** Rows in the inbox. */
  inboxDepth(): number {
    this.#assertOpen();
    return this.#sql.inboxCount.pluck().get() as number;
  }

  // ── hand-over ──────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * In ONE transaction: deletes the inbox rows `release` and queues `enqueue`. A crash leaves either the inbox rows
   * (they will be processed again) or the outbox rows, never neither and never half of either. A failure throws
   * StoreError and applies nothing, counters included.
   */
  commit(batch: { release?: readonly number[]; enqueue?: readonly OutboxInput[] }): CommitResult {
    const release = batch.release ?? [];
    const enqueue = batch.enqueue ?? [];
    const before = this.#space.snapshot();
    const dropped = structuredClone(this.#dropped);
    const duplicates = this.#duplicates;
    let result: CommitResult;
    try {
      result = this.#write('commit processed rows to the outbox', () => this.#commitTx(release, enqueue));
    } catch (error) {
      // The transaction rolled back; so do the in-memory totals and counters it touched.
      this.#space.restore(before);
      Object.assign(this.#dropped, dropped);
      this.#duplicates = duplicates;
      throw error;
    }
    this.#forget(release);
    const queued = enqueue.filter((_, i) => result.outcomes[i] === 'queued');
    if (queued.length > 0 || result.evicted > 0) {
      const change: OutboxChange = { top: Math.min(3, ...queued.map((m) => m.priority)) as Priority | 3, evicted: result.evicted };
      for (const listener of this.#listeners) listener(change);
    }
    return result;
  }

  /** Queues messages that come from no inbox row (edge events, status); `commit` with nothing to release. */
  enqueue(messages: readonly OutboxInput[]): EnqueueOutcome[] {
    return this.commit({ enqueue: messages }).outcomes;
  }

  #commitIn(release: readonly number[], enqueue: readonly OutboxInput[]): CommitResult {
    const released = this.#release(release);
    const nowMs = this.#clock.now();
    let evicted = 0;
    const outcomes = enqueue.map((message): EnqueueOutcome => {
      const { key } = message;
      if (key && this.#sql.findKey.get(message.topic, key.device, key.sensor, key.seq) !== undefined) {
        this.#duplicates++;
        return 'duplicate';
      }
      const payload = asBuffer(message.payload);
      const room = this.#space.makeRoom(message.priority, payload.byteLength);
      for (const p of PRIORITIES) this.#dropped.evicted[p] += room.evicted[p];
      evicted += room.evicted.reduce((a, b) => a + b, 0);
      if (room.refused) {
        this.#dropped[room.refused][message.priority]++;
        return room.refused;
      }
      this.#sql.insertOutbox.run(
        message.priority,
        message.topic,
        payload,
        message.qos,
        payload.byteLength,
        nowMs,
        key?.device ?? null,
        key?.sensor ?? null,
        key?.seq ?? null,
      );
      this.#space.added(message.priority, payload.byteLength);
      return 'queued';
    });
    return { released, outcomes, evicted };
  }

  /** Released rows leave the fresh rows only once their transaction committed: a rollback keeps them pending. */
  #forget(ids: readonly number[]): void {
    if (this.#fresh.size > 0) for (const id of ids) this.#fresh.delete(id);
  }

  #release(ids: readonly number[]): number {
    if (ids.length === 1) return this.#sql.deleteInbox.run(ids[0]).changes;
    return this.#sql.deleteInboxMany.run(JSON.stringify(ids)).changes;
  }

  // ── outbox, for the forwarder ──────────────────────────────────────────────────────────────────────────────

  /** Up to `limit` queued rows of one priority with id > `afterId`, oldest first. */
  outboxPage(priority: Priority, afterId: number, limit: number): OutboxRow[] {
    this.#assertOpen();
    return (this.#sql.outboxPage.all(priority, afterId, limit) as Row[]).map(outboxRow);
  }

  /**
   * Records the forwarder's progress in one transaction: one more send attempt on each `attempted` row (so a restart
   * can tell resends from first sends) and deletes the `remove`d ones (acknowledged); ids already gone — evicted
   * meanwhile — are skipped. Returns the rows deleted.
   */
  settleOutbox(progress: { attempted?: readonly number[]; remove?: readonly number[] }): number {
    const attempted = progress.attempted ?? [];
    const remove = progress.remove ?? [];
    if (attempted.length === 0 && remove.length === 0) return 0;
    const before = this.#space.snapshot();
    try {
      return this.#write('record sent and acknowledged rows', () => this.#settleTx(attempted, remove));
    } catch (error) {
      this.#space.restore(before);
      throw error;
    }
  }

  /** Deletes acknowledged rows; see `settleOutbox`. */
  deleteOutbox(ids: readonly number[]): number {
    return this.settleOutbox({ remove: ids });
  }

  /** Counts one more send attempt on each row; see `settleOutbox`. */
  markAttempted(ids: readonly number[]): void {
    this.settleOutbox({ attempted: ids });
  }

  #settleIn(attempted: readonly number[], remove: readonly number[]): number {
    for (const id of attempted) this.#sql.markAttempted.run(id);
    let deleted = 0;
    for (const id of remove) {
      const row = this.#sql.deleteOutbox.get(id) as { priority: Priority; bytes: number } | undefined;
      if (!row) continue;
      this.#space.removed(row.priority, row.bytes);
      deleted++;
    }
    return deleted;
  }

  /** Rows queued of one priority, from memory (no query). */
  queuedCount(priority: Priority): number {
    return this.#space.depthOf(priority);
  }

  outboxStats(): OutboxStats {
    this.#assertOpen();
    const { depth, bytes } = this.#space.snapshot();
    return {
      depth,
      bytes,
      oldestEnqueuedMs: perPriority((p) => (this.#sql.oldestEnqueued.pluck().get(p) as number | undefined) ?? null),
      dropped: structuredClone(this.#dropped),
      duplicates: this.#duplicates,
    };
  }

  /** Calls `listener` after each commit that queued or evicted rows. Returns an unsubscribe. */
  onEnqueued(listener: (change: OutboxChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The SQLite settings this connection runs with, as SQLite reports them. */
  settings(): { journalMode: string; synchronous: Synchronous } {
    this.#assertOpen();
    const journalMode = String(this.#db.pragma('journal_mode', { simple: true }));
    // PRAGMA synchronous reads back 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA; the store sets only NORMAL or FULL.
    return { journalMode, synchronous: this.#db.pragma('synchronous', { simple: true }) === 2 ? 'full' : 'normal' };
  }

  get isOpen(): boolean {
    return this.#db.open;
  }

  /** Checkpoints the WAL into the main file and closes it. Idempotent. */
  close(): void {
    if (!this.#db.open) return;
    this.#listeners.clear();
    this.#fresh.clear();
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#db.close();
  }

  #assertOpen(): void {
    if (!this.#db.open) throw new StoreError('E_STORE_CLOSED', this.path, 'the store is closed; open it again with DurableStore.open');
  }

  #write<T>(what: string, fn: () => T): T {
    this.#assertOpen();
    try {
      return fn();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      const reason = (error as { code?: string }).code === 'SQLITE_FULL' ? 'the disk is full; free space or lower outbox.maxBytes' : (error as Error).message;
      throw new StoreError('E_STORE_WRITE', this.path, `cannot ${what}: ${reason}; nothing of it was applied`, { cause: error });
    }
  }
}
