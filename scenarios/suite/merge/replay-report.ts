import { ReporterMux, type NamedReporter } from '../runner/reporter-mux';
import type { SuiteOutcome } from '../runner/dispatcher';
import { countStatuses, suiteStatus } from '../runner/verdict';
import type { SuiteSummary } from '../suite-types';
import type { MergedSuite } from './merge-blobs';

/** Plays a merged suite through reporters as if it had just run: each attempt begins, each test ends, then the end. */
export async function replayReport(merged: MergedSuite, reporters: readonly NamedReporter[], exitCodeOf: (status: SuiteSummary['status']) => number): Promise<SuiteOutcome> {
  const mux = new ReporterMux(reporters);
  await mux.onBegin(merged.config, merged.tests);
  for (const result of merged.results) {
    for (const attempt of result.attempts) await mux.onTestBegin(result.test, attempt.retry);
    await mux.onTestEnd(result);
  }
  const status = suiteStatus(merged.results, { failOnFlaky: merged.config.failOnFlaky, stoppedBySignal: merged.stoppedBySignal });
  const summary: SuiteSummary = { status, exitCode: exitCodeOf(status), counts: countStatuses(merged.results), durationMs: merged.durationMs };
  await mux.onEnd(summary, merged.results);
  return { summary, results: merged.results, reporterErrors: mux.errors };
}
