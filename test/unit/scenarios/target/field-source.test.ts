import { describe, expect, it } from 'vitest';
import { FieldSourceSchema } from '../../../../scenarios/target';
import { readField, toEpochMs } from '../../../../scenarios/target/field-source';

const payload = {
  data: { alarm: { device: 'pump-7', level: 3 } },
  items: [{ id: 'a' }, { id: 'b', tags: ['x', 'y'] }],
  'flat.key': 'not reached by a dotted path',
  zero: 0,
};
const TOPIC = 'plant/hall-2/pump-7/alarms/vibration';

describe('readField', () => {
  it('reads a topic level by index from 0, or the whole topic', () => {
    expect(readField('$topic[0]', payload, TOPIC)).toBe('plant');
    expect(readField('$topic[2]', payload, TOPIC)).toBe('pump-7');
    expect(readField('$topic[4]', payload, TOPIC)).toBe('vibration');
    expect(readField('$topic', payload, TOPIC)).toBe(TOPIC);
  });

  it('gives undefined for a topic level past the last one', () => {
    expect(readField('$topic[5]', payload, TOPIC)).toBeUndefined();
  });

  it('follows dotted paths and array indexes, in any mix', () => {
    expect(readField('data.alarm.device', payload, TOPIC)).toBe('pump-7');
    expect(readField('items[0].id', payload, TOPIC)).toBe('a');
    expect(readField('items[1].tags[1]', payload, TOPIC)).toBe('y');
    expect(readField('items.1.id', payload, TOPIC)).toBe('b');
    expect(readField('zero', payload, TOPIC)).toBe(0);
  });

  it('gives undefined for a missing path, one through a scalar, and a dotted path to a key with a dot in it', () => {
    expect(readField('data.alarm.missing', payload, TOPIC)).toBeUndefined();
    expect(readField('data.alarm.level.deeper', payload, TOPIC)).toBeUndefined();
    expect(readField('items[5].id', payload, TOPIC)).toBeUndefined();
    expect(readField('flat.key', payload, TOPIC)).toBeUndefined();
    expect(readField('anything', null, TOPIC)).toBeUndefined();
  });

  it('reads a path into a text payload as undefined rather than a character', () => {
    expect(readField('length', 'ALARM pump-7', TOPIC)).toBeUndefined();
  });

  it('gives a constant whatever the message says', () => {
    expect(readField({ const: 'anomaly' }, payload, TOPIC)).toBe('anomaly');
    expect(readField({ const: false }, {}, TOPIC)).toBe(false);
    expect(readField({ const: 3 }, undefined, TOPIC)).toBe(3);
  });
});

describe('FieldSourceSchema', () => {
  it('accepts payload paths, $topic and $topic[N], and constants', () => {
    for (const source of ['a', 'a.b[0].c', '$topic', '$topic[12]', { const: 'x' }, { const: 1 }, { const: true }]) {
      expect(FieldSourceSchema.safeParse(source).success, JSON.stringify(source)).toBe(true);
    }
  });

  it('refuses other $ sources and an empty path, rather than read them as payload keys', () => {
    for (const source of ['$topic[x]', '$topics', '$payload', '', { const: null }, { const: 'x', other: 1 }]) {
      expect(FieldSourceSchema.safeParse(source).success, JSON.stringify(source)).toBe(false);
    }
  });
});

describe('toEpochMs', () => {
  const ms = Date.parse('2026-01-01T00:00:10Z');

  it('reads numbers and numeric strings in the declared unit', () => {
    expect(toEpochMs(ms, 'ms')).toBe(ms);
    expect(toEpochMs(ms / 1000, 's')).toBe(ms);
    expect(toEpochMs(String(ms), 'ms')).toBe(ms);
    expect(toEpochMs('1767225610.5', 's')).toBe(ms + 500);
    expect(toEpochMs(BigInt(ms), 'ms')).toBe(ms);
    expect(toEpochMs(BigInt(ms / 1000), 's')).toBe(ms);
  });

  it('reads ISO 8601 strings in any unit', () => {
    expect(toEpochMs('2026-01-01T00:00:10Z', 'iso')).toBe(ms);
    expect(toEpochMs('2026-01-01T01:00:10.250+01:00', 'iso')).toBe(ms + 250);
    expect(toEpochMs('2026-01-01T00:00:10Z', 'ms')).toBe(ms);
  });

  it('gives undefined for what is not a time', () => {
    for (const value of ['', '  ', 'yesterday', Number.NaN, Infinity, null, undefined, {}, true]) expect(toEpochMs(value, 'ms'), String(value)).toBeUndefined();
  });
});
