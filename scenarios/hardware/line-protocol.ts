import type { CommandV1 } from '../../protocol';
import type { HardwareBinding } from './hardware-schema';

// The line protocol between twinbed and a device (and what `twinbed emulate` speaks). Platform-free.
//
// Device → twinbed, one line each, `\n`-terminated (a `\r` before it is dropped):
//   jsonl  reading  {"t":1520.5,"seq":152,"accel":0.0123,"winding-temp":41.2}   sensors absent from a line were not sampled then
//          meta     {"type":"hello"|"ack"|"nak"|"status"|"bye", …}
//   csv    reading  1520.5,152,0.0123,41.2                                         in the binding's columns; an empty cell: not sampled
//          meta     # hello {"device":"pump-1",…}                                   `#`, the type, then a JSON object
//          other `#` lines are comments; a line equal to the column names is a header
// twinbed → device, one command a line:
//   json   {"type":"cmd","v":1,"device":"pump-1","tsMs":…,"id":"step-1","action":"slow-down","args":{"speedRpm":500}}
//   text   slow-down speedRpm=500 rampS=1
// The device answers a command with an ack {"type":"ack","id":…,"action":…,"outcome":"…"} or a nak {…,"error":"…"}.

/** Meta lines a device sends besides its readings. */
export const META_TYPES = ['hello', 'ack', 'nak', 'status', 'bye'] as const;
export type MetaType = (typeof META_TYPES)[number];

/** One line as twinbed reads it. */
export type ParsedLine =
  | {
      kind: 'reading';
      /** The device's clock at the sample, ms (undefined when the binding stamps readings on receipt). */
      deviceMs: number | undefined;
      seq: number | undefined;
      /** Values by sensor name, scaled. */
      values: Map<string, number>;
    }
  | { kind: 'meta'; type: MetaType; body: Record<string, unknown> }
  | { kind: 'skip' }
  /** A framing error: `reason` is a stable key for counting, `detail` says what was wrong with this line. */
  | { kind: 'error'; reason: string; detail: string };

const TIME_FACTOR_MS = { ms: 1, s: 1000, us: 0.001 } as const;

/** Reads a binding's lines and writes its commands. */
export class LineCodec {
  readonly #binding: HardwareBinding;
  readonly #sensors: readonly { name: string; field: string; scale: number; offset: number }[];

  constructor(binding: HardwareBinding) {
    this.#binding = binding;
    this.#sensors = Object.entries(binding.sensors).map(([name, s]) => ({ name, field: s.field ?? name, scale: s.scale, offset: s.offset }));
  }

  /** Parses one line (without its newline). `sensor`: the line came on that sensor's own topic. */
  parse(raw: string, sensor?: string): ParsedLine {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return { kind: 'skip' };
    // A wrong baud rate or a noisy line shows up as replacement characters and control bytes.
    // eslint-disable-next-line no-control-regex
    if (/[\uFFFD\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(line)) return error('garbled bytes', `unreadable bytes in ${quote(line)} (is the baud rate right?)`);
    if (sensor !== undefined) return this.#parseSensorPayload(line, sensor);
    return this.#binding.format === 'csv' ? this.#parseCsv(line) : this.#parseJson(line);
  }

  /** The line that carries `command` to the device (no newline). */
  command(command: CommandV1): string {
    if (this.#binding.commands === 'json') return JSON.stringify(command);
    return encodeTextCommand(command.action, command.args ?? {});
  }

  #parseJson(line: string): ParsedLine {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return error('not JSON', `not JSON: ${quote(line)}`);
    }
    if (!isObject(value)) return error('not a JSON object', `not a JSON object: ${quote(line)}`);
    return this.#fromObject(value, line);
  }

