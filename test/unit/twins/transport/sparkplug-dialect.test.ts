import { describe, expect, it } from 'vitest';
import type { TelemetryV1 } from '../../../../protocol';
import type { DeviceIdentity, OutMessage } from '../../../../twins/transport/dialect';
import { SparkplugDialect, type SparkplugFormat } from '../../../../twins/transport/sparkplug-dialect';
import { encodePayload, floatArrayBytes, withSeq } from '../../../../twins/transport/sparkplug/sparkplug-payload';
import { SparkplugIdError } from '../../../../twins/transport/sparkplug/sparkplug-topics';
import { decodeSparkplug as decode, encodeSparkplug as encodeSpec, propertiesOf } from '../../../support/sparkplug-spec';

// Payloads are read with the specification's own .proto, not with the sparkplug-payload package the dialect encodes with.

const FLOAT_ARRAY = 30;
const T0 = 1_767_225_600_000;

const identity: DeviceIdentity = {
  site: 'plant-1',
  device: 'pump-1',
  index: 3,
  sensors: [
    { sensor: 'accel', unit: 'g', rateHz: 25_600, blockSamples: 2_560 },
    { sensor: 'temp', unit: 'degC', rateHz: 1, blockSamples: 1 },
  ],
};
const format: SparkplugFormat = { type: 'sparkplug-b', groupId: '{site}', edgeNodeId: 'edge-{index}', deviceId: '{device}' };

function setup(overrides: Partial<SparkplugFormat> = {}) {
  let nowMs = T0;
  const dialect = new SparkplugDialect(identity, { ...format, ...overrides }, { now: () => nowMs });
  /** What the session writes: each message stamped as it goes out. */
  const wire = (messages: OutMessage[]) => messages.map((m) => dialect.stamp(m));
  return { dialect, wire, advance: (ms: number) => (nowMs += ms), now: () => nowMs };
}

const block = (seq: number, sensor = 'accel', values: ArrayLike<number> = new Float32Array([0.5, -0.25, 1.5])): TelemetryV1 => ({
  type: 'telemetry',
  v: 1,
  device: 'pump-1',
  sensor,
  seq,
  tsMs: T0 - 1000 + seq * 100,
  rateHz: 25_600,
  unit: 'g',
  values: values as Float32Array,
});

describe('SparkplugDialect topics and subscriptions', () => {
  it('publishes under spBv1.0/{group}/{type}/{node}[/{device}] with the format templates expanded', () => {
    const { dialect } = setup();
    expect(dialect.topics).toMatchObject({
      nbirth: 'spBv1.0/plant-1/NBIRTH/edge-3',
      ndeath: 'spBv1.0/plant-1/NDEATH/edge-3',
      dbirth: 'spBv1.0/plant-1/DBIRTH/edge-3/pump-1',
      ddata: 'spBv1.0/plant-1/DDATA/edge-3/pump-1',
    });
    expect(dialect.subscriptions).toEqual(['spBv1.0/plant-1/NCMD/edge-3', 'spBv1.0/plant-1/DCMD/edge-3/pump-1']);
  });

  it('subscribes to its primary host\'s STATE when it has one', () => {
    const { dialect } = setup({ primaryHostId: 'scada-1' });
    expect(dialect.subscriptions).toEqual(['spBv1.0/plant-1/NCMD/edge-3', 'spBv1.0/plant-1/DCMD/edge-3/pump-1', 'spBv1.0/STATE/scada-1']);
  });

  it('refuses an id that cannot be a topic level, naming it', () => {
    expect(() => setup({ groupId: 'plant/{site}' })).toThrow(SparkplugIdError);
    expect(() => setup({ primaryHostId: 'scada#1' })).toThrow(/primaryHostId "scada#1"/);
  });
});

