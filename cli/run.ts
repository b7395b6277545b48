import { JsonReporter, ListReporter, loadScenario, runScenario, type Reporter } from '../scenarios';
import { EXIT } from './exit-codes';
import { stderrLogger } from './logger';

export async function runRun(file: string, options: { seed?: string | number; json?: string; quiet?: boolean }): Promise<number> {
  const scenario = await loadScenario(file);
  const reporters: Reporter[] = [];
  if (!options.quiet) reporters.push(new ListReporter((text) => process.stdout.write(text)));
  if (options.json) reporters.push(new JsonReporter(options.json));
  const result = await runScenario(scenario, { file, seed: options.seed, reporters, logger: stderrLogger() });
  for (const error of result.reporterErrors ?? []) process.stderr.write(`twinbed: reporter failed: ${error}\n`);
  return result.passed ? EXIT.ok : EXIT.expectationFailed;
}
