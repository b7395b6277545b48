import os from 'node:os';
import { InvalidArgumentError } from 'commander';
import {
  BUILTIN_REPORTERS,
  createReporter,
  ForkedWorker,
  isReporterPath,
  loadTarget,
  planSuite,
  ProgressLine,
  SuiteInputError,
  SuiteProgressText,
  SuiteRun,
  type NamedReporter,
  type Shard,
  type SuiteConfig,
  type SuiteSummary,
  type SuiteTest,
} from '../scenarios';
import { monotonicWallMs } from '../sim';
import { EXIT } from './exit-codes';
import { runTestReplay } from './replay';

export interface TestFlags {
  workers?: number;
  shard?: Shard;
  grep?: RegExp;
  grepInvert?: RegExp;
  list?: boolean;
  seed?: string | number;
  repeatEach: number;
  retries: number;
  failOnFlaky?: boolean;
  timeout?: number;
  maxFailures?: number;
  output: string;
  reporter?: string[];
  target?: string;
  quiet?: boolean;
  /** --replay REC.mcap: judge a recording instead of running scenarios (cli/replay.ts). */
  replay?: string;
}

/** The exit code of a suite's verdict; its precedence is in suiteStatus and documented in TEST_HELP. */
export function suiteExitCode(status: SuiteSummary['status']): number {
  switch (status) {
    case 'passed':
      return EXIT.ok;
    case 'failed':
      return EXIT.expectationFailed;
    case 'timedOut':
      return EXIT.timedOut;
    case 'errored':
      return EXIT.crashed;
    case 'interrupted':
      return EXIT.interrupted;
  }
}

/** Half the cores, at least one: a scenario is a whole pipeline (broker, gateway, cloud) and uses more than one core. */
export function defaultWorkers(): number {
  return Math.max(1, Math.floor(os.availableParallelism() / 2));
}

/** `twinbed test`: check every scenario, then run them on worker processes and report. */
export async function runTest(patterns: readonly string[], flags: TestFlags): Promise<number> {
  // --- twinbed test --replay (recordings: scenarios/recording, cli/replay.ts) ---
  if (flags.replay !== undefined) return runTestReplay(flags.replay, patterns, flags);
  // --- end of --replay ---
  const target = flags.target ? await loadTarget(flags.target) : undefined;
  const plan = await planSuite({
    patterns: patterns.length ? patterns : ['scenarios/'],
    ...(flags.grep ? { grep: flags.grep } : {}),
    ...(flags.grepInvert ? { grepInvert: flags.grepInvert } : {}),
    ...(flags.shard ? { shard: flags.shard } : {}),
    repeatEach: flags.repeatEach,
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(target ? { target } : {}),
  });
  for (const note of plan.notes) process.stderr.write(`twinbed test: note: ${note}\n`);
  if (plan.selected === 0) throw new SuiteInputError('no scenario to run:', [`--grep/--grep-invert left none of the ${plan.discovered} scenarios`]);
  if (plan.tests.length === 0) process.stderr.write(`twinbed test: note: shard ${flags.shard!.index}/${flags.shard!.total} has no scenarios (${plan.selected} in all)\n`);
  if (flags.list) {
    process.stdout.write(listText(plan.tests, flags));
    return EXIT.ok;
  }

  const workers = flags.workers ?? defaultWorkers();
  const config: SuiteConfig = {
    patterns: patterns.length ? [...patterns] : ['scenarios/'],
    workers,
    ...(flags.shard ? { shard: { current: flags.shard.index, total: flags.shard.total } } : {}),
    retries: flags.retries,
    repeatEach: flags.repeatEach,
    ...(flags.timeout !== undefined ? { timeoutS: flags.timeout } : {}),
    failOnFlaky: flags.failOnFlaky === true,
    ...(flags.maxFailures !== undefined ? { maxFailures: flags.maxFailures } : {}),
    ...(flags.grep ? { grep: flags.grep.source } : {}),
    ...(flags.grepInvert ? { grepInvert: flags.grepInvert.source } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    outputDir: flags.output,
    ...(flags.target ? { target: flags.target } : {}),
  };

  const progressText = new SuiteProgressText(monotonicWallMs);
  const line = flags.quiet ? undefined : new ProgressLine(process.stderr, () => progressText.text());
  const write = (text: string) => (line ? line.print(() => process.stdout.write(text)) : process.stdout.write(text));
  const reporters = await makeReporters(flags.reporter ?? (flags.quiet ? [] : ['list']), { outputDir: flags.output, write });
  // First, so the line redrawn after a reporter's output already counts the test that output was about.
  if (line) reporters.unshift({ name: 'progress', reporter: progressText });

  // The worker is this very CLI (bin/twinbed.js, or the bundle) with its hidden worker subcommand.
  const run = new SuiteRun({
    config,
    tests: plan.tests,
    reporters,
    startWorker: () => new ForkedWorker({ modulePath: process.argv[1]!, args: ['__worker'] }),
    exitCodeOf: suiteExitCode,
    ...(flags.target ? { target: flags.target } : {}),
    nowMs: monotonicWallMs,
  });
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\ntwinbed test: ${signal}: stopping the running tests; the reports are still written (again to quit now)\n`);
    run.stop('signal');
    process.once(signal, () => process.exit(EXIT.interrupted));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  line?.start();
  try {
    const outcome = await run.run();
    for (const error of outcome.reporterErrors) process.stderr.write(`twinbed test: reporter failed: ${error}\n`);
    return outcome.summary.exitCode;
  } finally {
    line?.stop();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Reporters by name, made before anything runs, so a bad name or module stops the suite with exit 2. */
export async function makeReporters(names: readonly string[], context: { outputDir: string; write: (text: string) => void }): Promise<NamedReporter[]> {
  const out: NamedReporter[] = [];
  for (const name of [...new Set(names)]) out.push(await createReporter(name, context));
  return out;
}

function listText(tests: readonly SuiteTest[], flags: TestFlags): string {
  const files = new Set(tests.map((t) => t.file)).size;
  const shard = flags.shard ? ` (shard ${flags.shard.index}/${flags.shard.total})` : '';
  const lines = tests.map((t) => `  ${t.file}:${t.line} › ${t.title}${t.id.includes('#') ? ` (repeat ${t.repeatIndex + 1})` : ''} (seed ${t.seed}, ${t.durationS} s simulated)`);
  return `Listing ${tests.length} ${tests.length === 1 ? 'test' : 'tests'} in ${files} ${files === 1 ? 'file' : 'files'}${shard}:\n${lines.map((l) => `${l}\n`).join('')}`;
}

export function parseReporters(value: string): string[] {
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  if (!names.length) throw new InvalidArgumentError(`expected reporter names, e.g. list,junit (${BUILTIN_REPORTERS.join(', ')})`);
  for (const name of names) {
    if (!BUILTIN_REPORTERS.includes(name) && !isReporterPath(name)) throw new InvalidArgumentError(`unknown reporter "${name}": choose from ${BUILTIN_REPORTERS.join(', ')}, or give the path of a reporter module`);
  }
  return names;
}

export function parseRegExp(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch (error) {
    throw new InvalidArgumentError(`not a regular expression: ${(error as Error).message}`);
  }
}

/** A whole number ≥ min. */
export function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return n;
  };
}

export function parseTimeoutS(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected wall seconds > 0');
  return n;
}