describe('SparkplugDialect seq', () => {
  it('numbers NBIRTH 0, DBIRTH 1, then every DDATA one more, wrapping 255 → 0', () => {
    const { dialect, wire } = setup();
    const sent = [...wire(dialect.birth())];
    for (let i = 0; i < 300; i++) sent.push(...wire(dialect.encode(block(i), 1)));
    const seqs = sent.map((m) => decode(m.payload).seq);
    expect(seqs).toEqual(Array.from({ length: 302 }, (_, i) => i % 256));
    expect(seqs.slice(254, 259)).toEqual([254, 255, 0, 1, 2]);
  });

  it('numbers a reading when it is written: one encoded before a rebirth follows the new births', () => {
    const { dialect, wire } = setup();
    wire(dialect.birth());
    wire([...dialect.encode(block(0), 1), ...dialect.encode(block(1), 1)]);
    const held = dialect.encode(block(2), 1);
    expect(dialect.receive(dialect.subscriptions[0]!, encodeSpec({ timestamp: T0, metrics: [{ name: 'Node Control/Rebirth', booleanValue: true }] }))).toEqual({ rebirth: true });
    const after = [...wire(dialect.birth()), ...wire(held)];
    expect(after.map((m) => [m.topic.split('/')[2], decode(m.payload).seq])).toEqual([
      ['NBIRTH', 0],
      ['DBIRTH', 1],
      ['DDATA', 2],
    ]);
  });

  it('appends seq exactly where protobuf writes it, for one- and two-byte varints', () => {
    const payload = { timestamp: T0, metrics: [{ alias: 1, bytesValue: floatArrayBytes([1, 2]) }] };
    for (const seq of [0, 127, 128, 255]) expect(withSeq(encodePayload(payload), seq)).toEqual(new Uint8Array(encodePayload({ ...payload, seq })));
    expect(() => withSeq(encodePayload(payload), 256)).toThrow(RangeError);
  });

  it('leaves NDEATH without a seq', () => {
    const { dialect } = setup();
    const death = dialect.stamp(dialect.death());
    expect(decode(death.payload).seq).toBeUndefined();
  });
});

