import type { CommitResult, DurableStore } from './durable-store';
import type { InboxRow, OutboxInput } from './rows';

/** What processing one inbox row produced: messages to queue upstream, and the inbox rows now safe to release. */
export interface HandOver {
  enqueue: OutboxInput[];
  /**
   * Inbox ids whose results are in `enqueue` (or need none). A row that only fed an open window is not released
   * yet: it stays in the inbox until the window it belongs to is queued, so a crash replays it.
   */
  release: number[];
}

export interface InboxPumpOptions {
  store: DurableStore;
  /** Inbox rows handed over per transaction, at most. Default 512. */
  maxRows?: number;
  /** Turns one inbox row into a hand-over. A throw leaves the row in the inbox, reported through `onError`. */
  process: (row: InboxRow) => HandOver | Promise<HandOver>;
  /**
   * Instead of `process` row by row: a whole page at once (to another thread, say), one hand-over or Error per row,
   * in order. An Error leaves its row in the inbox, as a throw from `process` does.
   */
  processPage?: (rows: InboxRow[]) => Promise<(HandOver | Error)[]>;
  /** Told about rows `process` threw on and hand-overs the store refused. Default: none. */
  onError?: (error: Error, row?: InboxRow) => void;
  /** Told after each hand-over. Default: none. */
  onCommitted?: (result: CommitResult) => void;
}

/**
 * Moves accepted device payloads from the inbox to the outbox: reads a page in arrival order, processes each row
 * (awaiting async work such as model inference) and hands the page over in one `commit`, so each row is either
 * still in the inbox or its results are in the outbox. It runs as soon as rows arrive (`notify`), batching whatever
 * arrived meanwhile, in wall time rather than simulated time: processing must not wait for a clock to advance.
 * Started after a restart, its first pass replays whatever the last run accepted and never handed over.
 */
export class InboxPump {
  readonly #store: DurableStore;
  readonly #maxRows: number;
  readonly #process: InboxPumpOptions['process'];
  readonly #processPage: InboxPumpOptions['processPage'];
  readonly #onError: (error: Error, row?: InboxRow) => void;
  readonly #onCommitted: (result: CommitResult) => void;
  /** Last id read. Held and failed rows stay behind it until the next run. */
  #afterId = 0;
  #running = false;
  #pending = false;
  #stopped = true;
  #idle: (() => void)[] = [];

