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
  /** `twinbed test`: a scenario ran past --timeout (wall seconds) and was stopped. */
  timedOut: 4,
  /** Stopped by SIGINT or SIGTERM (128 + SIGINT's 2, as shells report it). */
  interrupted: 130,
} as const;
