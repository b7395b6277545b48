/** Longest line a device may send, characters: a line this long without a newline is noise, not a reading. */
export const MAX_LINE_CHARS = 4096;

/**
 * Cuts a byte stream into lines on `\n`. A run of more than MAX_LINE_CHARS without one is dropped up to the next
 * newline and reported once, so a wrong baud rate cannot grow a buffer without bound. Platform-free.
 */
export class LineSplitter {
  readonly #onLine: (line: string) => void;
  readonly #onTooLong: (chars: number) => void;
  #buffer = '';
  #discarding = false;
  #discarded = 0;

  constructor(onLine: (line: string) => void, onTooLong: (chars: number) => void) {
    this.#onLine = onLine;
    this.#onTooLong = onTooLong;
  }

  push(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.#discarding) {
        this.#onTooLong(this.#discarded + piece.length);
        this.#discarding = false;
        this.#discarded = 0;
        continue;
      }
      const line = this.#buffer + piece;
      this.#buffer = '';
      if (line.length > MAX_LINE_CHARS) this.#onTooLong(line.length);
      else this.#onLine(line);
    }
    const rest = text.slice(start);
    if (this.#discarding) this.#discarded += rest.length;
    else if (this.#buffer.length + rest.length > MAX_LINE_CHARS) {
      this.#discarding = true;
      this.#discarded = this.#buffer.length + rest.length;
      this.#buffer = '';
    } else this.#buffer += rest;
  }

  /** Forgets a partial line (the link dropped mid-line). */
  reset(): void {
    this.#buffer = '';
    this.#discarding = false;
    this.#discarded = 0;
  }
}
