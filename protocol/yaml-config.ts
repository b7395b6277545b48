import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors';
import { expandEnv, type EnvProblem } from './env-expand';
import { formatFieldPath } from './field-path';

export interface YamlConfigOptions {
  /** Expand `${VAR}` and `${VAR:-default}` in every string from this environment before validating. Default: no expansion. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Parses YAML text and validates it against a zod schema. Every problem becomes a ConfigIssue carrying the
 * 1-based line of the offending field, so users read `scenarios/x.yaml:14 twins[0].speedRpm: …`.
 * Platform-free: callers read the file themselves.
 */
export function parseYamlConfig<S extends z.ZodType>(text: string, file: string, schema: S, options: YamlConfigOptions = {}): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ line: lineCounter.linePos(e.pos[0]).line, path: '', message: `YAML syntax: ${firstLine(e.message)}` })),
    );
  }
  // An empty document has no node to point at: its problems (required fields missing) are on line 1.
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // Aliases resolve here: one whose anchor is not set before it, or so many that they expand without bound.
    const alias = troublesomeAlias(doc);
    throw new ConfigError(file, [{ line: lineAt(alias?.offset), path: formatFieldPath(alias?.path ?? []), message: `YAML: ${firstLine((error as Error).message)}` }]);
  }
  if (options.env) {
    const problems: EnvProblem[] = [];
    data = expandEnv(data, options.env, problems);
    if (problems.length) throw new ConfigError(file, problems.map((p) => ({ line: lineAt(fieldOffset(doc.contents, p.path)), path: formatFieldPath(p.path), message: p.message })));
  }
  const result = schema.safeParse(data ?? {});
  if (result.success) return result.data;

  const issues: ConfigIssue[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const known = knownKeys(schema, issue.path, data);
        const hint = known ? suggest(key, known) : undefined;
        issues.push({
          line: lineAt(fieldOffset(doc.contents, [...issue.path, key])),
          path: formatFieldPath([...issue.path, key]),
          message: `unknown field${hint ? ` (did you mean "${hint}"?)` : known ? ` (expected one of: ${known.join(', ')})` : ''}`,
        });
      }
      continue;
    }
    issues.push({ line: lineAt(fieldOffset(doc.contents, issue.path)), path: formatFieldPath(issue.path), message: issue.message });
  }
  throw new ConfigError(file, issues);
}

/**
 * A ConfigError for problems found after a file validated (a check that needs more than the file, such as the
 * target a scenario runs against), with each issue placed on its field's line.
 */
export function configErrorAt(text: string, file: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): ConfigError {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  return new ConfigError(
    file,
    issues.map((issue) => {
      const offset = fieldOffset(doc.contents, issue.path);
      return { ...(offset === undefined ? {} : { line: lineCounter.linePos(offset).line }), path: formatFieldPath(issue.path), message: issue.message };
    }),
  );
}

/** The first alias with no anchor before it, else the first alias: where toJS() failed. */
function troublesomeAlias(doc: Document): { offset: number | undefined; path: (string | number)[] } | undefined {
  let first: { offset: number | undefined; path: (string | number)[] } | undefined;
  let unresolved: typeof first;
  visit(doc, {
    Alias(_key, node, ancestors) {
      const found = { offset: node.range?.[0], path: pathTo([...ancestors, node]) };
      first ??= found;
      if (node.resolve(doc) === undefined) {
        unresolved = found;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return unresolved ?? first;
}

/** The field path of the last node in a chain of ancestors (map keys and sequence indices). */
function pathTo(chain: readonly unknown[]): (string | number)[] {
  const path: (string | number)[] = [];
  for (let i = 0; i + 1 < chain.length; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isPair(parent) && parent.value === child) path.push(String(isScalar(parent.key) ? parent.key.value : parent.key));
    else if (isSeq(parent)) path.push(parent.items.indexOf(child as never));
  }
  return path;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

/** Offset of the field at `path` (its key), or of the nearest ancestor present: a missing field points at its parent. */
function fieldOffset(root: unknown, path: readonly PropertyKey[]): number | undefined {
  let node = root as Node | null | undefined;
  let offset = node?.range?.[0];
  for (const part of path) {
    const next = childNode(node, part);
    if (!next) break;
    offset = next.key?.range?.[0] ?? next.value?.range?.[0] ?? offset;
    node = next.value;
  }
  return offset;
}

function childNode(node: unknown, part: PropertyKey): { key?: Node; value?: Node } | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const items = (node as { items?: unknown[] }).items;
  if (!Array.isArray(items)) return undefined;
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      const name = isScalar(key) ? key.value : key;
      if (String(name) === String(part)) return { key: key ?? undefined, value: (pair.value as Node | null) ?? undefined };
    }
    return undefined;
  }
  if (typeof part === 'number') {
    const item = items[part] as Node | undefined;
    return item ? { value: item } : undefined;
  }
  return undefined;
}

/** The keys the schema accepts at `path`, found by walking the schema alongside the data (best effort). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[], data: unknown): string[] | undefined {
  let current: unknown = schema;
  let value = data;
  for (const part of [...path, undefined]) {
    current = unwrap(current, value);
    if (part === undefined) break;
    const def = defOf(current);
    if (def?.type === 'object' && typeof part === 'string') current = (def.shape as Record<string, unknown>)[part];
    else if (def?.type === 'array' && typeof part === 'number') current = def.element;
    else if (def?.type === 'record') current = def.valueType;
    else return undefined;
    value = (value as Record<PropertyKey, unknown> | undefined)?.[part];
  }
  const def = defOf(current);
  return def?.type === 'object' ? Object.keys(def.shape as object) : undefined;
}

interface LooseDef {
  type: string;
  [key: string]: unknown;
}

function defOf(schema: unknown): LooseDef | undefined {
  return (schema as { def?: LooseDef } | undefined)?.def;
}

function unwrap(schema: unknown, value: unknown): unknown {
  for (let guard = 0; guard < 20; guard++) {
    const def = defOf(schema);
    if (!def) return schema;
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) schema = def.innerType;
    else if (def.type === 'pipe') schema = def.in;
    else if (def.type === 'union') schema = pickUnionOption(def.options as unknown[], value);
    else return schema;
  }
  return schema;
}

/** For a discriminated union, the option whose literal discriminator matches the data. */
function pickUnionOption(options: unknown[], value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    for (const option of options) {
      const def = defOf(unwrap(option, value));
      if (def?.type !== 'object') continue;
      const shape = def.shape as Record<string, unknown>;
      const matches = Object.entries(shape).some(([key, field]) => {
        const fieldDef = defOf(field);
        return fieldDef?.type === 'literal' && (fieldDef.values as unknown[]).includes((value as Record<string, unknown>)[key]);
      });
      if (matches) return option;
    }
  }
  return options[0];
}

/** The closest known key within edit distance 2 (or 1 for short keys). */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= (input.length <= 4 ? 1 : 2) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  // Damerau (optimal string alignment): a swapped pair of letters, the commonest typo, counts as one edit.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
