import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import { globBase, globToRegExp, isGlob } from './glob';

export interface Discovery {
  /** Scenario files, relative to the working folder with `/` separators, sorted and each once. */
  files: string[];
  /** What was looked at and left out, and why, for the user to read. */
  notes: string[];
  /** Patterns that found nothing: invalid input. */
  problems: string[];
}

const SKIPPED_DIRS = new Set(['node_modules', '.git']);
const YAML = /\.ya?ml$/i;

/**
 * The scenario files that paths and globs name. A file named outright is always a candidate (loading says what is
 * wrong with it). In folders (searched recursively) and glob matches, only YAML whose top level has `twins:` is a
 * scenario (targets and gateway configs live beside them), and a scenario with neither `expect:` nor `thresholds:`
 * has nothing to judge (a demo): both are left out with a note, never silently.
 */
export async function discoverScenarioFiles(patterns: readonly string[], cwd: string): Promise<Discovery> {
  const explicit = new Set<string>();
  const found = new Set<string>();
  const problems: string[] = [];
  for (const pattern of patterns) {
    let matched: string[];
    if (isGlob(pattern)) {
      const matcher = globToRegExp(toPosix(pattern).replace(/^\.\//, ''));
      const files = await walk(path.resolve(cwd, globBase(toPosix(pattern))));
      matched = files.filter((file) => matcher.test(path.isAbsolute(pattern) ? toPosix(file) : relative(cwd, file)));
      if (!matched.length) problems.push(`${pattern}: no YAML files match`);
    } else if ((await stat(path.resolve(cwd, pattern)).catch(() => undefined))?.isDirectory()) {
      matched = await walk(path.resolve(cwd, pattern));
      if (!matched.length) problems.push(`${pattern}: no YAML files in this folder`);
    } else {
      explicit.add(relative(cwd, path.resolve(cwd, pattern)));
      continue;
    }
    for (const file of matched) found.add(relative(cwd, file));
  }

  const notScenarios: string[] = [];
  const nothingToJudge: string[] = [];
  const files = new Set(explicit);
  for (const file of found) {
    if (files.has(file)) continue;
    const kind = await scenarioKind(path.resolve(cwd, file));
    if (kind === 'not-a-scenario') notScenarios.push(file);
    else if (kind === 'nothing-to-judge') nothingToJudge.push(file);
    else files.add(file);
  }
  const notes: string[] = [];
  if (notScenarios.length) notes.push(`left out ${count(notScenarios.length, 'YAML file')} with no top-level twins: (not scenarios): ${notScenarios.sort().join(', ')}`);
  if (nothingToJudge.length) notes.push(`left out ${count(nothingToJudge.length, 'scenario')} with nothing to judge (no expect: or thresholds:; name the file to run it anyway): ${nothingToJudge.sort().join(', ')}`);
  const sorted = [...files].sort(compareFiles);
  if (sorted.length === 0 && problems.length === 0) problems.push(`no scenario files in ${patterns.join(' ')}`);
  return { files: sorted, notes, problems };
}

/** By path, folder by folder, so `a/b.yaml` sorts the same on every platform and locale. */
function compareFiles(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...(await walk(full)));
    } else if (YAML.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

async function scenarioKind(file: string): Promise<'scenario' | 'not-a-scenario' | 'nothing-to-judge'> {
  const doc = parseDocument(await readFile(file, 'utf8').catch(() => ''));
  // A file that does not parse may be a broken scenario: keep it, so loading reports where it is broken.
  if (doc.errors.length) return 'scenario';
  const top = doc.contents;
  if (!isMap(top)) return 'not-a-scenario';
  const keys = new Set(top.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : '')));
  if (!keys.has('twins')) return 'not-a-scenario';
  return keys.has('expect') || keys.has('thresholds') ? 'scenario' : 'nothing-to-judge';
}

function relative(cwd: string, file: string): string {
  return toPosix(path.relative(cwd, file)) || '.';
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
