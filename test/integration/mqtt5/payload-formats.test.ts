import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../scenarios';
import { startMosquitto, type Mosquitto } from '../proxy/mosquitto';
import { decodeSparkplug, type Metric, type Payload } from '../../support/sparkplug-spec';
import { runTwinbed } from '../../support/twinbed-process';
import { startTap, until, type Tapped } from './tap';

// flat-json and Sparkplug B fleets through `twinbed run` with a `kind: mqtt` target in front of Mosquitto; an
// independent subscriber checks the exact wire format. Sparkplug payloads are read with protobufjs and the
// specification's own .proto (eclipse/tahu sparkplug_b.proto), not with the package the dialect encodes with.

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
const T0 = Date.parse('2026-01-01T00:00:00Z');
/** 20 s of one pump: 500 accel blocks (1024 samples, 40 ms) and two 10 s blocks of each RTD (10 samples at 1 Hz). */
const BLOCKS = { accel: 500, 'winding-temp': 2, 'bearing-temp': 2 } as const;
const PUBLISHED = 504;

const SCENARIO = yaml('name: payload formats', 'durationS: 20', 'twins:', '  - { template: pump, id: pump-1 }', 'expect:', '  - { type: stored-exactly-once }');

let dir: string;
let broker: Mosquitto;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twinbed-formats-'));
  broker = await startMosquitto(['max_queued_messages 0']);
  url = `mqtt://127.0.0.1:${broker.port}`;
});
afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(name: string, target: string): Promise<RunResult> {
  const scenarioFile = join(dir, `${name}.yaml`);
  const targetFile = join(dir, `${name}-target.yaml`);
  const report = join(dir, `${name}.json`);
  await writeFile(scenarioFile, SCENARIO);
  await writeFile(targetFile, target);
  const { code, stdout, stderr } = await runTwinbed(['run', scenarioFile, '--target', targetFile, '--json', report]);
  expect(code, `${stdout}\n${stderr}`).toBe(0);
  return JSON.parse(await readFile(report, 'utf8')) as RunResult;
}

describe('a flat-json fleet through an mqtt target', () => {
  it('publishes per-block JSON with templated keys and ISO times on the templated topics, which the target observes once each', { timeout: 60_000 }, async () => {
    const tap = await startTap(url, ['plant/#']);
    try {
      const result = await run(
        'flat',
        yaml(
          'kind: mqtt',
          'devices:',
          `  url: ${url}`,
          '  protocolVersion: 5',
          '  topic: plant/{site}/{device}/{sensor}',
          '  format:',
          '    type: flat-json',
          '    time: iso',
          '    keys: { ts: time, values: "{sensor}", seq: n, device: dev }',
          'observe:',
          '  topics:',
          '    - { filter: plant/+/+/+, as: reading, time: iso, fields: { device: dev, sensor: "$topic[3]", seq: n, time: time } }',
          'settle: { quietMs: 300, timeoutS: 30 }',
        ),
      );
      expect(result.expectations).toEqual([
        { name: 'every QoS 1 reading passed on exactly once', type: 'stored-exactly-once', passed: true, detail: `QoS 1 published ${PUBLISHED}, passed on ${PUBLISHED}, copies redelivered 0` },
      ]);
      await until(() => tap.messages.length >= PUBLISHED, `${PUBLISHED} messages at the tap`);
      expect(tap.messages).toHaveLength(PUBLISHED);

      const of = (sensor: keyof typeof BLOCKS) => tap.messages.filter((m) => m.topic === `plant/site-1/pump-1/${sensor}`);
      for (const sensor of Object.keys(BLOCKS) as (keyof typeof BLOCKS)[]) expect(of(sensor), sensor).toHaveLength(BLOCKS[sensor]);
      const [first, second] = of('winding-temp').map((m) => m.payload.toString('utf8'));
      for (const [text, n] of [[first!, 0], [second!, 1]] as const) {
        const record = JSON.parse(text) as Record<string, unknown>;
        // Compact JSON in the dialect's key order: time, rate, values, device, unit, seq.
        expect(JSON.stringify(record)).toBe(text);
        expect(Object.keys(record)).toEqual(['time', 'rateHz', 'winding-temp', 'dev', 'unit', 'n']);
        expect(record).toMatchObject({ time: new Date(T0 + n * 10_000).toISOString(), rateHz: 1, dev: 'pump-1', unit: 'degC', n });
        const values = record['winding-temp'] as number[];
        expect(values).toHaveLength(10);
        // Float32 samples written as their exact decimal, and a plausible winding temperature.
        for (const v of values) expect(v).toBe(Math.fround(v));
        for (const v of values) expect(v).toBeGreaterThan(-40);
        for (const v of values) expect(v).toBeLessThan(200);
      }
      const accel = of('accel').map((m) => JSON.parse(m.payload.toString('utf8')) as { time: string; rateHz: number; accel: number[]; n: number });
      expect(accel.map((a) => a.n)).toEqual(Array.from({ length: 500 }, (_, i) => i));
      expect(accel[0]).toMatchObject({ time: '2026-01-01T00:00:00.000Z', rateHz: 25_600 });
      expect(accel[1]!.time).toBe('2026-01-01T00:00:00.040Z');
      expect(accel.every((a) => a.accel.length === 1024)).toBe(true);
      // MQTT 5 user properties on flat JSON too: the seq the payload carries under its own key.
      for (const m of tap.messages) expect(m.properties.userProperties).toEqual({ device: 'pump-1', seq: String((JSON.parse(m.payload.toString('utf8')) as { n: number }).n) });
    } finally {
      await tap.close();
    }
  });
});

