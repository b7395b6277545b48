import { describe, expect, it } from 'vitest';
import type { TelemetryV1 } from '../../../../protocol';
import type { z } from 'zod';
import { FlatJsonDialect, PayloadFormatSchema, type DeviceIdentity } from '../../../../twins/transport';

const T0 = Date.parse('2026-01-01T00:00:00Z');

const identity: DeviceIdentity = {
  site: 'plant-a',
  device: 'pump-1',
  index: 2,
  sensors: [{ sensor: 'winding-temp', unit: 'degC', rateHz: 4, blockSamples: 3 }],
};

/** Three samples at 4 Hz (250 ms apart), exact in float32 so the JSON shows them as written. */
const block: TelemetryV1 = {
  type: 'telemetry',
  v: 1,
  device: 'pump-1',
  sensor: 'winding-temp',
  seq: 7,
  tsMs: T0,
  rateHz: 4,
  unit: 'degC',
  values: new Float32Array([41.5, -0.25, 1.5]),
};

function dialect(format: Omit<Extract<z.input<typeof PayloadFormatSchema>, { type: 'flat-json' }>, 'type'>, topics: { topic?: string; commandTopic?: string } = {}) {
  const parsed = PayloadFormatSchema.parse({ type: 'flat-json', ...format });
  if (parsed.type !== 'flat-json') throw new Error('expected a flat-json format');
  return new FlatJsonDialect(identity, parsed, topics);
}

const text = (payload: Uint8Array) => new TextDecoder().decode(payload);

describe('FlatJsonDialect per block', () => {
  it('writes one message per block with the default keys, time in epoch ms, on the twinbed telemetry topic', () => {
    const messages = dialect({}).encode(block, 1);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.topic).toBe('twinbed/v1/plant-a/pump-1/telemetry/winding-temp');
    expect(messages[0]!.qos).toBe(1);
    expect(text(messages[0]!.payload)).toBe('{"ts":1767225600000,"rateHz":4,"values":[41.5,-0.25,1.5],"unit":"degC","seq":7}');
  });

  it('carries the device and the block seq as MQTT 5 user properties', () => {
    expect(dialect({}).encode(block, 0)[0]!.userProperties).toEqual({ device: 'pump-1', seq: '7' });
  });

  it('writes the time in epoch seconds or as ISO 8601 when asked', () => {
    expect(JSON.parse(text(dialect({ time: 's' }).encode(block, 1)[0]!.payload)).ts).toBe(1_767_225_600);
    expect(JSON.parse(text(dialect({ time: 'iso' }).encode(block, 1)[0]!.payload)).ts).toBe('2026-01-01T00:00:00.000Z');
  });

  it('renames keys from templates, adds device and sensor keys, and leaves seq out when its key is empty', () => {
    const messages = dialect({ keys: { ts: 'time', values: '{sensor}_samples', rateHz: 'hz', unit: 'u', seq: '', device: 'dev', sensor: 'channel' } }, { topic: 'plant/{site}/{index}/{device}/{sensor}' }).encode(block, 1);
    expect(messages[0]!.topic).toBe('plant/plant-a/2/pump-1/winding-temp');
    expect(text(messages[0]!.payload)).toBe('{"time":1767225600000,"hz":4,"winding-temp_samples":[41.5,-0.25,1.5],"dev":"pump-1","channel":"winding-temp","u":"degC"}');
  });
});

describe('FlatJsonDialect per sample', () => {
  it('writes one message per sample, each stamped 1000/rateHz ms after the one before', () => {
    const messages = dialect({ per: 'sample' }).encode(block, 1);
    expect(messages.map((m) => text(m.payload))).toEqual([
      '{"ts":1767225600000,"value":41.5,"unit":"degC","seq":7}',
      '{"ts":1767225600250,"value":-0.25,"unit":"degC","seq":7}',
      '{"ts":1767225600500,"value":1.5,"unit":"degC","seq":7}',
    ]);
    expect(new Set(messages.map((m) => m.topic))).toEqual(new Set(['twinbed/v1/plant-a/pump-1/telemetry/winding-temp']));
    for (const m of messages) expect(m.userProperties).toEqual({ device: 'pump-1', seq: '7' });
  });

  it('names the value by its sensor with a {sensor} key, time in fractional seconds', () => {
    const messages = dialect({ per: 'sample', time: 's', keys: { value: '{sensor}', seq: 'n' } }).encode(block, 0);
    expect(messages.map((m) => JSON.parse(text(m.payload)))).toEqual([
      { ts: 1_767_225_600, 'winding-temp': 41.5, unit: 'degC', n: 7 },
      { ts: 1_767_225_600.25, 'winding-temp': -0.25, unit: 'degC', n: 7 },
      { ts: 1_767_225_600.5, 'winding-temp': 1.5, unit: 'degC', n: 7 },
    ]);
    expect(messages.every((m) => m.qos === 0)).toBe(true);
  });

  it('writes ISO 8601 times to the millisecond', () => {
    const times = dialect({ per: 'sample', time: 'iso' }).encode(block, 1).map((m) => JSON.parse(text(m.payload)).ts);
    expect(times).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.250Z', '2026-01-01T00:00:00.500Z']);
  });
});

describe('FlatJsonDialect commands', () => {
  it('subscribes to the device\'s command topic, or to none when it is empty', () => {
    expect(dialect({}).subscriptions).toEqual(['twinbed/v1/plant-a/pump-1/cmd']);
    expect(dialect({}, { commandTopic: 'ctl/{device}/{index}' }).subscriptions).toEqual(['ctl/pump-1/2']);
    expect(dialect({}, { commandTopic: '' }).subscriptions).toEqual([]);
  });

  it('takes a plain JSON command for its own device', () => {
    const inbound = dialect({}).receive('twinbed/v1/plant-a/pump-1/cmd', new TextEncoder().encode('{"action":"stop"}'));
    expect(inbound).toEqual({ commands: [{ type: 'cmd', v: 1, device: 'pump-1', tsMs: 0, id: 'plain-1', action: 'stop' }] });
  });
});
