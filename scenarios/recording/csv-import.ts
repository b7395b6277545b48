import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError, IdSchema, topics, type TelemetryV1 } from '../../protocol';
import { METADATA, toNs, type ChannelInfo } from './layout';
import { envelopeJson, RecordingError } from './payload';
import { RecordingWriter, type RecordingSummary } from './recording-writer';

export interface CsvImportOptions {
  /** The sensor log: one value a line, or delimited columns (comma, semicolon, tab or spaces), with or without a header. */
  file: string;
  device: string;
  sensor: string;
  /** Sample rate, Hz: sample i was taken at start + i / rateHz. */
  rateHz: number;
  /** Unit of the values. Default `g`. */
  unit?: string;
  /** The column: a 1-based number (as `cut -f`), or a header name. Default 1. */
  column?: number | string;
  /** Samples per telemetry block. Default: 1024, or one second of samples below 1024 Hz. */
  blockSamples?: number;
  /** Site of the device's topic. Default `site-1`. */
  site?: string;
  /** Event time of the first sample, ms since the epoch. Default 2026-01-01T00:00:00Z (a scenario's default start). */
  startMs?: number;
  /** The MCAP file to write. */
  out: string;
}

export interface CsvImportResult extends RecordingSummary {
  samples: number;
  blocks: number;
}

const DEFAULT_START_MS = Date.parse('2026-01-01T00:00:00Z');
const encoder = new TextEncoder();

/**
 * Turns a sensor log (a public bearing dataset's CSV, a logger's export) into a recording of telemetry blocks that
 * replays as `device`'s `sensor`: every value exactly as written (as a double), sample i at start + i / rateHz.
 */
export async function importCsv(options: CsvImportOptions): Promise<CsvImportResult> {
  const { file, rateHz } = options;
  const unit = options.unit ?? 'g';
  const site = options.site ?? 'site-1';
  checkOptions(options, unit, site);
  const blockSamples = options.blockSamples ?? (rateHz >= 1024 ? 1024 : Math.max(1, Math.round(rateHz)));
  const startMs = options.startMs ?? DEFAULT_START_MS;
  const topic = topics.telemetry(site, options.device, options.sensor);
  const info: ChannelInfo = { role: 'telemetry', wire: 'twinbed', codec: 'cbor', type: 'telemetry', device: options.device, sensor: options.sensor, qos: 1, retain: false };

  await mkdir(path.dirname(path.resolve(options.out)), { recursive: true });
  const writer = await RecordingWriter.create(options.out);
  let samples = 0;
  let seq = 0;
  let block: number[] = [];
  const flush = () => {
    if (block.length === 0) return;
    // Times from the sample index, never accumulated: block k starts exactly at start + k·blockSamples / rateHz.
    const tsMs = startMs + ((seq * blockSamples) / rateHz) * 1000;
    const message: TelemetryV1 = { type: 'telemetry', v: 1, device: options.device, sensor: options.sensor, seq, tsMs, rateHz, unit, values: block };
    writer.add(topic, info, encoder.encode(envelopeJson(message)), toNs(tsMs));
    seq++;
    block = [];
  };
  try {
    for await (const value of csvValues(file, options.column ?? 1)) {
      block.push(value);
      samples++;
      if (block.length === blockSamples) {
        flush();
        // Let the writer keep up: the queue would otherwise hold the whole log as JSON.
        if (seq % 64 === 0) await writer.flush();
      }
    }
    flush();
    if (samples === 0) throw new RecordingError('E_RECORDING_IMPORT', `${file}: no values found; a log needs one number a line, or a column of numbers`);
    await writer.metadata(METADATA.recording, {
      kind: 'import',
      source: path.resolve(file),
      column: String(options.column ?? 1),
      device: options.device,
      sensor: options.sensor,
      site,
      rateHz: String(rateHz),
      unit,
      blockSamples: String(blockSamples),
      samples: String(samples),
      startTime: new Date(startMs).toISOString(),
    });
  } catch (error) {
    await writer.close().catch(() => undefined);
    throw error;
  }
  return { ...(await writer.close()), samples, blocks: seq };
}

function checkOptions(options: CsvImportOptions, unit: string, site: string): void {
  const problems: { path: string; message: string }[] = [];
  for (const [name, value] of [['device', options.device], ['sensor', options.sensor], ['site', site]] as const) {
    const checked = IdSchema.safeParse(value);
    if (!checked.success) problems.push({ path: `--${name}`, message: checked.error.issues[0]!.message });
  }
  if (!(options.rateHz > 0 && Number.isFinite(options.rateHz))) problems.push({ path: '--rate', message: 'expected a sample rate in Hz > 0' });
  if (unit.length < 1 || unit.length > 16) problems.push({ path: '--unit', message: 'expected 1–16 characters, e.g. g or degC' });
  if (options.blockSamples !== undefined && !(Number.isInteger(options.blockSamples) && options.blockSamples >= 1 && options.blockSamples <= 65_536)) {
    problems.push({ path: '--block', message: 'expected a whole number of samples, 1–65536' });
  }
  if (typeof options.column === 'number' && !(Number.isInteger(options.column) && options.column >= 1)) problems.push({ path: '--column', message: 'expected a column number from 1, or a header name' });
  if (problems.length) throw new ConfigError('twinbed import csv', problems);
}

const DELIMITERS = [',', ';', '\t'];

/** The values of one column, in order; blank lines and lines starting with `#` are skipped. */
async function* csvValues(file: string, column: number | string): AsyncGenerator<number> {
  let stream;
  try {
    stream = createReadStream(file, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) => stream!.once('open', () => resolve()).once('error', reject));
  } catch (error) {
    throw new RecordingError('E_RECORDING_IMPORT', `${file}: cannot read the log (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
  let split: ((line: string) => string[]) | undefined;
  let index: number | undefined;
  let lineNo = 0;
  for await (const raw of createInterface({ input: stream, crlfDelay: Infinity })) {
    lineNo++;
    const line = raw.replace(/^\uFEFF/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!split) {
      const delimiter = DELIMITERS.find((d) => line.includes(d));
      split = delimiter ? (l) => l.split(delimiter).map((f) => f.trim()) : (l) => l.split(/\s+/);
      const fields = split(line);
      const named = typeof column === 'string' ? fields.findIndex((f) => unquote(f) === column) : -1;
      if (typeof column === 'string') {
        if (named < 0) throw new RecordingError('E_RECORDING_IMPORT', `${file}:${lineNo}: no column "${column}" in the header (it has: ${fields.map(unquote).join(', ')})`);
        index = named;
        continue;
      }
      index = column - 1;
      if (index >= fields.length) throw new RecordingError('E_RECORDING_IMPORT', `${file}:${lineNo}: no column ${column}; the line has ${fields.length}`);
      // A first line whose field is not a number is a header.
      if (!isNumber(unquote(fields[index]!))) continue;
    }
    const field = unquote(split(line)[index!] ?? '');
    if (!isNumber(field)) throw new RecordingError('E_RECORDING_IMPORT', `${file}:${lineNo}: column ${typeof column === 'string' ? `"${column}"` : column} is ${JSON.stringify(field)}, not a number`);
    yield Number(field);
  }
}

function isNumber(text: string): boolean {
  return text !== '' && Number.isFinite(Number(text));
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}