describe('SparkplugDialect births and data', () => {
  it('sends NBIRTH with bdSeq (Int64), Node Control/Rebirth = false without an alias, and a timestamp from the clock', () => {
    const { dialect, wire } = setup();
    const [nbirth] = wire(dialect.birth());
    expect(nbirth).toMatchObject({ topic: 'spBv1.0/plant-1/NBIRTH/edge-3', qos: 0, retain: false });
    expect(decode(nbirth!.payload)).toEqual({
      timestamp: T0,
      seq: 0,
      metrics: [
        { name: 'bdSeq', datatype: 4, longValue: 0 },
        { name: 'Node Control/Rebirth', datatype: 11, booleanValue: false },
      ],
    });
  });

  it('declares each sensor in DBIRTH: its name, alias 1..n in sensor order, FloatArray, unit, rate and block size', () => {
    const { dialect, wire } = setup();
    const [, dbirth] = wire(dialect.birth());
    const decoded = decode(dbirth!.payload);
    expect(decoded.timestamp).toBe(T0);
    expect(decoded.metrics!.map((m) => [m.name, m.alias, m.datatype, m.isNull])).toEqual([
      ['accel', 1, FLOAT_ARRAY, true],
      ['temp', 2, FLOAT_ARRAY, true],
    ]);
    expect(propertiesOf(decoded.metrics![0]!)).toEqual({
      engUnit: { type: 12, stringValue: 'g' },
      rateHz: { type: 10, doubleValue: 25_600 },
      blockSamples: { type: 7, longValue: 2_560 },
    });
    expect(propertiesOf(decoded.metrics![1]!).engUnit).toEqual({ type: 12, stringValue: 'degC' });
  });

  it('keeps the alias table across births: the same sensor is the same alias', () => {
    const { dialect, wire } = setup();
    const first = decode(wire(dialect.birth())[1]!.payload).metrics!.map((m) => [m.name, m.alias]);
    dialect.disconnected();
    const second = decode(wire(dialect.birth())[1]!.payload).metrics!.map((m) => [m.name, m.alias]);
    expect(second).toEqual(first);
  });

  it('sends a block as DDATA by alias only, at QoS 0, timestamped with its event time, with its twinbed seq', () => {
    const { dialect, wire, advance, now } = setup();
    wire(dialect.birth());
    advance(40);
    const [ddata] = wire(dialect.encode(block(41, 'temp', [41.5]), 1));
    expect(ddata).toMatchObject({ topic: 'spBv1.0/plant-1/DDATA/edge-3/pump-1', qos: 0, retain: false });
    const decoded = decode(ddata!.payload);
    expect(decoded.timestamp).toBe(now());
    expect(decoded.metrics).toHaveLength(1);
    const metric = decoded.metrics![0]!;
    expect(metric).not.toHaveProperty('name');
    expect(metric).not.toHaveProperty('datatype');
    expect(metric.alias).toBe(2);
    expect(metric.timestamp).toBe(block(41).tsMs);
    expect(propertiesOf(metric)).toEqual({ seq: { type: 8, longValue: 41 } });
  });

  it('writes FloatArray bytes as packed little-endian float32, from a Float32Array view or a number array', () => {
    // 1.23f = 0x3F9D70A4, 89.341f = 0x42B2AE98: least significant byte first.
    const expected = [0xa4, 0x70, 0x9d, 0x3f, 0x98, 0xae, 0xb2, 0x42];
    expect([...floatArrayBytes([1.23, 89.341])]).toEqual(expected);
    const view = new Float32Array([7, 1.23, 89.341, 7]).subarray(1, 3);
    expect([...floatArrayBytes(view)]).toEqual(expected);

    const { dialect, wire } = setup();
    wire(dialect.birth());
    const values = new Float32Array([0.5, -0.25, 1.5, 3.0517578125e-5]);
    const bytes = decode(wire(dialect.encode(block(0, 'accel', values), 1))[0]!.payload).metrics![0]!.bytesValue!;
    const view2 = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(Array.from({ length: bytes.byteLength / 4 }, (_, i) => view2.getFloat32(i * 4, true))).toEqual([...values]);
  });

  it('refuses a block of a sensor its DBIRTH does not declare', () => {
    const { dialect } = setup();
    expect(() => dialect.encode(block(0, 'pressure'), 1)).toThrow(/"pressure".*declares only accel, temp/);
  });
});

describe('SparkplugDialect bdSeq and deaths', () => {
  it('wills NDEATH at QoS 1, not retained, with only the bdSeq metric that the same connection\'s NBIRTH carries', () => {
    const { dialect, wire } = setup();
    const will = dialect.will();
    expect(will).toMatchObject({ topic: 'spBv1.0/plant-1/NDEATH/edge-3', qos: 1, retain: false });
    expect(decode(will.payload).metrics).toEqual([{ name: 'bdSeq', datatype: 4, longValue: 0 }]);
    expect(decode(wire(dialect.birth())[0]!.payload).metrics![0]!.longValue).toBe(0);
  });

  it('moves to the next bdSeq after every close, wrapping 255 → 0, and births and wills agree each time', () => {
    const { dialect, wire } = setup();
    const pairs: [number, number][] = [];
    for (let connection = 0; connection < 258; connection++) {
      const will = decode(dialect.will().payload).metrics![0]!.longValue!;
      const birth = decode(wire(dialect.birth())[0]!.payload).metrics![0]!.longValue!;
      pairs.push([will, birth]);
      dialect.disconnected();
    }
    expect(pairs.map(([will]) => will)).toEqual(Array.from({ length: 258 }, (_, i) => i % 256));
    expect(pairs.every(([will, birth]) => will === birth)).toBe(true);
  });

  it('says NDEATH with the connection\'s bdSeq before a deliberate disconnect', () => {
    const { dialect } = setup();
    dialect.disconnected();
    dialect.disconnected();
    const death = dialect.death();
    expect(death).toMatchObject({ topic: 'spBv1.0/plant-1/NDEATH/edge-3', qos: 1, retain: false });
    expect(decode(death.payload)).toEqual({ timestamp: T0, metrics: [{ name: 'bdSeq', datatype: 4, longValue: 2 }] });
  });
});

