/** Where a progress line goes: stderr in the CLI. `isTTY` chooses rewriting in place over one line per interval. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width, characters. */
  columns?: number;
}

export interface ProgressLineOptions {
  /** Wall ms between redraws on a terminal. Default 1000. */
  ttyIntervalMs?: number;
  /** Wall ms between status lines without a terminal (CI logs). Default 10000. */
  logIntervalMs?: number;
}

/**
 * A live status line: on a terminal, one line rewritten every second; without one (CI), a new line every 10 s, so
 * a log shows that a long run is alive without drowning in updates. `render` is called at each tick.
 */
export class ProgressLine {
  readonly #stream: ProgressStream;
  readonly #render: () => string;
  readonly #tty: boolean;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #shown = false;

  constructor(stream: ProgressStream, render: () => string, options: ProgressLineOptions = {}) {
    this.#stream = stream;
    this.#render = render;
    this.#tty = stream.isTTY === true;
    this.#intervalMs = this.#tty ? (options.ttyIntervalMs ?? 1000) : (options.logIntervalMs ?? 10_000);
  }

  start(): this {
    this.#timer ??= setInterval(() => this.#draw(), this.#intervalMs);
    // A progress line never keeps the process alive.
    this.#timer.unref();
    return this;
  }

  /** Writes other output (a reporter's line) without mixing it into the live line: clear, write, redraw. */
  print(write: () => void): void {
    const shown = this.#shown;
    this.#clear();
    write();
    if (shown) this.#draw();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear();
  }

  #draw(): void {
    const text = this.#render();
    if (!this.#tty) {
      this.#stream.write(`${text}\n`);
      return;
    }
    // A line longer than the terminal would wrap, and \r would then rewrite only its last row.
    this.#stream.write(`\r${text.slice(0, Math.max(20, (this.#stream.columns || 120) - 1))}\x1b[K`);
    this.#shown = true;
  }

  #clear(): void {
    if (!this.#shown) return;
    this.#stream.write('\r\x1b[K');
    this.#shown = false;
  }
}

/** How far a run is: `240/600 s simulated · ×35 · ETA 10 s`. */
export function formatRunProgress(progress: { simulatedS: number; durationS: number; speedup: number }): string {
  const { simulatedS, durationS, speedup } = progress;
  const remainingS = Math.max(durationS - simulatedS, 0);
  const eta = speedup > 0 ? formatWallS(remainingS / speedup) : '–';
  const speed = speedup >= 10 ? speedup.toFixed(0) : speedup.toFixed(1);
  return `${Math.round(simulatedS)}/${Math.round(durationS)} s simulated · ×${speed} · ETA ${eta}`;
}

/** `42 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatWallS(wallS: number): string {
  if (!Number.isFinite(wallS)) return '–';
  const s = Math.round(wallS);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
