/** Process exit codes, stable for CI scripts. */
export const EXIT = {
  /** Every expectation held (or the command succeeded). */
  ok: 0,
  /** The run completed and at least one expectation failed. */
  expectationFailed: 1,
  /** Bad flags, a missing file or an invalid scenario/config: nothing ran. */
  invalidInput: 2,
  /** twinbed itself failed; the stack trace is on stderr. */
  crashed: 3,
} as const;
