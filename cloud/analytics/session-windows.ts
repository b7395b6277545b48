import { aggregate, insertPoint, type Point } from './aggregate';
import type { AddOutcome, KeyWindowOptions, KeyWindows, WindowResult } from './key-windows';

interface Session {
  firstMs: number;
  lastMs: number;
  points: Point[];
  /** Emitted at least once: its next emission is a correction. */
  emitted: boolean;
  /** Holds records not yet in an emitted result. */
  dirty: boolean;
}

/** Records closer than gap to each other form one window [first, last + gap); a record may merge two sessions. */
export class SessionWindows implements KeyWindows {
  readonly #gapMs: number;
  readonly #options: KeyWindowOptions;
  /** Disjoint, ascending by first record. */
  #sessions: Session[] = [];

  constructor(gapMs: number, options: KeyWindowOptions) {
    this.#gapMs = gapMs;
    this.#options = options;
  }

  add(point: Point, watermarkMs: number): AddOutcome {
    const t = point.tsMs;
    const touching = this.#sessions.filter((s) => s.firstMs - this.#gapMs < t && t < s.lastMs + this.#gapMs);
    const firstMs = Math.min(t, ...touching.map((s) => s.firstMs));
    const lastMs = Math.max(t, ...touching.map((s) => s.lastMs));
    const endMs = lastMs + this.#gapMs;
    const wasEmitted = touching.some((s) => s.emitted);
    const closed = endMs <= watermarkMs;
    if ((closed || wasEmitted) && !(this.#options.update && endMs + this.#options.retainMs > watermarkMs)) return { updates: [], missed: true };

    const merged: Session = { firstMs, lastMs, points: touching.flatMap((s) => s.points), emitted: wasEmitted, dirty: true };
    merged.points.sort((a, b) => a.tsMs - b.tsMs || a.order - b.order);
    insertPoint(merged.points, point);
    this.#sessions = [...this.#sessions.filter((s) => !touching.includes(s)), merged].sort((a, b) => a.firstMs - b.firstMs);
    if (!closed) return { updates: [], missed: false };
    merged.emitted = true;
    merged.dirty = false;
    return { updates: [this.#result(merged, true)], missed: false };
  }

  close(watermarkMs: number): WindowResult[] {
    const results: WindowResult[] = [];
    for (const session of this.#sessions) {
      if (!session.dirty || session.lastMs + this.#gapMs > watermarkMs) continue;
      results.push(this.#result(session, session.emitted));
      session.emitted = true;
      session.dirty = false;
      // Dropping: only its bounds still matter, to recognise late records.
      if (!this.#options.update) session.points = [];
    }
    // An emitted session is kept a gap longer even when dropping: a record that would have joined it is then late.
    const keepMs = Math.max(this.#options.retainMs, this.#gapMs);
    this.#sessions = this.#sessions.filter((s) => s.dirty || s.lastMs + this.#gapMs + keepMs > watermarkMs);
    return results;
  }

  #result(session: Session, update: boolean): WindowResult {
    return {
      startMs: session.firstMs,
      endMs: session.lastMs + this.#gapMs,
      value: aggregate(this.#options.agg, session.points)!,
      count: session.points.length,
      update,
    };
  }
}
