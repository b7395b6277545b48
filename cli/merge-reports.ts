import { mergeBlobs, readBlobFiles, replayReport } from '../scenarios';
import { makeReporters, suiteExitCode } from './test';

export interface MergeFlags {
  reporter?: string[];
  output: string;
}

/** `twinbed merge-reports`: the union of sharded runs' blob reports, through the chosen reporters. */
export async function runMergeReports(paths: readonly string[], flags: MergeFlags): Promise<number> {
  const merged = mergeBlobs(await readBlobFiles(paths), flags.output);
  for (const note of merged.notes) process.stderr.write(`twinbed merge-reports: note: ${note}\n`);
  const reporters = await makeReporters(flags.reporter ?? ['list'], { outputDir: flags.output, write: (text) => process.stdout.write(text) });
  const outcome = await replayReport(merged, reporters, suiteExitCode);
  for (const error of outcome.reporterErrors) process.stderr.write(`twinbed merge-reports: reporter failed: ${error}\n`);
  return outcome.summary.exitCode;
}
