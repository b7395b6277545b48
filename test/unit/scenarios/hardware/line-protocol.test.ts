import { describe, expect, it } from 'vitest';
import { HardwareBindingSchema, type HardwareBindingInput } from '../../../../scenarios/hardware/hardware-schema';
import { encodeTextCommand, LineCodec, LineWriter, parseCommandLine } from '../../../../scenarios/hardware/line-protocol';
import { LineSplitter, MAX_LINE_CHARS } from '../../../../scenarios/hardware/line-splitter';

const codec = (extra: Partial<HardwareBindingInput> = {}) =>
  new LineCodec(
    HardwareBindingSchema.parse({
      device: 'fan-1',
      serial: { path: '/dev/ttyUSB0' },
      sensors: { accel: { unit: 'g', rateHz: 100 }, temp: { unit: 'degC', rateHz: 1, field: 'tC', scale: 0.1, offset: -5 } },
      ...extra,
    }),
  );

describe('the line protocol, read by twinbed', () => {
  it('reads a JSON reading: its clock, its counter, each sensor from its field with scale and offset', () => {
    expect(codec().parse('{"t":1520.5,"seq":152,"accel":0.25,"tC":412}\r')).toEqual({
      kind: 'reading',
      deviceMs: 1520.5,
      seq: 152,
      values: new Map([
        ['accel', 0.25],
        ['temp', 36.2],
      ]),
    });
    expect(codec({ time: { field: 'ts', unit: 's' } }).parse('{"ts":2.5,"accel":1}')).toMatchObject({ deviceMs: 2500, seq: undefined });
  });

  it('counts each bad line under a stable reason', () => {
    const c = codec();
    const reasons = ['{"t":1,"accel":', '[1,2]', '{"t":1,"accel":"x"}', '{"seq":1,"accel":1}', '{"t":1,"seq":-1,"accel":1}', '{"t":1,"seq":2}', '{"type":"reboot"}', 'ok\u0000\u0001', '\uFFFD\uFFFD{"t"'].map(
      (line) => {
        const parsed = c.parse(line);
        return parsed.kind === 'error' ? parsed.reason : parsed.kind;
      },
    );
    expect(reasons).toEqual(['not JSON', 'not a JSON object', 'not a number', 'no time', 'bad seq', 'no sensor values', 'unknown line type', 'garbled bytes', 'garbled bytes']);
  });

  it('reads meta lines and skips blank ones', () => {
    expect(codec().parse('{"type":"ack","id":"step-1","outcome":"slowing"}')).toEqual({ kind: 'meta', type: 'ack', body: { type: 'ack', id: 'step-1', outcome: 'slowing' } });
    expect(codec().parse('  ')).toEqual({ kind: 'skip' });
  });

  it('reads CSV in its columns: an empty cell is a sensor not sampled then, the header and comments are skipped', () => {
    const c = codec({ format: 'csv', columns: ['t', 'seq', 'accel', 'tC'] });
    expect(c.parse('10,1,0.5,')).toEqual({ kind: 'reading', deviceMs: 10, seq: 1, values: new Map([['accel', 0.5]]) });
    expect(c.parse('t,seq,accel,tC')).toEqual({ kind: 'skip' });
    expect(c.parse('# booting')).toEqual({ kind: 'skip' });
    expect(c.parse('# hello {"device":"fan-1"}')).toEqual({ kind: 'meta', type: 'hello', body: { device: 'fan-1', type: 'hello' } });
    expect(c.parse('10,1,0.5')).toMatchObject({ kind: 'error', reason: 'wrong column count' });
    expect(c.parse('10,1,abc,3')).toMatchObject({ kind: 'error', reason: 'not a number', detail: expect.stringContaining('column "accel"') });
  });

  it('reads a sensor\'s own topic: a bare number stamped on receipt, or JSON with value and time', () => {
    expect(codec().parse('0.5', 'accel')).toEqual({ kind: 'reading', deviceMs: undefined, seq: undefined, values: new Map([['accel', 0.5]]) });
    expect(codec().parse('{"t":5,"value":412}', 'temp')).toMatchObject({ deviceMs: 5, values: new Map([['temp', 36.2]]) });
    expect(codec().parse('1', 'rpm')).toMatchObject({ kind: 'error', reason: 'unknown sensor' });
  });

  it('writes commands as JSON or text, and a device reads either back', () => {
    const command = { type: 'cmd' as const, v: 1 as const, device: 'fan-1', tsMs: 0, id: 'step-1', action: 'slow-down', args: { speedRpm: 500, mode: 'soft start' } };
    expect(parseCommandLine(codec().command(command))).toEqual({ id: 'step-1', action: 'slow-down', args: { speedRpm: 500, mode: 'soft start' }, json: true });
    const text = codec({ commands: 'text' }).command(command);
    expect(text).toBe('slow-down speedRpm=500 mode="soft start"');
    expect(encodeTextCommand('stop', { rampS: 0, hard: true })).toBe('stop rampS=0 hard=true');
    expect(parseCommandLine('stop rampS=0 hard=true')).toEqual({ action: 'stop', args: { rampS: 0, hard: true }, json: false });
    expect(parseCommandLine('stop fast')).toMatch(/expected key=value/);
    expect(parseCommandLine('{"args":{}}')).toMatch(/needs a string "action"/);
  });

  it('a device\'s lines, as it writes them, read back with no framing error in either format', () => {
    for (const format of ['jsonl', 'csv'] as const) {
      const writer = new LineWriter(format, ['accel', 'tC']);
      const c = codec(format === 'csv' ? { format, columns: [...writer.columns] } : {});
      expect(c.parse(writer.reading({ t: 10.0004, seq: 3, values: { accel: 0.123456789 } }))).toEqual({ kind: 'reading', deviceMs: 10, seq: 3, values: new Map([['accel', 0.1234568]]) });
      expect(c.parse(writer.meta('bye', { reason: 'SIGTERM' }))).toMatchObject({ kind: 'meta', type: 'bye', body: { reason: 'SIGTERM' } });
    }
  });
});

describe('the line splitter', () => {
  it('joins lines across chunks and drops a run without a newline past the limit, once', () => {
    const lines: string[] = [];
    const tooLong: number[] = [];
    const splitter = new LineSplitter((l) => lines.push(l), (n) => tooLong.push(n));
    splitter.push('{"a":1}\n{"a"');
    splitter.push(':2}\n');
    splitter.push('x'.repeat(MAX_LINE_CHARS));
    splitter.push('yy\nlast\n');
    expect(lines).toEqual(['{"a":1}', '{"a":2}', 'last']);
    expect(tooLong).toEqual([MAX_LINE_CHARS + 2]);
  });
});
