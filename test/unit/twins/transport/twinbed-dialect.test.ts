import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type CommandV1, type TelemetryV1 } from '../../../../protocol';
import { commandFrom, TwinbedDialect, type DeviceIdentity } from '../../../../twins/transport';

const identity: DeviceIdentity = { site: 'plant-a', device: 'pump-1', index: 4, sensors: [{ sensor: 'accel', unit: 'g', rateHz: 25_600, blockSamples: 4 }] };

const block: TelemetryV1 = {
  type: 'telemetry',
  v: 1,
  device: 'pump-1',
  sensor: 'accel',
  seq: 41,
  tsMs: Date.parse('2026-01-01T00:00:00Z'),
  rateHz: 25_600,
  unit: 'g',
  values: new Float32Array([0.5, -0.25, 1.5, 0]),
};

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const counter = () => {
  let n = 0;
  return () => `id-${++n}`;
};

describe('TwinbedDialect', () => {
  it('sends each block as one twinbed envelope on the default telemetry topic, decodable back to the block (CBOR and JSON)', () => {
    for (const codec of ['cbor', 'json'] as const) {
      const [message, ...rest] = new TwinbedDialect(identity, { codec }).encode(block, 1);
      expect(rest).toEqual([]);
      expect(message!.topic).toBe('twinbed/v1/plant-a/pump-1/telemetry/accel');
      expect(message!.qos).toBe(1);
      const decoded = decodeMessage(message!.payload);
      expect({ ...decoded, values: Array.from((decoded as TelemetryV1).values) }, codec).toEqual({ ...block, values: [0.5, -0.25, 1.5, 0] });
    }
    // CBOR is the default, and starts with a map header, never '{'.
    expect(new TwinbedDialect(identity, { codec: 'cbor' }).encode(block, 0)[0]!.payload[0]).not.toBe('{'.charCodeAt(0));
  });

  it('carries the device and the block seq as MQTT 5 user properties on every reading', () => {
    const dialect = new TwinbedDialect(identity, { codec: 'cbor' });
    expect(dialect.encode(block, 1)[0]!.userProperties).toEqual({ device: 'pump-1', seq: '41' });
    expect(dialect.encode({ ...block, seq: 0 }, 0)[0]!.userProperties).toEqual({ device: 'pump-1', seq: '0' });
  });

  it('publishes on a templated topic and subscribes to a templated command topic', () => {
    const dialect = new TwinbedDialect(identity, { codec: 'json', topic: 'f/{site}/{index}/{device}/{sensor}', commandTopic: 'f/{site}/{device}/in' });
    expect(dialect.encode(block, 1)[0]!.topic).toBe('f/plant-a/4/pump-1/accel');
    expect(dialect.subscriptions).toEqual(['f/plant-a/pump-1/in']);
    expect(new TwinbedDialect(identity, { codec: 'json', commandTopic: '' }).subscriptions).toEqual([]);
  });

  it('numbers plain JSON commands without an id plain-1, plain-2, … per device', () => {
    const dialect = new TwinbedDialect(identity, { codec: 'cbor' });
    const ids = [1, 2].map(() => dialect.receive('twinbed/v1/plant-a/pump-1/cmd', json({ action: 'stop' })).commands?.[0]?.id);
    expect(ids).toEqual(['plain-1', 'plain-2']);
  });
});

describe('commandFrom', () => {
  const envelope: CommandV1 = { type: 'cmd', v: 1, device: 'pump-1', tsMs: 1_767_225_600_000, id: 'c-9', action: 'slow-down', args: { speedRpm: 1000, rampS: 5 } };

  it('takes the twinbed cmd envelope as it is, in JSON and in CBOR', () => {
    expect(commandFrom(encodeMessage(envelope, 'json'), 'pump-1', counter())).toEqual({ commands: [envelope] });
    expect(commandFrom(encodeMessage(envelope, 'cbor'), 'pump-1', counter())).toEqual({ commands: [envelope] });
  });

  it('ignores a cmd envelope addressed to another device, naming both', () => {
    expect(commandFrom(encodeMessage({ ...envelope, device: 'pump-2' }, 'json'), 'pump-1', counter())).toEqual({ ignored: "a command for pump-2 on pump-1's command topic" });
  });

  it('ignores another twinbed message type on the command topic, saying which', () => {
    expect(commandFrom(encodeMessage(block, 'cbor'), 'pump-1', counter())).toEqual({ ignored: 'a "telemetry" message on the command topic' });
  });

  it('turns plain JSON {action, args, id} into a command for this device, keeping the sender\'s id', () => {
    expect(commandFrom(json({ action: 'slow-down', args: { speedRpm: 900 }, id: 'ext-1' }), 'pump-1', counter())).toEqual({
      commands: [{ type: 'cmd', v: 1, device: 'pump-1', tsMs: 0, id: 'ext-1', action: 'slow-down', args: { speedRpm: 900 } }],
    });
  });

  it('gives a plain command without an id the next generated one, and drops args that are not an object', () => {
    const next = counter();
    expect(commandFrom(json({ action: 'stop', args: [1, 2] }), 'fan-1', next)).toEqual({ commands: [{ type: 'cmd', v: 1, device: 'fan-1', tsMs: 0, id: 'id-1', action: 'stop' }] });
    expect(commandFrom(json({ action: 'stop', id: '' }), 'fan-1', next).commands?.[0]?.id).toBe('id-2');
  });

  it('ignores JSON without an action string, and bytes that are neither an envelope nor JSON', () => {
    expect(commandFrom(json({ args: {} }), 'pump-1', counter())).toEqual({ ignored: 'a JSON command without an "action" string' });
    expect(commandFrom(json({ action: '' }), 'pump-1', counter())).toEqual({ ignored: 'a JSON command without an "action" string' });
    expect(commandFrom(json(null), 'pump-1', counter())).toEqual({ ignored: 'a JSON command without an "action" string' });
    expect(commandFrom(new Uint8Array([0xff, 0x00, 0x13]), 'pump-1', counter())).toEqual({ ignored: 'a command that is neither a twinbed envelope nor JSON' });
  });
});
