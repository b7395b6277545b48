import { ConfigError, TwinbedError } from '../../../protocol';
import { shardRange, type Shard } from '../../fleet-load';
import { readScenario } from '../../load';
import { targetOf } from '../../runner';
import { planRun, type LoadedTarget } from '../../target';
import type { SuiteTest } from '../suite-types';
import { discoverScenarioFiles } from './discover';
import { scenarioLines } from './scenario-lines';

/** Input that stops a suite before anything runs: every problem, each naming its file and line. Exit 2. */
export class SuiteInputError extends TwinbedError {
  readonly problems: readonly string[];

  constructor(summary: string, problems: readonly string[]) {
    super('E_SUITE_INPUT', `${summary}\n${problems.join('\n')}`);
    this.problems = problems;
  }
}

export interface SuitePlanOptions {
  /** Files, folders (searched recursively) and globs. */
  patterns: readonly string[];
  /** Keep only scenarios whose `file title` matches. */
  grep?: RegExp;
  /** Leave out scenarios whose `file title` matches. */
  grepInvert?: RegExp;
  /** Run only this contiguous slice of the files (after grep), as Playwright's --shard. */
  shard?: Shard;
  /** Runs of each scenario. Default 1. */
  repeatEach?: number;
  /** Overrides every scenario's seed. */
  seed?: string | number;
  /** Every scenario runs against this target instead of its own; checked here, so a refusal stops the suite before it starts. */
  target?: LoadedTarget;
}

export interface SuitePlan {
  /** The tests to run, in order: files sorted by path, each file's repeats together. */
  tests: SuiteTest[];
  /** Scenario files found and valid, before grep and shard. */
  discovered: number;
  /** Files after grep, before shard. */
  selected: number;
  notes: string[];
}

/**
 * Finds the scenario files, then loads and checks every one of them (also against the target each will run on)
 * before anything runs: a suite with one invalid file does not start, and its error lists all of them. Paths are
 * relative to the working folder, as the tests report them.
 */
export async function planSuite(options: SuitePlanOptions): Promise<SuitePlan> {
  const discovery = await discoverScenarioFiles(options.patterns, process.cwd());
  const problems = [...discovery.problems];
  const loaded: { file: string; title: string; seed: string | number; durationS: number; source: string }[] = [];
  for (const file of discovery.files) {
    try {
      const { scenario, source } = await readScenario(file);
      planRun(scenario, targetOf(scenario, { file, ...(options.target ? { target: options.target } : {}) }).target, {
        targetName: options.target?.name ?? 'its target',
        file,
        source,
      });
      loaded.push({ file, title: scenario.name, seed: options.seed ?? scenario.seed, durationS: scenario.durationS, source });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length) {
    const invalid = discovery.files.length - loaded.length;
    const summary = invalid ? `invalid input in ${invalid} of ${discovery.files.length} scenario files; nothing ran:` : 'invalid input; nothing ran:';
    throw new SuiteInputError(summary, problems);
  }

  const selected = loaded.filter(({ file, title }) => {
    const text = `${file} ${title}`;
    return (!options.grep || options.grep.test(text)) && !options.grepInvert?.test(text);
  });
  const { from, to } = options.shard ? shardRange(selected.length, options.shard) : { from: 0, to: selected.length };
  const repeatEach = options.repeatEach ?? 1;
  const tests: SuiteTest[] = [];
  for (const entry of selected.slice(from, to)) {
    const lines = scenarioLines(entry.source);
    for (let repeatIndex = 0; repeatIndex < repeatEach; repeatIndex++) {
      tests.push({
        id: repeatEach > 1 ? `${entry.file}#${repeatIndex + 1}` : entry.file,
        file: entry.file,
        title: entry.title,
        line: lines.sections.name ?? 1,
        seed: entry.seed,
        repeatIndex,
        durationS: entry.durationS,
        lines,
      });
    }
  }
  return { tests, discovered: loaded.length, selected: selected.length, notes: discovery.notes };
}
