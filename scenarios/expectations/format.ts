/** Seconds as details print them: `12.5 s`, `∞ s` for never. */
export function s(seconds: number): string {
  return `${fmt(seconds)} s`;
}

/** Four significant digits, `∞` for Infinity. */
export function fmt(value: number): string {
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}

/** Command args as details print them: `{"speedRpm":1000}`. */
export function describeArgs(args: Record<string, unknown> | undefined): string {
  return args && Object.keys(args).length ? ` ${JSON.stringify(args)}` : '';
}

/** A window of run seconds as a name reads it: `after 100 s`, `before 300 s`, `in 100–300 s`; `` with neither end. */
export function span(fromS: number | undefined, toS: number | undefined): string {
  if (fromS === undefined) return toS === undefined ? '' : `before ${s(toS)}`;
  return toS === undefined ? `after ${s(fromS)}` : `in ${fmt(fromS)}–${s(toS)}`;
}