  #fromObject(object: Record<string, unknown>, line: string): ParsedLine {
    const type = object.type;
    if (type !== undefined && type !== 'reading') {
      if (typeof type === 'string' && (META_TYPES as readonly string[]).includes(type)) return { kind: 'meta', type: type as MetaType, body: object };
      return error('unknown line type', `unknown line type ${JSON.stringify(type)} in ${quote(line)}`);
    }
    const values = new Map<string, number>();
    for (const s of this.#sensors) {
      const raw = object[s.field];
      if (raw === undefined || raw === null) continue;
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return error('not a number', `"${s.field}" is not a number in ${quote(line)}`);
      values.set(s.name, raw * s.scale + s.offset);
    }
    return this.#reading(values, object[this.#binding.time.field], this.#binding.seq === null ? undefined : object[this.#binding.seq], line);
  }

  #parseCsv(line: string): ParsedLine {
    if (line.startsWith('#')) {
      const match = /^#\s*([a-z]+)\s+(\{.*\})\s*$/.exec(line);
      if (!match || !(META_TYPES as readonly string[]).includes(match[1]!)) return { kind: 'skip' };
      try {
        const body: unknown = JSON.parse(match[2]!);
        if (isObject(body)) return { kind: 'meta', type: match[1] as MetaType, body: { ...body, type: match[1] } };
      } catch {
        // falls through to the error below
      }
      return error('not JSON', `a # ${match[1]} line whose body is not a JSON object: ${quote(line)}`);
    }
    const columns = this.#binding.columns ?? [];
    const cells = line.split(',').map((c) => c.trim());
    if (cells.join(',') === columns.join(',')) return { kind: 'skip' };
    if (cells.length !== columns.length) return error('wrong column count', `${cells.length} columns, expected ${columns.length} (${columns.join(',')}): ${quote(line)}`);
    const object: Record<string, number> = {};
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      if (cell === '') continue;
      const n = Number(cell);
      if (!Number.isFinite(n)) return error('not a number', `column "${columns[i]}" is not a number: ${quote(line)}`);
      object[columns[i]!] = n;
    }
    return this.#fromObject(object, line);
  }

  /** A payload on a sensor's own topic: a bare number, or a JSON object with `value` (or the sensor's field). */
  #parseSensorPayload(line: string, sensor: string): ParsedLine {
    const s = this.#sensors.find((x) => x.name === sensor);
    if (!s) return error('unknown sensor', `a line on the topic of "${sensor}", which the binding does not declare`);
    const bare = Number(line);
    if (line.trim() !== '' && Number.isFinite(bare)) return this.#reading(new Map([[sensor, bare * s.scale + s.offset]]), undefined, undefined, line, true);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return error('not JSON', `neither a number nor JSON: ${quote(line)}`);
    }
    if (!isObject(value)) return error('not a JSON object', `not a JSON object: ${quote(line)}`);
    if (value.type !== undefined && value.type !== 'reading') return this.#fromObject(value, line);
    const raw = value.value ?? value[s.field];
    if (typeof raw !== 'number' || !Number.isFinite(raw)) return error('not a number', `no numeric "value" in ${quote(line)}`);
    return this.#reading(new Map([[sensor, raw * s.scale + s.offset]]), value[this.#binding.time.field], this.#binding.seq === null ? undefined : value[this.#binding.seq], line);
  }

  #reading(values: Map<string, number>, time: unknown, seq: unknown, line: string, bare = false): ParsedLine {
    if (values.size === 0) return error('no sensor values', `no sensor field (${this.#sensors.map((s) => s.field).join(', ')}) in ${quote(line)}`);
    let deviceMs: number | undefined;
    if (this.#binding.time.clock === 'device' && !bare) {
      if (typeof time !== 'number' || !Number.isFinite(time)) return error('no time', `no numeric time "${this.#binding.time.field}" in ${quote(line)}`);
      deviceMs = time * TIME_FACTOR_MS[this.#binding.time.unit];
    }
    if (seq !== undefined && (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)) return error('bad seq', `"${this.#binding.seq}" is not a whole number ≥ 0 in ${quote(line)}`);
    return { kind: 'reading', deviceMs, seq: seq as number | undefined, values };
  }
}

/** `slow-down speedRpm=500 rampS=1`: numbers and booleans bare, other values as JSON. */
export function encodeTextCommand(action: string, args: Record<string, unknown>): string {
  const parts = [action];
  for (const [key, value] of Object.entries(args)) {
    parts.push(`${key}=${typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && /^[^\s"=]+$/.test(value)) ? String(value) : JSON.stringify(value)}`);
  }
  return parts.join(' ');
}

/** A command as a device reads it: the JSON or text line twinbed wrote. */
export interface DeviceCommand {
  id?: string;
  action: string;
  args: Record<string, unknown>;
  /** The command came as JSON (answer in JSON) or text. */
  json: boolean;
}

/** Reads a command line on the device side; a string is the reason it could not. */
export function parseCommandLine(raw: string): DeviceCommand | string | undefined {
  const line = raw.trim();
  if (line === '') return undefined;
  if (line.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return `not JSON: ${quote(line)}`;
    }
    if (!isObject(value) || typeof value.action !== 'string' || value.action === '') return `a JSON command needs a string "action": ${quote(line)}`;
    const args = isObject(value.args) ? value.args : {};
    return { ...(typeof value.id === 'string' ? { id: value.id } : {}), action: value.action, args, json: true };
  }
  const [action, ...rest] = line.split(/\s+/);
  const args: Record<string, unknown> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) return `expected key=value, got ${quote(part)} in ${quote(line)}`;
    const text = part.slice(eq + 1);
    args[part.slice(0, eq)] = parseTextValue(text);
  }
  return { action: action!, args, json: false };
}

function parseTextValue(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  if (text !== '' && Number.isFinite(n)) return n;
  if (text.startsWith('"') || text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** One reading line as a device writes it. */
export interface ReadingLine {
  /** Device clock, ms. */
  t: number;
  seq: number;
  values: Readonly<Record<string, number>>;
}

/** Writes a device's lines in `format`: readings, and meta lines (hello, ack, nak, status, bye). */
export class LineWriter {
  readonly format: 'jsonl' | 'csv';
  /** CSV columns: t, seq, then the sensors. */
  readonly columns: readonly string[];

  constructor(format: 'jsonl' | 'csv', sensors: readonly string[]) {
    this.format = format;
    this.columns = ['t', 'seq', ...sensors];
  }

  reading(line: ReadingLine): string {
    const t = Math.round(line.t * 1000) / 1000;
    if (this.format === 'csv') return [t, line.seq, ...this.columns.slice(2).map((s) => (line.values[s] === undefined ? '' : num(line.values[s]!)))].join(',');
    const out: Record<string, number> = { t, seq: line.seq };
    for (const [sensor, value] of Object.entries(line.values)) out[sensor] = Number(num(value));
    return JSON.stringify(out);
  }

  meta(type: MetaType, body: Record<string, unknown>): string {
    return this.format === 'csv' ? `# ${type} ${JSON.stringify(body)}` : JSON.stringify({ type, ...body });
  }
}

/** Seven significant digits: what a float32 holds. */
function num(value: number): string {
  return String(Number(value.toPrecision(7)));
}

function error(reason: string, detail: string): ParsedLine {
  return { kind: 'error', reason, detail };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function quote(line: string): string {
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 117)}...` : line);
}
