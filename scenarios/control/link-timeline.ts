import { planLinkChanges, type Cancel, type LinkImpairment, type LinkModel, type LinkScheduleEntryInput, type Scheduler } from '../../sim';

/** Slack when telling a planned change's time from now: entry times are whole µs, so a change "now" may land ± 0.5 µs off. */
const NOW_SLACK_MS = 0.001;

/**
 * A run's link changes as one timeline: the scenario's `links:` entries, and entries added while it runs (demo
 * controls). An added entry is planned with the others exactly as it would be in a scenario file, so what the live
 * stack does is what the saved scenario does: a later entry wins field by field, a `forS` window ends on time.
 */
export class LinkTimeline {
  readonly #models: ReadonlyMap<string, LinkModel>;
  readonly #scheduler: Scheduler;
  readonly #startMs: number;
  /** Each link's impairment before the run: what entries overlay. */
  readonly #bases: ReadonlyMap<string, LinkImpairment>;
  readonly #entries: LinkScheduleEntryInput[];
  readonly #added: LinkScheduleEntryInput[] = [];
  /** Changes not yet made, by link, so an added entry re-plans only its own link. */
  readonly #pending = new Map<string, Cancel[]>();

  /** Plans `entries` (throws a LinkError for one that names no model) and schedules their changes. */
  constructor(entries: readonly LinkScheduleEntryInput[], models: ReadonlyMap<string, LinkModel>, scheduler: Scheduler, startMs: number) {
    this.#models = models;
    this.#scheduler = scheduler;
    this.#startMs = startMs;
    this.#bases = new Map([...models].map(([name, model]) => [name, model.impairment] as const));
    this.#entries = [...entries];
    // In time order over every link, as scheduleLinkChanges does: changes due at one instant run in the same order.
    for (const change of planLinkChanges(this.#entries, this.#bases, startMs)) this.#schedule(change.link, change.atMs, change.impairment);
  }

  /** The links it can change. */
  get links(): readonly string[] {
    return [...this.#models.keys()];
  }

  /** Entries added while the run went, in order: the demo's link changes as a scenario's `links:` would hold them. */
  added(): readonly LinkScheduleEntryInput[] {
    return this.#added;
  }

  /**
   * Adds an entry that starts now (its atS is `nowMs` into the run): what the timeline says for its link at this
   * instant is put in force at once, and that link's later changes are planned again with it. Returns the impairment now
   * in force. Throws a LinkError for an entry that does not validate, leaving the timeline as it was.
   */
  add(entry: LinkScheduleEntryInput, nowMs: number): LinkImpairment {
    const entries = [...this.#entries, entry];
    const changes = planLinkChanges(entries, this.#bases, this.#startMs).filter((c) => c.link === entry.link);
    this.#entries.push(entry);
    this.#added.push(entry);
    for (const cancel of this.#pending.get(entry.link) ?? []) cancel();
    this.#pending.set(entry.link, []);
    const model = this.#models.get(entry.link)!;
    const current = changes.filter((c) => c.atMs <= nowMs + NOW_SLACK_MS).at(-1);
    // A reset fires at its own entry's start, which has passed (or was made then); an added entry brings none.
    model.set({ ...(current?.impairment ?? this.#bases.get(entry.link)!), reset: false }, nowMs);
    for (const change of changes) if (change.atMs > nowMs + NOW_SLACK_MS) this.#schedule(change.link, change.atMs, change.impairment);
    return model.impairment;
  }

  /** Cancels every change not yet made. */
  cancel(): void {
    for (const cancels of this.#pending.values()) for (const cancel of cancels) cancel();
    this.#pending.clear();
  }

  #schedule(link: string, atMs: number, impairment: LinkImpairment): void {
    const cancels = this.#pending.get(link) ?? [];
    cancels.push(this.#scheduler.at(atMs, (nowMs) => this.#models.get(link)!.set(impairment, nowMs)));
    this.#pending.set(link, cancels);
  }
}
