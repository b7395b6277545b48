import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandV1, TelemetryV1 } from '../../../protocol';
import { connectMqtt, createRng, LinkModel, ScaledRealClock, startBroker, startMqttProxy, type EmbeddedBroker, type MqttClient, type MqttProxy } from '../../../sim';
import {
  ConnectGate,
  DeviceConnectionSchema,
  DeviceSession,
  TransportStats,
  dialectFor,
  sessionConnectFor,
  type DeviceIdentity,
} from '../../../twins/transport';
import { decodeSparkplug as decode, encodeSparkplug, type Metric, type Payload } from '../../support/sparkplug-spec';

// A real DeviceSession speaking Sparkplug B to a real broker through twinbed's MQTT proxy (so its TCP connection can
// be cut from outside), watched by an independent observer that decodes every message with protobufjs and the
// specification's .proto (eclipse/tahu sparkplug_b/sparkplug_b.proto, copied verbatim), not with sparkplug-payload.

interface Seen {
  type: string;
  qos: number;
  retain: boolean;
  payload: Payload;
}

const encodeSpec = (payload: object): Buffer => Buffer.from(encodeSparkplug(payload));
const floats = (bytes: Uint8Array) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
};
const bdSeqOf = (m: Seen) => m.payload.metrics!.find((x) => x.name === 'bdSeq')!.longValue;
const seqProperty = (m: Metric) => m.properties!.values![m.properties!.keys!.indexOf('seq')]!.longValue;

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const SITE = 'plant-1';
const HOST = 'scada-1';
/** The node's command topics: edge node `pump-1`, device `pump-1` (the format's defaults, `{device}`). */
const NCMD = `spBv1.0/${SITE}/NCMD/pump-1`;
const DCMD = `spBv1.0/${SITE}/DCMD/pump-1/pump-1`;
const T0 = 1_767_225_600_000;

const id: DeviceIdentity = {
  site: SITE,
  device: 'pump-1',
  index: 0,
  sensors: [
    { sensor: 'accel', unit: 'g', rateHz: 1000, blockSamples: 4 },
    { sensor: 'temp', unit: 'degC', rateHz: 1, blockSamples: 1 },
  ],
};
const alias = (sensor: string) => id.sensors.findIndex((s) => s.sensor === sensor) + 1;

/** Block `seq`: accel and temp take turns; every value is exact in float32. */
function block(seq: number): TelemetryV1 {
  const sensor = id.sensors[seq % 2]!;
  const values = sensor.sensor === 'accel' ? [seq, -seq / 4, seq / 8, 0.5] : [20 + seq / 16];
  return { type: 'telemetry', v: 1, device: 'pump-1', sensor: sensor.sensor, seq, tsMs: T0 + seq * 4, rateHz: sensor.rateHz, unit: sensor.unit, values: new Float32Array(values) };
}

let broker: EmbeddedBroker;
let proxy: MqttProxy;
let observer: MqttClient;
let session: DeviceSession | undefined;
let nowMs = T0;
const stats = new TransportStats();
const commands: CommandV1[] = [];
/** What the node published, as the observer received it, in order. */
const seen: Seen[] = [];
const subscribed = new Map<string, string[]>();
const ofType = (type: string, from = 0) => seen.slice(from).filter((m) => m.type === type);

async function publishBlock(seq: number): Promise<void> {
  nowMs += 4;
  const b = block(seq);
  await session!.publish(session!.encode(b, 1), b.sensor);
}

beforeAll(async () => {
  broker = await startBroker();
  broker.aedes.on('subscribe', (subscriptions, client) => {
    subscribed.set(client.id, [...(subscribed.get(client.id) ?? []), ...subscriptions.map((s) => s.topic)]);
  });
  proxy = await startMqttProxy({
    upstream: { host: broker.host, port: broker.port },
    links: { up: new LinkModel('up', {}, createRng('sparkplug/up')), down: new LinkModel('down', {}, createRng('sparkplug/down')) },
    clock: new ScaledRealClock(),
  });
  observer = await connectMqtt(broker.url, { clientId: 'sparkplug-observer' });
  observer.on('message', (topic, payload, packet) => {
    const [, group, type, node, device] = topic.split('/');
    if (group !== SITE || node !== 'pump-1' || !/^(N|D)(BIRTH|DEATH|DATA)$/.test(type ?? '')) return;
    if (device !== undefined && device !== 'pump-1') return;
    seen.push({ type: type!, qos: packet.qos, retain: packet.retain, payload: decode(payload) });
  });
  await observer.subscribeAsync('spBv1.0/#', { qos: 1 });
});