  constructor(options: InboxPumpOptions) {
    this.#store = options.store;
    this.#maxRows = options.maxRows ?? 512;
    this.#process = options.process;
    this.#processPage = options.processPage;
    this.#onError = options.onError ?? (() => {});
    this.#onCommitted = options.onCommitted ?? (() => {});
    if (!(Number.isInteger(this.#maxRows) && this.#maxRows >= 1)) throw new RangeError(`maxRows must be an integer ≥ 1, got ${this.#maxRows}`);
  }

  /** Hands over what is pending now (a restart's backlog included), and from then on whenever notified. */
  start(): void {
    this.#stopped = false;
    this.notify();
  }

  /** Rows were accepted: hand them over on the next turn of the event loop (rows arriving meanwhile join the batch). */
  notify(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#pending = true;
      return;
    }
    this.#running = true;
    setImmediate(() => void this.#drain());
  }

  /** Resolves when nothing is being handed over. */
  async idle(): Promise<void> {
    if (!this.#running) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /**
   * Reads the inbox again from its first row on the next pass: the processor lost its state (an edge worker that
   * died), so the rows it held for open windows must go through again. Call while halted and idle.
   */
  rewind(): void {
    this.#afterId = 0;
  }

  /** Stops at once, as a killed process would: rows not handed over stay in the inbox for the next run. */
  halt(): void {
    this.#stopped = true;
  }

  /** Stops after the hand-over in progress; rows left stay in the inbox for the next run. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.idle();
  }

  async #drain(): Promise<void> {
    try {
      if (this.#processPage) return await this.#drainPaged(this.#processPage);
      do {
        this.#pending = false;
        while (this.#store.isOpen && (await this.#handOver()) === this.#maxRows) {
          // A full page means a backlog: yield so devices' PUBLISHes get accepted in between.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } while (this.#pending && !this.#stopped);
    } finally {
      this.#running = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  /** Up to maxRows rows after the cursor, which moves past them. */
  #readPage(): InboxRow[] {
    const rows: InboxRow[] = [];
    if (!this.#store.isOpen || this.#stopped) return rows;
    for (const row of this.#store.pendingInbox({ afterId: this.#afterId, pageSize: this.#maxRows })) {
      rows.push(row);
      if (rows.length === this.#maxRows) break;
    }
    if (rows.length > 0) this.#afterId = rows[rows.length - 1]!.id;
    return rows;
  }

  /**
   * Pages processed elsewhere (another thread), two at a time: the next page is sent before the previous one is
   * committed, so the other side works while this one commits and takes in more. Commits stay in page order.
   */
  async #drainPaged(processPage: NonNullable<InboxPumpOptions['processPage']>): Promise<void> {
    type Sent = { rows: InboxRow[]; from: number; result: Promise<(HandOver | Error)[]> };
    const send = (): Sent | undefined => {
      const from = this.#afterId;
      const rows = this.#readPage();
      if (rows.length === 0) return undefined;
      // Errors are settled here, not left unhandled while an earlier page is committed.
      const result = processPage(rows).catch((error: unknown) => error as Error) as Promise<(HandOver | Error)[]>;
      return { rows, from, result };
    };
    this.#pending = false;
    let inFlight = send();
    while (inFlight) {
      const outcome = (await inFlight.result) as (HandOver | Error)[] | Error;
      this.#pending = false;
      const next = send();
      if (outcome instanceof Error || !this.#commitPage(inFlight.rows, outcome)) {
        // Nothing of this page was applied: it (and the one sent after it) is read again on the next notify.
        if (outcome instanceof Error) this.#onError(outcome);
        if (next) await next.result;
        this.#afterId = inFlight.from;
        return;
      }
      inFlight = next;
    }
  }

  /** One processed page, one transaction; false when the store refused it (reported through onError). */
  #commitPage(rows: readonly InboxRow[], handOvers: readonly (HandOver | Error)[]): boolean {
    const release: number[] = [];
    const enqueue: OutboxInput[] = [];
    rows.forEach((row, i) => {
      const handOver = handOvers[i]!;
      if (handOver instanceof Error) return this.#onError(handOver, row);
      for (const message of handOver.enqueue) enqueue.push(message);
      for (const id of handOver.release) release.push(id);
    });
    if (release.length > 0 || enqueue.length > 0) {
      try {
        this.#onCommitted(this.#store.commit({ release, enqueue }));
      } catch (error) {
        this.#onError(error as Error);
        return false;
      }
    }
    if (this.#store.isOpen) this.#store.readThrough(rows[rows.length - 1]!.id);
    return true;
  }

  /** One page, processed row by row here, one transaction. Returns the rows read (0 when the commit failed). */
  async #handOver(): Promise<number> {
    const from = this.#afterId;
    const rows = this.#readPage();
    if (rows.length === 0) return 0;
    const handOvers: (HandOver | Error)[] = [];
    for (const row of rows) {
      try {
        handOvers.push(await this.#process(row));
      } catch (error) {
        handOvers.push(error as Error);
      }
    }
    if (this.#commitPage(rows, handOvers)) return rows.length;
    // Nothing was applied: read the page again next time.
    this.#afterId = from;
    return 0;
  }

  /** Hands over results produced outside a row (a window closed by a flush), in one transaction. */
  commit(handOver: HandOver): void {
    if (handOver.release.length === 0 && handOver.enqueue.length === 0) return;
    this.#onCommitted(this.#store.commit(handOver));
  }
}