// Read with the specification's schema (test/support/sparkplug-spec.ts).
const decode = (m: Tapped): Payload => decodeSparkplug(m.payload);
const property = (m: Metric, key: string) => m.properties!.values![m.properties!.keys!.indexOf(key)];
const FLOAT_ARRAY = 30;

describe('a Sparkplug B fleet through an mqtt target', () => {
  it('announces NBIRTH then DBIRTH, sends each block as a DDATA by alias with seq 0–255 wrapping, and ends with NDEATH', { timeout: 60_000 }, async () => {
    const tap = await startTap(url, ['spBv1.0/#']);
    try {
      const result = await run(
        'sparkplug',
        yaml(
          'kind: mqtt',
          'devices:',
          `  url: ${url}`,
          '  protocolVersion: 5',
          '  format: { type: sparkplug-b, groupId: "{site}", edgeNodeId: "edge-{device}" }',
          'observe:',
          '  topics:',
          '    - { filter: line/+/alarm, as: alert, fields: { device: "$topic[1]" } }',
          'settle: { quietMs: 300, timeoutS: 30 }',
          'skip:',
          '  - { expectation: stored-exactly-once, reason: DDATA is QoS 0 protobuf and this observer reads no Sparkplug }',
        ),
      );
      // Sparkplug publishes readings at QoS 0: counted as such.
      expect(result.stats.qos0.published).toBe(PUBLISHED);
      expect(result.stats.qos1.published).toBe(0);
      const total = PUBLISHED + 3;
      await until(() => tap.messages.length >= total, `${total} Sparkplug messages at the tap`);
      expect(tap.messages.map((m) => m.topic.replace(/\/edge-pump-1(\/pump-1)?$/, ''))).toEqual([
        'spBv1.0/site-1/NBIRTH',
        'spBv1.0/site-1/DBIRTH',
        ...Array<string>(PUBLISHED).fill('spBv1.0/site-1/DDATA'),
        'spBv1.0/site-1/NDEATH',
      ]);
      expect(tap.messages[1]!.topic).toBe('spBv1.0/site-1/DBIRTH/edge-pump-1/pump-1');
      const payloads = tap.messages.map(decode);

      // [tck-id-topics-nbirth-seq-num] 0 at NBIRTH, one more per message, 255 → 0; NDEATH carries none.
      expect(payloads.slice(0, -1).map((p) => p.seq)).toEqual(Array.from({ length: PUBLISHED + 2 }, (_, i) => i % 256));
      expect(payloads.at(-1)!.seq ?? undefined).toBeUndefined();
      // bdSeq ties the NBIRTH to the NDEATH of the same connection; births and data at QoS 0, nothing retained.
      const bdSeq = (p: Payload) => p.metrics!.find((m) => m.name === 'bdSeq')!.longValue;
      expect(bdSeq(payloads[0]!)).toBe(bdSeq(payloads.at(-1)!));
      expect(payloads[0]!.metrics!.find((m) => m.name === 'Node Control/Rebirth')).toMatchObject({ booleanValue: false });
      expect(tap.messages.slice(0, -1).every((m) => m.qos === 0 && !m.retain)).toBe(true);
      expect(tap.messages.at(-1)).toMatchObject({ qos: 1, retain: false });

      // DBIRTH declares each sensor as a FloatArray with an alias, its unit, rate and block size, and no value.
      const births = payloads[1]!.metrics!;
      expect(births.map((m) => [m.name, m.alias, m.datatype, m.isNull])).toEqual([
        ['accel', 1, FLOAT_ARRAY, true],
        ['winding-temp', 2, FLOAT_ARRAY, true],
        ['bearing-temp', 3, FLOAT_ARRAY, true],
      ]);
      expect(births.map((m) => [property(m, 'engUnit')!.stringValue, property(m, 'rateHz')!.doubleValue, property(m, 'blockSamples')!.longValue])).toEqual([
        ['g', 25_600, 1024],
        ['degC', 1, 10],
        ['degC', 1, 10],
      ]);

      // Each DDATA: one metric by alias only, the block's bytes (4 per float32 sample), event time and twinbed seq.
      const seqs: Record<string, number[]> = { accel: [], 'winding-temp': [], 'bearing-temp': [] };
      for (const p of payloads.slice(2, -1)) {
        expect(p.metrics).toHaveLength(1);
        const [metric] = p.metrics!;
        expect(metric!.name ?? undefined).toBeUndefined();
        const birth = births.find((b) => b.alias === metric!.alias)!;
        const samples = property(birth, 'blockSamples')!.longValue!;
        expect(metric!.bytesValue!.byteLength).toBe(4 * samples);
        const seq = property(metric!, 'seq')!.longValue!;
        expect(metric!.timestamp! - T0).toBeCloseTo((seq * samples * 1000) / property(birth, 'rateHz')!.doubleValue!, 3);
        seqs[birth.name!]!.push(seq);
      }
      for (const [sensor, list] of Object.entries(seqs)) expect(list, sensor).toEqual(Array.from({ length: BLOCKS[sensor as keyof typeof BLOCKS] }, (_, i) => i));
    } finally {
      await tap.close();
    }
  });
});