afterAll(async () => {
  await session?.close().catch(() => undefined);
  await observer?.endAsync();
  await proxy?.close();
  await broker?.close();
});

describe('a twin as a Sparkplug B edge node over a real broker', () => {
  // The tests run in order, each on from where the last one left the node.
  let held: Promise<void>;
  let heldDone = false;

  it('says nothing, readings included, until its primary host\'s STATE says online', async () => {
    const connection = {
      ...DeviceConnectionSchema.parse({ reconnectPeriodMs: 300, connectTimeoutMs: 5_000, format: { type: 'sparkplug-b', primaryHostId: HOST } }),
      url: proxy.url,
    };
    session = await DeviceSession.open({
      id,
      connect: await sessionConnectFor(connection, id, process.cwd()),
      dialect: dialectFor(connection, id, () => nowMs),
      stats,
      gate: new ConnectGate(),
      onCommand: (command) => commands.push(command),
    });
    const clientId = 'twinbed-plant-1-pump-1';
    await until(() => (subscribed.get(clientId) ?? []).length === 3, 'the node\'s subscriptions');
    expect(subscribed.get(clientId)).toEqual([NCMD, DCMD, `spBv1.0/STATE/${HOST}`]);

    held = publishBlock(0).then(() => void (heldDone = true));
    // A DCMD reaches the node after its SUBACK: once the node has handled it, births it had sent unasked would be out.
    await observer.publishAsync(DCMD, encodeSpec({ timestamp: Date.now(), metrics: [{ name: 'Device Control/identify', booleanValue: true }] }));
    await until(() => commands.length === 1, 'the DCMD as a twinbed command');
    expect(commands[0]).toEqual({ type: 'cmd', v: 1, device: 'pump-1', tsMs: nowMs, id: 'spb-1', action: 'identify' });
    expect(stats.messages).toBe(0);
    expect(seen).toEqual([]);
    expect(heldDone).toBe(false);
  });

  it('births once the host is online: NBIRTH with bdSeq and seq 0, then DBIRTH declaring the sensors, then the held reading', async () => {
    await observer.publishAsync(`spBv1.0/STATE/${HOST}`, JSON.stringify({ online: true, timestamp: Date.now() }), { qos: 1, retain: true });
    await until(() => ofType('DDATA').length === 1, 'NBIRTH, DBIRTH and the held DDATA');
    await held;
    expect(seen.map((m) => [m.type, m.payload.seq, m.qos, m.retain])).toEqual([
      ['NBIRTH', 0, 0, false],
      ['DBIRTH', 1, 0, false],
      ['DDATA', 2, 0, false],
    ]);
    const [nbirth, dbirth] = seen;
    expect(nbirth!.payload.metrics).toEqual([
      { name: 'bdSeq', datatype: 4, longValue: 0 },
      { name: 'Node Control/Rebirth', datatype: 11, booleanValue: false },
    ]);
    expect(dbirth!.payload.metrics!.map((m) => [m.name, m.alias, m.datatype])).toEqual([
      ['accel', 1, 30],
      ['temp', 2, 30],
    ]);
  });

  it('sends each block as DDATA by alias with its samples as FloatArray, seq running on past 255 and wrapping to 0', async () => {
    for (let seq = 1; seq <= 270; seq++) await publishBlock(seq);
    await until(() => ofType('DDATA').length === 271, '271 DDATA');
    expect(seen.map((m) => m.payload.seq)).toEqual(Array.from({ length: 273 }, (_, i) => i % 256));
    expect(seen.slice(255, 260).map((m) => [m.type, m.payload.seq])).toEqual([
      ['DDATA', 255],
      ['DDATA', 0],
      ['DDATA', 1],
      ['DDATA', 2],
      ['DDATA', 3],
    ]);
    ofType('DDATA').forEach((m, seq) => {
      const b = block(seq);
      const metric = m.payload.metrics![0]!;
      expect(m.payload.metrics).toHaveLength(1);
      expect(metric.name).toBeUndefined();
      expect(metric.alias).toBe(alias(b.sensor));
      expect(metric.timestamp).toBe(b.tsMs);
      expect(seqProperty(metric)).toBe(seq);
      expect(floats(metric.bytesValue!)).toEqual([...b.values]);
    });
  });

  it('is declared dead by the broker (its will) when its TCP connection is cut, and births again with the next bdSeq', async () => {
    const from = seen.length;
    expect(proxy.resetConnections()).toBe(1);
    await until(() => ofType('NDEATH', from).length === 1, 'the NDEATH will');
    const [ndeath] = ofType('NDEATH', from);
    expect(ndeath).toMatchObject({ qos: 1, retain: false });
    expect(ndeath!.payload.metrics).toEqual([{ name: 'bdSeq', datatype: 4, longValue: 0 }]);
    expect(ndeath!.payload.seq).toBeUndefined();

    // A reading made while the node is down waits, and goes out numbered after the new births.
    await until(() => !session!.connected, 'the session to notice the cut');
    const waiting = publishBlock(271);
    await until(() => ofType('DDATA', from).length === 1, 'the new births and the held DDATA');
    await waiting;
    await publishBlock(272);
    await until(() => ofType('DDATA', from).length === 2, 'one more DDATA');
    const after = seen.slice(from);
    expect(after.map((m) => [m.type, m.payload.seq])).toEqual([
      ['NDEATH', undefined],
      ['NBIRTH', 0],
      ['DBIRTH', 1],
      ['DDATA', 2],
      ['DDATA', 3],
    ]);
    expect(bdSeqOf(after[1]!)).toBe(1);
    expect(seqProperty(after[3]!.payload.metrics![0]!)).toBe(271);
  });

  it('answers an NCMD Node Control/Rebirth with NBIRTH on the same bdSeq and seq 0, then DBIRTH', async () => {
    const from = seen.length;
    await observer.publishAsync(NCMD, encodeSpec({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', datatype: 11, booleanValue: true }] }));
    await until(() => ofType('DBIRTH', from).length === 1, 'the rebirth');
    await publishBlock(273);
    await until(() => ofType('DDATA', from).length === 1, 'a DDATA after the rebirth');
    const after = seen.slice(from);
    expect(after.map((m) => [m.type, m.payload.seq])).toEqual([
      ['NBIRTH', 0],
      ['DBIRTH', 1],
      ['DDATA', 2],
    ]);
    expect(bdSeqOf(after[0]!)).toBe(1);
  });

  it('ends its session when the primary host goes offline (the broker says NDEATH), and births with the next bdSeq once it is back', async () => {
    const from = seen.length;
    await observer.publishAsync(`spBv1.0/STATE/${HOST}`, JSON.stringify({ online: false, timestamp: Date.now() }), { qos: 1, retain: true });
    await until(() => ofType('NDEATH', from).length === 1, 'the NDEATH will of the ended session');
    expect(bdSeqOf(ofType('NDEATH', from)[0]!)).toBe(1);
    // The new session waits for the host: nothing is born while its retained STATE says offline.
    await until(() => session!.connected, 'the new session');
    await observer.publishAsync(`spBv1.0/STATE/${HOST}`, JSON.stringify({ online: true, timestamp: Date.now() }), { qos: 1, retain: true });
    await until(() => ofType('DBIRTH', from).length === 1, 'the births of the new session');
    const after = seen.slice(from);
    expect(after.map((m) => [m.type, m.payload.seq])).toEqual([
      ['NDEATH', undefined],
      ['NBIRTH', 0],
      ['DBIRTH', 1],
    ]);
    expect(bdSeqOf(after[1]!)).toBe(2);
  });

  it('says NDEATH with the connection\'s bdSeq before it disconnects on purpose', async () => {
    const from = seen.length;
    await session!.close();
    session = undefined;
    await until(() => ofType('NDEATH', from).length === 1, 'the NDEATH');
    const [ndeath] = ofType('NDEATH', from);
    expect(ndeath).toMatchObject({ qos: 1, retain: false });
    expect(bdSeqOf(ndeath!)).toBe(2);
  });
});
