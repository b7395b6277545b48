import fc from 'fast-check';
import { parseDocument, stringify } from 'yaml';

/**
 * Scalars YAML reads in surprising ways, or that no field should take: non-finite and odd numbers, YAML 1.1 leftovers,
 * tags, anchors and aliases (some unresolved), block indicators, unset `${VAR}`s, ill-formed escapes, huge text.
 */
const HOSTILE_SCALARS = [
  '.nan', '.inf', '-.inf', '~', 'null', '[]', '{}', '-1', '0', '1e400', '-1e400', '0x10', '0o17', '1_000', '2026-01-01',
  'yes', 'no', 'on', 'true', '"', "'", '&a x', '*a', '*nope', '!!binary aGk=', '!!str', '!!int x', '!!float .nan', '!foo x',
  '|', '>', '|-\n  text', '- x', ': x', '? x', '#', '${TWINBED_FUZZ_UNSET}', '$${X}', '${X:-}', '"\\ud800"', '"\\u0000"',
  '"\\x"', '\t', 'x'.repeat(5000), '[[[[[[[[[[', '{a: {b: {c: [', '<<: *a', '@', '`', '%YAML 1.2', '---', '...',
];

/** One edit of a YAML text: by line, by character, or a value swapped for a hostile scalar. */
export type YamlEdit =
  | { kind: 'delete-line'; at: number }
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'swap-lines'; at: number; with: number }
  | { kind: 'indent'; at: number; by: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'value'; at: number; scalar: string };

const at = fc.nat();
export const yamlEdit: fc.Arbitrary<YamlEdit> = fc.oneof(
  fc.record({ kind: fc.constant('delete-line' as const), at }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at }),
  fc.record({ kind: fc.constant('swap-lines' as const), at, with: at }),
  fc.record({ kind: fc.constant('indent' as const), at, by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({ kind: fc.constant('insert' as const), at, text: fc.oneof(fc.constantFrom(...HOSTILE_SCALARS, '\n', ': ', '- ', '\n  - ', '\r', '\ufeff'), fc.string({ unit: 'binary', maxLength: 8 })) }),
  { arbitrary: fc.record({ kind: fc.constant('value' as const), at, scalar: fc.constantFrom(...HOSTILE_SCALARS) }), weight: 4 },
);

export function applyYamlEdits(text: string, edits: readonly YamlEdit[]): string {
  let out = text;
  for (const edit of edits) out = applyYamlEdit(out, edit);
  return out;
}

function applyYamlEdit(text: string, edit: YamlEdit): string {
  const lines = text.split('\n');
  const i = edit.at % Math.max(1, lines.length);
  switch (edit.kind) {
    case 'delete-line':
      lines.splice(i, 1);
      return lines.join('\n');
    case 'duplicate-line':
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    case 'swap-lines': {
      const j = edit.with % Math.max(1, lines.length);
      [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      return lines.join('\n');
    }
    case 'indent': {
      const line = lines[i] ?? '';
      lines[i] = edit.by >= 0 ? ' '.repeat(edit.by) + line : line.replace(new RegExp(`^ {0,${-edit.by}}`), '');
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, edit.at % (text.length + 1));
    case 'insert': {
      const c = edit.at % (text.length + 1);
      return text.slice(0, c) + edit.text + text.slice(c);
    }
    case 'value': {
      // The value after a `key:` or `- ` on the chosen line, else the line's first word.
      const line = lines[i] ?? '';
      const match = /^(\s*(?:- )?[^:#]*:\s|\s*- )(.*)$/.exec(line);
      lines[i] = match ? `${match[1]}${edit.scalar}` : edit.scalar;
      return lines.join('\n');
    }
  }
}

/** A path into a parsed document: keys and indices, resolved modulo what is there. */
const pathSteps = fc.array(fc.nat(), { minLength: 1, maxLength: 5 });
const DELETE = Symbol('delete');

/** Values of the wrong type or past the edge of a rule, and big or deep ones. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(DELETE, null, true, -1, 0, 0.5, 1e21, -1e21, Number.NaN, Infinity, -Infinity, '', 'x'.repeat(300), [], {}, [[[]]], { extra: 1 }, '../../etc/passwd', 'mqtt://'),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 1000, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
);

export interface StructuralEdit {
  steps: number[];
  value: unknown;
  extraKey: string;
}

export const structuralEdit: fc.Arbitrary<StructuralEdit> = fc.record({ steps: pathSteps, value: hostileValue, extraKey: fc.oneof(fc.constantFrom('extra', '__proto__', 'constructor', 'twinz', 'durationMs'), fc.string({ maxLength: 12 })) });

/**
 * The document with one value somewhere in it replaced, deleted, or given an extra key, written back as YAML. The
 * step list picks a child at each level (index modulo the children); the edit lands where the list or the tree ends.
 */
export function applyStructuralEdit(text: string, edit: StructuralEdit): string {
  const data: unknown = parseDocument(text).toJS();
  if (typeof data !== 'object' || data === null) return stringify(edit.value === DELETE ? null : edit.value);
  let holder = data as Record<string, unknown>;
  let key: string | number | undefined;
  for (const step of edit.steps) {
    const keys = Array.isArray(holder) ? holder.map((_, i) => i) : Object.keys(holder);
    if (keys.length === 0) break;
    key = keys[step % keys.length]!;
    const child = (holder as Record<string | number, unknown>)[key];
    if (typeof child !== 'object' || child === null) break;
    holder = child as Record<string, unknown>;
    key = undefined;
  }
  if (key === undefined) {
    Object.defineProperty(holder, edit.extraKey, { value: edit.value === DELETE ? 1 : edit.value, enumerable: true, writable: true, configurable: true });
  } else if (edit.value === DELETE) {
    if (Array.isArray(holder)) holder.splice(key as number, 1);
    else delete (holder as Record<string | number, unknown>)[key];
  } else {
    (holder as Record<string | number, unknown>)[key] = edit.value;
  }
  return stringify(data);
}
