import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeMessage } from '../../../../protocol';
import { ObservationLog, TopicObservationSchema, type TopicObservation } from '../../../../scenarios/target';

const spec = (input: z.input<typeof TopicObservationSchema>): TopicObservation => TopicObservationSchema.parse(input);
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const T0 = Date.parse('2026-01-01T00:00:00Z');
const RECEIVED = T0 + 99_000;

/** An alarm system that says ON/OFF and names its detectors, rather than twinbed's words. */
const alarms = spec({
  filter: 'plant/+/alarms/#',
  as: 'alert',
  fields: { device: '$topic[1]', time: 'at', kind: 'source', state: 'status', rule: 'name', sensor: 'channel', value: 'reading', threshold: 'limit', severity: 'level', message: 'text' },
  time: 's',
  raised: ['ON'],
  cleared: ['OFF'],
  kinds: { alert: ['limit-check'], anomaly: ['ml-scorer'] },
});

describe('ObservationLog alerts', () => {
  it('maps state and kind through the target\'s own value lists, with every reported field', () => {
    const log = new ObservationLog();
    log.add(alarms, 'plant/pump-1/alarms/vib', json({ at: 1_767_225_660, source: 'ml-scorer', status: 'ON', name: 'pca', channel: 'accel', reading: '3.5', limit: 2, level: 'critical', text: 'odd' }), RECEIVED);
    log.add(alarms, 'plant/pump-1/alarms/vib', json({ at: 1_767_225_720.5, source: 'limit-check', status: 'OFF', name: 'rms' }), RECEIVED);
    expect(log.alerts).toEqual([
      { device: 'pump-1', tsMs: T0 + 60_000, state: 'raised', kind: 'anomaly', rule: 'pca', sensor: 'accel', value: 3.5, threshold: 2, severity: 'critical', message: 'odd' },
      { device: 'pump-1', tsMs: T0 + 120_500, state: 'cleared', kind: 'alert', rule: 'rms' },
    ]);
    expect(log.unmapped.size).toBe(0);
  });

  it('takes the default words (raised, active, 1, true; cleared, ok, 0, false) and kinds (threshold, model), and a missing state as a raise', () => {
    const s = spec({ filter: 'ev/#', as: 'alert', fields: { device: 'd', state: 's', kind: 'k', time: 't' } });
    const log = new ObservationLog();
    const states = ['raised', 'ACTIVE', 'alarm', 1, true, '1', 'cleared', 'ok', 'NORMAL', 0, false, '0'];
    states.forEach((state, i) => log.add(s, 'ev/x', json({ d: 'fan-1', s: state, k: 'threshold', t: T0 + i }), RECEIVED));
    log.add(s, 'ev/x', json({ d: 'fan-1', k: 'model', t: T0 + 100 }), RECEIVED);
    expect(log.alerts.map((a) => a.state)).toEqual([...Array<string>(6).fill('raised'), ...Array<string>(6).fill('cleared'), 'raised']);
    expect(log.alerts.map((a) => a.kind)).toEqual([...Array<string>(12).fill('alert'), 'anomaly']);
    expect(log.alertCopies).toBe(0);
  });

  it('leaves the kind unknown and the rule as the topic when the mapping has no such fields', () => {
    const log = new ObservationLog();
    log.add(spec({ filter: 'ev/+', as: 'alert', fields: { device: 'd' } }), 'ev/fan-2', json({ d: 'fan-2' }), RECEIVED);
    expect(log.alerts).toEqual([{ device: 'fan-2', tsMs: RECEIVED, state: 'raised', rule: 'ev/fan-2' }]);
  });

  it('drops a redelivered copy of an alert, and keeps the same alert raised again later', () => {
    const log = new ObservationLog();
    const raise = json({ at: 1_767_225_660, source: 'ml-scorer', status: 'ON', name: 'pca' });
    log.add(alarms, 'plant/pump-1/alarms/vib', raise, RECEIVED);
    log.add(alarms, 'plant/pump-1/alarms/vib', raise, RECEIVED + 5);
    log.add(alarms, 'plant/pump-1/alarms/vib', json({ at: 1_767_225_700, source: 'ml-scorer', status: 'ON', name: 'pca' }), RECEIVED + 9);
    expect(log.alerts.map((a) => a.tsMs)).toEqual([T0 + 60_000, T0 + 100_000]);
    expect(log.alertCopies).toBe(1);
    expect(log.messages).toBe(3);
  });

  it('counts by reason, and never maps, messages whose state or kind is in neither list', () => {
    const log = new ObservationLog();
    for (let i = 0; i < 2; i++) log.add(alarms, 'plant/pump-1/alarms/vib', json({ at: 1, source: 'ml-scorer', status: 'raised' }), RECEIVED);
    log.add(alarms, 'plant/pump-1/alarms/vib', json({ at: 1, source: 'human', status: 'ON' }), RECEIVED);
    expect(log.alerts).toEqual([]);
    expect(Object.fromEntries(log.unmapped)).toEqual({
      'plant/+/alarms/#: state "raised" is neither raised (ON) nor cleared (OFF)': 2,
      'plant/+/alarms/#: kind "human" is neither alert (limit-check) nor anomaly (ml-scorer)': 1,
    });
  });
});

