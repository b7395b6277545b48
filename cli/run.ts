import { JsonReporter, ListReporter, loadTarget, readScenario, runScenario, type Reporter } from '../scenarios';
import { EXIT } from './exit-codes';
import { stderrLogger } from './logger';

export interface RunFlags {
  seed?: string | number;
  json?: string;
  quiet?: boolean;
  target?: string;
}

export async function runRun(file: string, options: RunFlags): Promise<number> {
  const { scenario, source } = await readScenario(file);
  const target = options.target ? await loadTarget(options.target) : undefined;
  const reporters: Reporter[] = [];
  if (!options.quiet) reporters.push(new ListReporter((text) => process.stdout.write(text)));
  if (options.json) reporters.push(new JsonReporter(options.json));
  const result = await runScenario(scenario, { file, source, seed: options.seed, reporters, logger: stderrLogger(), ...(target ? { target } : {}) });
  for (const error of result.reporterErrors ?? []) process.stderr.write(`twinbed: reporter failed: ${error}\n`);
  return result.passed ? EXIT.ok : EXIT.expectationFailed;
}
