import { rm } from 'node:fs/promises';
import { formatRunProgress, JsonReporter, ListReporter, loadTarget, ProgressLine, readScenario, runScenario, type Reporter, type RunProgress } from '../scenarios';
import { EXIT } from './exit-codes';
import { runRecordOption } from './record';
import { stderrLogger } from './logger';

export interface RunFlags {
  seed?: string | number;
  json?: string;
  quiet?: boolean;
  target?: string;
  /** --record DIR: write the run's MQTT traffic as MCAP into DIR. */
  record?: string;
  /** --store FILE: keep the embedded cloud's SQLite store here, for `twinbed demo --replay FILE`. */
  store?: string;
}

export async function runRun(file: string, options: RunFlags): Promise<number> {
  const { scenario, source } = await readScenario(file);
  // A store is one run's: an old file (and its WAL) would mix two runs on the replay's timeline.
  if (options.store) for (const suffix of ['', '-wal', '-shm']) await rm(`${options.store}${suffix}`, { force: true });
  const target = options.target ? await loadTarget(options.target) : undefined;
  const reporters: Reporter[] = [];
  // Progress on stderr (a line rewritten every second on a terminal, one every 10 s in CI logs); the report on stdout.
  let latest: RunProgress | undefined;
  const line = options.quiet ? undefined : new ProgressLine(process.stderr, () => `twinbed run ${file}: ${latest ? formatRunProgress(latest) : 'starting'}`);
  if (line) reporters.push(new ListReporter((text) => line.print(() => process.stdout.write(text))));
  if (options.json) reporters.push(new JsonReporter(options.json));
  let result;
  try {
    line?.start();
    result = await runScenario(scenario, {
      file,
      source,
      seed: options.seed,
      reporters,
      logger: stderrLogger(),
      ...(target ? { target } : {}),
      ...(line ? { onProgress: (progress: RunProgress) => void (latest = progress) } : {}),
      ...(options.store ? { store: options.store } : {}),
      ...(options.record ? { record: runRecordOption(options.record, (text) => line?.print(() => process.stdout.write(text))) } : {}),
    });
  } finally {
    line?.stop();
  }
  for (const error of result.reporterErrors ?? []) process.stderr.write(`twinbed: reporter failed: ${error}\n`);
  return result.passed ? EXIT.ok : EXIT.expectationFailed;
}