describe('SparkplugDialect rebirth', () => {
  const rebirth = (value: boolean) => encodeSpec({ timestamp: T0, metrics: [{ name: 'Node Control/Rebirth', datatype: 11, booleanValue: value }] });

  it('answers Node Control/Rebirth = true with NBIRTH on the same bdSeq and seq 0, then DBIRTH', () => {
    const { dialect, wire } = setup();
    dialect.disconnected(); // bdSeq 1
    wire(dialect.birth());
    for (let i = 0; i < 10; i++) wire(dialect.encode(block(i), 1));
    expect(dialect.receive('spBv1.0/plant-1/NCMD/edge-3', rebirth(true))).toEqual({ rebirth: true });
    const again = wire(dialect.birth());
    expect(again.map((m) => m.topic.split('/')[2])).toEqual(['NBIRTH', 'DBIRTH']);
    expect(decode(again[0]!.payload)).toMatchObject({ seq: 0, metrics: [{ name: 'bdSeq', longValue: 1 }, { name: 'Node Control/Rebirth' }] });
    expect(decode(again[1]!.payload).seq).toBe(1);
  });

  it('births once per connection: a second ask without a rebirth request sends nothing', () => {
    const { dialect } = setup();
    expect(dialect.birth()).toHaveLength(2);
    expect(dialect.birth()).toEqual([]);
    dialect.disconnected();
    expect(dialect.birth()).toHaveLength(2);
  });

  it('ignores other node commands and Rebirth = false, saying which', () => {
    const { dialect } = setup();
    const ncmd = 'spBv1.0/plant-1/NCMD/edge-3';
    expect(dialect.receive(ncmd, rebirth(false))).toEqual({ ignored: expect.stringContaining('"Node Control/Rebirth"') });
    expect(dialect.receive(ncmd, encodeSpec({ metrics: [{ name: 'Node Control/Reboot', booleanValue: true }] }))).toEqual({ ignored: expect.stringContaining('"Node Control/Reboot"') });
    expect(dialect.receive(ncmd, new Uint8Array([0xff, 0xff]))).toEqual({ ignored: expect.stringContaining('not a Sparkplug B payload') });
    expect(dialect.receive('spBv1.0/plant-1/NCMD/other-node', rebirth(true))).toEqual({ ignored: expect.stringContaining('none of this node') });
  });
});

describe('SparkplugDialect primary host STATE', () => {
  const state = (online: boolean, timestamp: number) => new TextEncoder().encode(JSON.stringify({ online, timestamp }));
  const STATE = 'spBv1.0/STATE/scada-1';

  it('is always ready without a primary host', () => {
    const { dialect } = setup();
    expect(dialect.ready()).toBe(true);
    dialect.disconnected();
    expect(dialect.ready()).toBe(true);
  });

  it('waits for STATE online, ends its session when the host goes offline, and births again when the host is back', () => {
    const { dialect } = setup({ primaryHostId: 'scada-1' });
    expect(dialect.ready()).toBe(false);
    expect(dialect.receive(STATE, state(true, T0))).toEqual({ hostOnline: true });
    expect(dialect.ready()).toBe(true);
    expect(dialect.birth()).toHaveLength(2);
    expect(dialect.receive(STATE, state(true, T0))).toEqual({ hostOnline: true });
    expect(dialect.birth()).toEqual([]);
    expect(dialect.receive(STATE, state(false, T0 + 5))).toEqual({ hostOnline: false, reconnect: true });
    expect(dialect.ready()).toBe(false);
    // An offline STATE while the host is already offline asks for nothing more.
    expect(dialect.receive(STATE, state(false, T0 + 6))).toEqual({ hostOnline: false });
    expect(dialect.receive(STATE, state(true, T0 + 9))).toEqual({ hostOnline: true });
    expect(dialect.birth()).toHaveLength(2);
  });

  it('ignores a STATE older than the last one: it is from a past session of the host', () => {
    const { dialect } = setup({ primaryHostId: 'scada-1' });
    dialect.receive(STATE, state(true, T0 + 100));
    expect(dialect.receive(STATE, state(false, T0 + 50))).toEqual({ ignored: expect.stringContaining('older') });
    expect(dialect.ready()).toBe(true);
  });

  it('waits for the retained STATE again on every new connection', () => {
    const { dialect } = setup({ primaryHostId: 'scada-1' });
    dialect.receive(STATE, state(true, T0));
    dialect.disconnected();
    expect(dialect.ready()).toBe(false);
    expect(dialect.receive(STATE, state(true, T0))).toEqual({ hostOnline: true });
    expect(dialect.ready()).toBe(true);
  });

  it('ignores a STATE that is not Sparkplug 3.0 JSON', () => {
    const { dialect } = setup({ primaryHostId: 'scada-1' });
    expect(dialect.receive(STATE, new TextEncoder().encode('ONLINE'))).toEqual({ ignored: expect.stringContaining('not JSON') });
    expect(dialect.receive(STATE, new TextEncoder().encode('{"online":"yes","timestamp":1}'))).toEqual({ ignored: expect.stringContaining('boolean') });
    expect(dialect.ready()).toBe(false);
  });
});

