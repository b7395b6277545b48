import type { RunResult } from '../../reporter';
import type { RunJob } from '../ipc';
import type { SuiteProgress } from '../suite-types';

/** How one attempt ended, as the process that ran it tells it. */
export type AttemptEnd =
  | { kind: 'result'; result: RunResult; stderr?: string }
  /** runScenario threw. */
  | { kind: 'error'; error: { message: string; stack?: string }; stderr?: string }
  /** The worker process ended (crashed, killed) before it answered. */
  | { kind: 'crashed'; error: { message: string }; stderr?: string };

export interface AttemptEvents {
  onStart(): void;
  onProgress(progress: SuiteProgress): void;
}

/**
 * A process that runs one test at a time. The dispatcher sees only this, so its scheduling (retries, timeouts,
 * --max-failures) is tested with workers that are not processes.
 */
export interface SuiteWorker {
  /** Runs one test; never rejects. `onStart` is told when the worker has it (after the process started), `onProgress` how far it is. */
  run(job: RunJob, events: AttemptEvents): Promise<AttemptEnd>;
  /** Ends the worker now (a timeout, an interrupt): a run in progress ends as `crashed`. */
  kill(): void;
  /** Lets an idle worker exit, and waits for it. */
  close(): Promise<void>;
}
