import { Encoder } from 'cbor-x';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { Cloud, SqliteStorage } from '../../cloud';
import { CommandV1Schema, ConfigError, decodeMessage, encodeMessage, parseYamlConfig, topics, type EventV1 } from '../../protocol';
import { startBroker, VirtualClock, type EmbeddedBroker } from '../../sim';
import { z } from 'zod';
import { decodeErrorOf } from '../unit/protocol/sample-messages';

// One example per defect the fuzz tests found, kept as a plain regression test.

const plainCbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const utf8 = (text: string) => new TextEncoder().encode(text);

function configErrorOf(text: string): ConfigError {
  try {
    parseYamlConfig(text, 'f.yaml', z.object({ name: z.string() }).strict());
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('YAML config files', () => {
  it('an alias to an anchor that is not set is a ConfigError on its line and field, not a ReferenceError', () => {
    const error = configErrorOf('name: x\nother:\n  - *nope\n');
    expect(error.issues).toEqual([{ line: 3, path: 'other[0]', message: 'YAML: Unresolved alias (the anchor must be set before the alias): nope' }]);
  });

  it('aliases that expand without bound (a "billion laughs") are a ConfigError, not a ReferenceError', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [i, name] of ['b', 'c', 'd', 'e'].entries()) levels.push(`${name}: &${name} [${Array(9).fill(`*${'abcd'[i]}`).join(', ')}]`);
    const error = configErrorOf(`${levels.join('\n')}\n`);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ line: 2, path: 'b[0]', message: expect.stringMatching(/^YAML: Excessive alias count/) });
  });

  it('an empty file names line 1 for the fields it lacks', () => {
    expect(configErrorOf('').issues).toEqual([{ line: 1, path: 'name', message: 'Invalid input: expected string, received undefined' }]);
    expect(configErrorOf('').message).toBe('f.yaml:1 name: Invalid input: expected string, received undefined');
  });
});

describe('messages', () => {
  const command = { type: 'cmd', v: 1, device: 'gw-1', tsMs: 1, id: 'c-1', action: 'raw.request' } as const;

  it('refuses command args a JSON reader could not re-encode (BigInt, Date, Map, NaN), naming args', () => {
    for (const args of [{ n: 2n ** 64n }, { at: new Date(0) }, { m: new Map([[1, 2]]) }, { x: Number.NaN }, { bytes: new Uint8Array(2) }, { u: undefined }]) {
      const error = decodeErrorOf(plainCbor.encode({ ...command, args }));
      expect(error.field).toBe('args');
    }
    expect(decodeErrorOf(plainCbor.encode({ type: 'reply', v: 1, device: 'gw-1', tsMs: 1, id: 'c-1', action: 'a', ok: true, result: { n: 2n ** 64n } })).field).toBe('result');
  });

  it('takes JSON args of any shape, and nesting deeper than the call stack without overflowing it', () => {
    expect(decodeMessage(encodeMessage({ ...command, args: { seconds: 10, list: [1, 'two', null, { ok: true }] } }, 'cbor'))).toMatchObject({ args: { seconds: 10 } });
    let deep: unknown[] = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(CommandV1Schema.safeParse({ ...command, args: { deep } }).success).toBe(true);
  });

  it('refuses samples beyond float32 range, whose window RMS would be Infinity', () => {
    const telemetry = { type: 'telemetry', v: 1, device: 'd', sensor: 's', seq: 0, tsMs: 1, rateHz: 1000, unit: 'g', values: [0.5, 1e300] };
    expect(decodeErrorOf(utf8(JSON.stringify(telemetry))).field).toBe('values[1]');
    expect(decodeMessage(utf8(JSON.stringify({ ...telemetry, values: [0.5, 3.4e38] })))).toMatchObject({ values: [0.5, 3.4e38] });
  });

  it('refuses a sample rate below 1e-6 Hz, whose window length would be Infinity', () => {
    const telemetry = { type: 'telemetry', v: 1, device: 'd', sensor: 's', seq: 0, tsMs: 1, rateHz: 5e-324, unit: 'g', values: [0.5] };
    expect(decodeErrorOf(utf8(JSON.stringify(telemetry))).field).toBe('rateHz');
  });
});

describe('the cloud, fed edge events and dead letters it cannot use', () => {
  let broker: EmbeddedBroker;
  let storage: SqliteStorage;
  let cloud: Cloud;
  afterEach(async () => {
    await cloud?.stop();
    await storage?.close();
    await broker?.close();
  });

  async function start(): Promise<void> {
    broker = await startBroker();
    storage = new SqliteStorage();
    cloud = await Cloud.start({ brokerUrl: broker.url, storage, clock: new VirtualClock(Date.UTC(2026, 0, 1)), clientId: 'cloud-findings' });
  }

  it('stores an edge "cleared" with no alert open and goes on, instead of failing the batch (an unhandled rejection)', async () => {
    await start();
    const cleared: EventV1 = { type: 'event', v: 1, device: 'pump-1', sensor: 'accel', tsMs: Date.UTC(2026, 0, 1), kind: 'alert', origin: 'edge', rule: 'rms-high', state: 'cleared', severity: 'warning', value: 0.1, threshold: 0.2, message: 'back below' };
    cloud.accept(topics.event('plant', 'pump-1'), encodeMessage(cleared, 'json'));
    const window = { type: 'features', v: 2, device: 'pump-1', sensor: 'accel', seq: 0, tsMs: Date.UTC(2026, 0, 1), windowMs: 1000, unit: 'g', features: { rms: 0.1, peak: 0.2, crest: 2 } } as const;
    cloud.accept(topics.features('plant', 'pump-1', 'accel'), encodeMessage(window, 'cbor'));
    await cloud.idle();
    expect(cloud.stats()).toMatchObject({ received: 2, edgeEvents: 1, stored: 1 });
  });

  it('counts a dead letter too malformed to store as ignored, not silently', async () => {
    await start();
    cloud.accept(topics.deadLetter('plant'), utf8('{"type":"deadletter","v":1,"stage":"gateway"'));
    await cloud.idle();
    expect(cloud.stats()).toMatchObject({ received: 0, ignored: 1, deadLettered: 0 });
  });
});

describe('a broker with an authorizePublish hook (the gateway\'s device broker)', () => {
  let broker: EmbeddedBroker | undefined;
  afterEach(async () => broker?.close());

  it('still refuses a client PUBLISH to $SYS, closing the connection', async () => {
    const allowed: string[] = [];
    broker = await startBroker({ authorizePublish: (_client, packet, done) => (allowed.push(packet.topic), done(null)) });
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('$SYS/spoofed/uptime', 'forever', { qos: 1 });
    await closed;
    client.end(true);
    expect(allowed).toEqual([]);
  });
});
