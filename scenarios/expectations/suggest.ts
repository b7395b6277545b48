import { suggest } from '../../protocol';

/** ` (did you mean "rms"?)` when a known name is one or two letters away, else ` (<label>: a, b, c)`, or `` with nothing known. */
export function didYouMean(value: string, known: readonly string[], label: string): string {
  const hint = suggest(value, known);
  if (hint !== undefined) return ` (did you mean "${hint}"?)`;
  if (known.length === 0) return '';
  const shown = known.length > 24 ? `${known.slice(0, 24).join(', ')}, …` : known.join(', ');
  return ` (${label}: ${shown})`;
}
