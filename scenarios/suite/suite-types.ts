import type { RunResult } from '../reporter';

/** One scenario run of a suite: a file, under a seed, in one repetition. */
export interface SuiteTest {
  /** Stable across runs and shards: `<file>` plus `#<repeat>` when --repeat-each is above 1. */
  id: string;
  /** The scenario file, relative to the working folder, with `/` separators. */
  file: string;
  /** The scenario's `name:`. */
  title: string;
  /** 1-based line of `name:` in the file, for annotations. */
  line: number;
  seed: string | number;
  /** 0 … repeatEach − 1. */
  repeatIndex: number;
  /** The scenario's simulated seconds (`durationS`), for progress and ETA. */
  durationS?: number;
  /** Lines of the scenario's parts, for annotations that point at the expectation that failed. */
  lines?: ScenarioLines;
}

/** 1-based lines of a scenario file's parts. */
export interface ScenarioLines {
  /** Each `expect:` entry, in file order, with its `type:`. */
  expect: { type: string; line: number }[];
  /** Each top-level key (`name`, `expect`, `thresholds`, …). */
  sections: Record<string, number>;
  /** Each metric key under `thresholds:`. */
  thresholds: Record<string, number>;
}

/**
 * How a test ended. `flaky`: failed, then passed on a retry. `timedOut`: ran past --timeout (its own exit code).
 * `errored`: twinbed itself failed running it (exit 3). `interrupted`: the suite stopped first (--max-failures, a signal).
 */
export type SuiteStatus = 'passed' | 'failed' | 'flaky' | 'timedOut' | 'errored' | 'interrupted';

/** One attempt at a test (the first, then each retry). */
export interface SuiteAttempt {
  /** 0 for the first run, then one more per retry. */
  retry: number;
  status: 'passed' | 'failed' | 'timedOut' | 'errored';
  /** Wall ms. */
  durationMs: number;
  /** The run's report, when the scenario ran to the end. */
  result?: RunResult;
  /** What went wrong, for timedOut and errored: a message and, for errors, the stack. */
  error?: { message: string; stack?: string };
  /** The last few kB the worker wrote on stderr while it ran this attempt (logs, a crash's trace), when it wrote any. */
  stderr?: string;
}

export interface SuiteTestResult {
  test: SuiteTest;
  status: SuiteStatus;
  attempts: SuiteAttempt[];
}

export interface SuiteConfig {
  /** The paths or globs the suite was given, and what they found, after shard and grep, with repeats. */
  patterns: string[];
  workers: number;
  shard?: { current: number; total: number };
  retries: number;
  repeatEach: number;
  timeoutS?: number;
  failOnFlaky: boolean;
  maxFailures?: number;
  grep?: string;
  grepInvert?: string;
  /** --seed, when it overrides every scenario's own. */
  seed?: string | number;
  /** Where reporters write their files. */
  outputDir: string;
  /** --target: the target file every scenario ran against, instead of its own. */
  target?: string;
}

/** What a running test reports while it runs, about every second of wall time. */
export interface SuiteProgress {
  simulatedS: number;
  durationS: number;
  /** Simulated ÷ wall time so far. */
  speedup: number;
}

export interface SuiteSummary {
  status: 'passed' | 'failed' | 'timedOut' | 'interrupted' | 'errored';
  /** The process exit code the suite ends with (see EXIT in cli/exit-codes.ts). */
  exitCode: number;
  counts: Record<SuiteStatus, number>;
  /** Wall ms of the whole suite. */
  durationMs: number;
}

/**
 * Receives suite events; every hook is optional, as Playwright Test's reporters. Reporters run in the main process
 * (workers only run scenarios); one that throws is recorded and the suite goes on. Built-ins are chosen by name
 * (`--reporter list,junit,html`); each writes its files under `config.outputDir`.
 */
export interface SuiteReporter {
  onBegin?(config: SuiteConfig, tests: readonly SuiteTest[]): void | Promise<void>;
  onTestBegin?(test: SuiteTest, retry: number): void | Promise<void>;
  onProgress?(test: SuiteTest, progress: SuiteProgress): void;
  onTestEnd?(result: SuiteTestResult): void | Promise<void>;
  onEnd?(summary: SuiteSummary, results: readonly SuiteTestResult[]): void | Promise<void>;
}