describe('ObservationLog unreadable messages', () => {
  it('counts each by its reason: undecodable, no device, a time that is not one, no sensor, no action', () => {
    const log = new ObservationLog();
    const strictJson = spec({ filter: 'j/#', as: 'alert', decode: 'json', fields: { device: 'who.id', time: 't' }, time: 'iso' });
    log.add(strictJson, 'j/1', new Uint8Array([0xa1, 0x61, 0x78, 0x01]), RECEIVED);
    log.add(strictJson, 'j/1', json({ who: {} }), RECEIVED);
    log.add(strictJson, 'j/1', json({ who: { id: 'p' }, t: 'soon' }), RECEIVED);
    log.add(spec({ filter: 'r/#', as: 'reading', fields: { device: '$topic[1]', sensor: 's' } }), 'r/p', json({}), RECEIVED);
    log.add(spec({ filter: 'c/#', as: 'command', fields: { device: 'd', action: 'a' } }), 'c/1', json({ d: 'p' }), RECEIVED);
    log.add(spec({ filter: 'k/#', as: 'command', fields: { device: { const: 'p' }, action: 'a' } }), 'k/1', json({ a: 7 }), RECEIVED);
    const reasons = Object.fromEntries(log.unmapped);
    expect(Object.keys(reasons)).toHaveLength(5);
    expect(Object.keys(reasons)[0]).toMatch(/^j\/#: /);
    expect(reasons).toMatchObject({
      'j/#: no device at who.id': 1,
      'j/#: time "soon" is not a time in ISO 8601': 1,
      'r/#: no sensor': 1,
      'c/#: no action': 1,
    });
    expect(log.messages).toBe(6);
    expect(log.alerts).toEqual([]);
    expect(log.streams.size).toBe(0);
    // A number is an action too: 7 → "7".
    expect(log.commands).toEqual([{ device: 'p', action: '7', tsMs: RECEIVED }]);
  });

  it('leaves out, uncounted, messages a `where` clause does not select', () => {
    const log = new ObservationLog();
    const edgeOnly = spec({ filter: 'ev', as: 'alert', where: { origin: 'edge', 'meta.v': 2 }, fields: { device: 'd' } });
    log.add(edgeOnly, 'ev', json({ d: 'p', origin: 'cloud', meta: { v: 2 } }), RECEIVED);
    log.add(edgeOnly, 'ev', json({ d: 'p', origin: 'edge', meta: { v: 1 } }), RECEIVED);
    log.add(edgeOnly, 'ev', json({ d: 'p', origin: 'edge', meta: { v: 2 } }), RECEIVED);
    expect(log.alerts.map((a) => a.device)).toEqual(['p']);
    expect(log.unmapped.size).toBe(0);
    expect(log.messages).toBe(3);
  });

  it('reads CBOR in auto mode and plain text with `decode: text`', () => {
    const log = new ObservationLog();
    const auto = spec({ filter: 'ev/+', as: 'alert', fields: { device: 'device', kind: 'kind', time: 'tsMs' } });
    log.add(auto, 'ev/p', encodeMessage({ type: 'cmd', v: 1, device: 'pump-1', tsMs: T0, id: 'x', action: 'stop' }, 'cbor'), RECEIVED);
    const text = spec({ filter: 'txt/+', as: 'command', decode: 'text', fields: { device: '$topic[1]', action: { const: 'stop' } } });
    log.add(text, 'txt/fan-1', new TextEncoder().encode('STOP NOW'), RECEIVED);
    expect(log.alerts).toEqual([{ device: 'pump-1', tsMs: T0, state: 'raised', rule: 'ev/p' }]);
    expect(log.commands).toEqual([{ device: 'fan-1', action: 'stop', tsMs: RECEIVED }]);
  });
});

describe('ObservationLog reading coverage', () => {
  const windows = spec({ filter: 'f/+/+', as: 'reading', fields: { device: '$topic[1]', sensor: '$topic[2]', seq: 'seq', count: 'n', features: 'features' } });
  const add = (log: ObservationLog, device: string, seq: number | undefined, n: number, features: Record<string, unknown> = {}) =>
    log.add(windows, `f/${device}/accel`, json({ seq, n, features }), RECEIVED);

  it('counts every block of distinct windows once, from the first seq to the last', () => {
    const log = new ObservationLog();
    for (const seq of [0, 25, 50, 75]) add(log, 'pump-1', seq, 25);
    expect(log.coverage()).toEqual([{ device: 'pump-1', sensor: 'accel', count: 100, minSeq: 0, maxSeq: 99, copies: 0, overlaps: 0 }]);
  });

  it('tells a redelivered copy (same seq and count) from an overlap (another window over the same blocks)', () => {
    const log = new ObservationLog();
    add(log, 'pump-1', 0, 10);
    add(log, 'pump-1', 0, 10);
    add(log, 'pump-1', 10, 10);
    add(log, 'pump-1', 15, 10);
    add(log, 'pump-1', 10, 10);
    expect(log.coverage()).toEqual([{ device: 'pump-1', sensor: 'accel', count: 30, minSeq: 0, maxSeq: 24, copies: 2, overlaps: 5 }]);
  });

  it('counts a window of another size that starts at a seq already seen as an overlap, not a copy', () => {
    const log = new ObservationLog();
    add(log, 'pump-1', 0, 10);
    add(log, 'pump-1', 0, 4);
    expect(log.coverage()).toEqual([{ device: 'pump-1', sensor: 'accel', count: 10, minSeq: 0, maxSeq: 9, copies: 0, overlaps: 4 }]);
  });

  it('shows a gap as fewer blocks than the seq range spans', () => {
    const log = new ObservationLog();
    add(log, 'pump-1', 0, 10);
    add(log, 'pump-1', 30, 10);
    const [coverage] = log.coverage();
    expect(coverage).toEqual({ device: 'pump-1', sensor: 'accel', count: 20, minSeq: 0, maxSeq: 39, copies: 0, overlaps: 0 });
    expect(coverage!.maxSeq - coverage!.minSeq + 1 - coverage!.count).toBe(20);
  });

  it('keeps the wider of two windows that start at the same seq', () => {
    const log = new ObservationLog();
    add(log, 'pump-1', 0, 5);
    add(log, 'pump-1', 0, 10);
    add(log, 'pump-1', 0, 5);
    expect(log.coverage()[0]).toMatchObject({ count: 10, maxSeq: 9, copies: 0 });
  });

  it('counts messages without a seq apart, and a window without a count as one block', () => {
    const log = new ObservationLog();
    add(log, 'pump-1', undefined, 10);
    log.add(spec({ filter: 'g/+', as: 'reading', fields: { device: '$topic[1]', sensor: { const: 'temp' }, seq: 's' } }), 'g/fan-1', json({ s: 3 }), RECEIVED);
    expect(log.streams.get('pump-1/accel')).toMatchObject({ unkeyed: 1, copies: 0 });
    expect(log.coverage()).toEqual([
      { device: 'fan-1', sensor: 'temp', count: 1, minSeq: 3, maxSeq: 3, copies: 0, overlaps: 0 },
      { device: 'pump-1', sensor: 'accel', count: 0, minSeq: -1, maxSeq: -1, copies: 0, overlaps: 0 },
    ]);
  });

  it('keeps the highest value of each numeric feature per stream, ignoring what is not a number', () => {
    const log = new ObservationLog();
    add(log, 'pump-1', 0, 1, { rms: 0.1, kurtosis: 3.2, label: 'x' });
    add(log, 'pump-1', 1, 1, { rms: 0.42, kurtosis: 2.9, peak: -1 });
    add(log, 'pump-2', 0, 1, { rms: 0.05 });
    expect(log.streams.get('pump-1/accel')!.peaks).toEqual({ rms: 0.42, kurtosis: 3.2, peak: -1 });
    expect(log.streams.get('pump-2/accel')!.peaks).toEqual({ rms: 0.05 });
  });
});
