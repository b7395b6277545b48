import { InvalidArgumentError } from 'commander';
import { importCsv } from '../scenarios';
import { EXIT } from './exit-codes';

export interface ImportCsvFlags {
  device: string;
  sensor: string;
  rate: number;
  unit?: string;
  column?: number | string;
  block?: number;
  site?: string;
  start?: number;
  out: string;
}

export const IMPORT_CSV_HELP = `
Turns a sensor log into a recording of telemetry blocks that \`twinbed replay\` publishes as that device (and
\`twinbed replay --judge --scenario FILE\` judges). The log holds one value a line, or columns separated by commas,
semicolons, tabs or spaces (a public bearing dataset's files, a logger's export); a first line that is not a
number in the chosen column is a header, and lines starting with # are skipped. Sample i is at --start + i / --rate;
each value is kept exactly as written.

Example: one channel of a 20 kHz bearing test rig, as pump-1's accelerometer
  twinbed import csv 2004.02.12.10.32.39 --column 1 --device pump-1 --sensor accel --rate 20000 --out bearing.mcap

Exit codes: 0 imported; 2 invalid input (a bad flag, a value that is not a number: file and line are named);
3 twinbed failed.
`;

/** `twinbed import csv`. */
export async function runImportCsv(file: string, flags: ImportCsvFlags): Promise<number> {
  const result = await importCsv({
    file,
    device: flags.device,
    sensor: flags.sensor,
    rateHz: flags.rate,
    out: flags.out,
    ...(flags.unit !== undefined ? { unit: flags.unit } : {}),
    ...(flags.column !== undefined ? { column: flags.column } : {}),
    ...(flags.block !== undefined ? { blockSamples: flags.block } : {}),
    ...(flags.site !== undefined ? { site: flags.site } : {}),
    ...(flags.start !== undefined ? { startMs: flags.start } : {}),
  });
  const column = flags.column ?? 1;
  process.stdout.write(
    `imported ${result.samples} samples (column ${column}) of ${file} as ${flags.site ?? 'site-1'}/${flags.device}/${flags.sensor} at ${flags.rate} Hz: ` +
      `${result.blocks} blocks into ${result.file} (${(result.bytes / 1e6).toFixed(2)} MB)\n`,
  );
  return EXIT.ok;
}

export function parseImportRate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a sample rate in Hz > 0');
  return n;
}

/** A 1-based column number, or a header name. */
export function parseColumn(value: string): number | string {
  if (/^\s*\d+\s*$/.test(value)) {
    const n = Number(value);
    if (n < 1) throw new InvalidArgumentError('columns count from 1');
    return n;
  }
  if (value.trim() === '') throw new InvalidArgumentError('expected a column number from 1, or a header name');
  return value;
}

export function parseStart(value: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) throw new InvalidArgumentError('expected an ISO 8601 time, e.g. 2026-01-01T00:00:00Z');
  return ms;
}

export function parseBlock(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n < 1 || n > 65_536) throw new InvalidArgumentError('expected samples per block, 1–65536');
  return n;
}
