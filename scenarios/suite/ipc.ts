// The messages between `twinbed test` and its worker processes (child_process.fork IPC, structured clone).
import type { RunResult } from '../reporter';
import type { SuiteProgress, SuiteTest } from './suite-types';

/** Main → worker: run one test, then wait for the next. */
export interface RunJob {
  type: 'run';
  test: SuiteTest;
  /** 0 for the first attempt, then one more per retry. */
  retry: number;
  /** --target: a target file to run against instead of the scenario's own. */
  target?: string;
  /** Wall ms between progress messages. */
  progressIntervalMs: number;
}

export type HostMessage = RunJob;

/** Worker → main. */
export type WorkerMessage =
  /** Loaded and listening: the main process may send a job. */
  | { type: 'ready' }
  | { type: 'progress'; testId: string; progress: SuiteProgress }
  /** The scenario ran to its end; `result.passed` says whether its expectations held. */
  | { type: 'result'; testId: string; result: RunResult }
  /** runScenario threw: twinbed failed to run the test (an errored attempt). */
  | { type: 'error'; testId: string; error: { message: string; stack?: string; code?: string } };
