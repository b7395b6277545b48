// Numbers as an engineer reads them: units always, few digits, tabular.

/** Wall time: `840 ms`, `12.3 s`, `4m 05s`, `1h 02m`. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms < 1000) return `${round(ms, ms < 10 ? 2 : ms < 100 ? 1 : 0)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${round(s, 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(Math.floor(s % 60))}s`;
  return `${Math.floor(m / 60)}h ${pad(m % 60)}m`;
}

/** Simulated time: `14 s`, `21.3 s`, `30:00`, `3:00:00`. */
export function formatSimS(s: number): string {
  if (Math.abs(s) < 600) return `${round(s, Math.abs(s) < 10 && !Number.isInteger(s) ? 2 : 1)} s`;
  const whole = Math.round(s);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(whole % 60)}` : `${m}:${pad(whole % 60)}`;
}

/** A measured value: four significant digits, no exponent for everyday magnitudes. */
export function formatValue(v: number | undefined): string {
  if (v === undefined) return '–';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-4) return v.toExponential(2);
  if (abs >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(4)));
}

export function formatCount(n: number | undefined): string {
  return n === undefined ? '–' : n.toLocaleString('en-US');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function round(v: number, digits: number): string {
  return String(Number(v.toFixed(digits)));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
