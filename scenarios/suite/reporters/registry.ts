import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TwinbedError } from '../../../protocol';
import type { NamedReporter } from '../runner/reporter-mux';
import type { SuiteReporter } from '../suite-types';
import { BlobReporter } from './blob-reporter';
import { DotReporter } from './dot-reporter';
import { GithubReporter } from './github-reporter';
import { JsonReporter } from './json-reporter';
import { JunitReporter } from './junit-reporter';
import { ListReporter } from './list-reporter';

/** What a reporter is made with. */
export interface ReporterContext {
  /** The folder file reporters write into (--output). */
  outputDir: string;
  /** Where terminal reporters print (the CLI passes stdout, around its progress line). */
  write: (text: string) => void;
}

type Factory = (context: ReporterContext) => SuiteReporter | Promise<SuiteReporter>;

/** Built-in reporters by name, as `--reporter list,junit` chooses them. */
const BUILTIN: Record<string, Factory> = {
  list: (c) => new ListReporter(c.write),
  dot: (c) => new DotReporter(c.write),
  json: (c) => new JsonReporter(c.outputDir),
  junit: (c) => new JunitReporter(c.outputDir),
  github: (c) => new GithubReporter(c.write),
  blob: (c) => new BlobReporter(c.outputDir),
  // Loaded when asked for: it reads the report page's assets, which no other reporter needs.
  html: async (c) => new (await import('../html/index')).HtmlReporter({ outputDir: c.outputDir }),
};

export const BUILTIN_REPORTERS: readonly string[] = Object.keys(BUILTIN);

/** A reporter that cannot be made: an unknown name, or a custom module that does not load. Exit 2. */
export class ReporterError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_REPORTER', message, options);
  }
}

/** Whether a --reporter entry names a module file (a custom reporter) rather than a built-in. */
export function isReporterPath(name: string): boolean {
  return /[\\/]/.test(name) || /\.[cm]?js$/.test(name);
}

/**
 * A built-in by name, or a custom reporter from a JavaScript module whose default export is a SuiteReporter class
 * (constructed with the context) or object, as Playwright Test loads reporters by path.
 */
export async function createReporter(name: string, context: ReporterContext): Promise<NamedReporter> {
  const builtin = BUILTIN[name];
  if (builtin) return { name, reporter: await builtin(context) };
  if (!isReporterPath(name)) throw new ReporterError(`unknown reporter "${name}": choose from ${BUILTIN_REPORTERS.join(', ')}, or give the path of a reporter module`);
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(path.resolve(name)).href)) as { default?: unknown }).default;
  } catch (error) {
    throw new ReporterError(`reporter ${name} could not be loaded: ${(error as Error).message}`, { cause: error });
  }
  if (typeof exported === 'function') return { name, reporter: new (exported as new (c: ReporterContext) => SuiteReporter)(context) };
  if (exported && typeof exported === 'object') return { name, reporter: exported as SuiteReporter };
  throw new ReporterError(`reporter ${name} has no default export: export a class (or an object) with onBegin/onTestEnd/onEnd hooks`);
}