describe('SparkplugDialect DCMD', () => {
  const DCMD = 'spBv1.0/plant-1/DCMD/edge-3/pump-1';
  const dcmd = (...metrics: object[]) => encodeSpec({ timestamp: T0, metrics });

  it('turns Device Control/{action} metrics into twinbed commands: Boolean true without args, String as JSON args', () => {
    const { dialect, advance } = setup();
    advance(250);
    const inbound = dialect.receive(
      DCMD,
      dcmd(
        { name: 'Device Control/stop', datatype: 11, booleanValue: true },
        { name: 'Device Control/setSpeed', datatype: 12, stringValue: '{"speedRpm":1200}' },
        { name: 'Device Control/reset', stringValue: '' },
      ),
    );
    expect(inbound).toEqual({
      commands: [
        { type: 'cmd', v: 1, device: 'pump-1', tsMs: T0 + 250, id: 'spb-1', action: 'stop' },
        { type: 'cmd', v: 1, device: 'pump-1', tsMs: T0 + 250, id: 'spb-2', action: 'setSpeed', args: { speedRpm: 1200 } },
        { type: 'cmd', v: 1, device: 'pump-1', tsMs: T0 + 250, id: 'spb-3', action: 'reset', args: {} },
      ],
    });
    expect(dialect.receive(DCMD, dcmd({ name: 'Device Control/stop', booleanValue: true }))).toMatchObject({ commands: [{ id: 'spb-4' }] });
  });

  it('ignores what is not a command, saying why, and keeps the commands beside it', () => {
    const { dialect } = setup();
    const inbound = dialect.receive(
      DCMD,
      dcmd(
        { name: 'Device Control/stop', booleanValue: false },
        { name: 'Device Control/setSpeed', stringValue: '[1200]' },
        { name: 'Device Control/setSpeed', stringValue: '{speedRpm' },
        { name: 'Device Control/level', doubleValue: 3 },
        { name: 'speed', booleanValue: true },
        { alias: 1, bytesValue: new Uint8Array(4) },
        { name: 'Device Control/start', booleanValue: true },
      ),
    );
    expect(inbound.commands).toEqual([expect.objectContaining({ action: 'start', id: 'spb-1' })]);
    expect(inbound.commands![0]).not.toHaveProperty('args');
    const reasons = inbound.ignored!.split('; ');
    expect(reasons).toEqual([
      expect.stringContaining('= false asks for nothing'),
      expect.stringContaining('not a JSON object'),
      expect.stringContaining('not a JSON object'),
      expect.stringContaining('expected a Boolean true or a String'),
      expect.stringContaining('"speed" is not "Device Control/<action>"'),
      expect.stringContaining('alias 1'),
    ]);
  });
});
