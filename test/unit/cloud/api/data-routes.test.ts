import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLOUD_MOUNT_OPTIONS, cloudRoutes } from '../../../../cloud/api';
import type { DeadLetterRecord, FeatureRecord, RawRecord, RollupRecord } from '../../../../cloud/index';
import { RECORDS, seededFakeCloud, T0, type FakeCloud } from './fake-cloud';
import { serveRoutes, type ServedRoutes } from './serve-routes';

type Page<T> = { items: T[]; next?: string };

const RAW: RawRecord = { device: 'pump-1', sensor: 'accel', seq: 3, tsMs: T0 + 120, rateHz: 25_600, unit: 'g', samples: 1, encoding: 'f32', data: new Uint8Array([0, 0, 0x80, 0xbf]), receivedMs: T0 + 130 };
const LETTERS: DeadLetterRecord[] = [
  { stage: 'gateway', topic: 'twinbed/v1/plant-a/pump-1/telemetry/accel', reason: 'rateHz: expected a positive number', tsMs: T0 + 10, payloadB64: 'AAE=' },
  { stage: 'cloud', topic: 'twinbed/v1/plant-a/pump-1/features/accel', reason: 'not JSON or CBOR', tsMs: T0 + 20, payloadB64: 'e30=' },
];

describe('stored data over the REST API: series pages, raw blocks, dead letters, rollups and the Parquet export', () => {
  let cloud: FakeCloud;
  let served: ServedRoutes;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbed-data-routes-'));

  beforeAll(async () => {
    cloud = await seededFakeCloud();
    await cloud.storage.ingest({ features: [], raw: [RAW], deadLetters: LETTERS, events: [] });
    served = await serveRoutes(cloudRoutes(cloud), { ...CLOUD_MOUNT_OPTIONS, checkResponses: true });
  });
  afterAll(async () => {
    await served?.close();
    await cloud?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages a series oldest first, every window once, following next to the end', async () => {
    const seen: FeatureRecord[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const answer = await served.request('GET', `/api/series/page?device=pump-1&sensor=accel&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(answer.status).toBe(200);
      const page = answer.body as Page<FeatureRecord>;
      seen.push(...page.items);
      cursor = page.next ?? '';
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(RECORDS.filter((r) => r.sensor === 'accel'));
    const ranged = (await served.request('GET', `/api/series/page?device=pump-1&sensor=winding-temp&from=${T0 + 40}&to=${T0 + 80}`)).body as Page<FeatureRecord>;
    expect(ranged).toEqual({ items: [RECORDS[3], RECORDS[5]] });
  });

  it('refuses a cursor from another list, naming the cursor', async () => {
    const page = (await served.request('GET', '/api/series/page?device=pump-1&sensor=accel&limit=1')).body as Page<FeatureRecord>;
    expect(await served.request('GET', `/api/raw?device=pump-1&sensor=accel&cursor=${page.next}`)).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^cursor: the cursor is not one a raw page returned; pass back the previous page's `next` unchanged/) },
    });
  });

  it('serves raw blocks still encoded, their data in base64', async () => {
    expect((await served.request('GET', '/api/raw?device=pump-1&sensor=accel')).body).toEqual({
      items: [{ ...RAW, data: Buffer.from([0, 0, 0x80, 0xbf]).toString('base64') }],
    });
    expect((await served.request('GET', `/api/raw?device=pump-1&sensor=accel&to=${T0 + 119}`)).body).toEqual({ items: [] });
  });

  it('serves dead letters oldest first, filtered by stage and topic', async () => {
    expect((await served.request('GET', '/api/dead-letters')).body).toEqual({ items: LETTERS });
    expect((await served.request('GET', '/api/dead-letters?stage=cloud')).body).toEqual({ items: [LETTERS[1]] });
    expect((await served.request('GET', `/api/dead-letters?topic=${encodeURIComponent(LETTERS[0]!.topic)}`)).body).toEqual({ items: [LETTERS[0]] });
    expect(await served.request('GET', '/api/dead-letters?stage=edge')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^stage: Invalid option/) } });
  });

  it('streams the selected windows as a Parquet file and removes the file once sent', async () => {
    const answer = await served.bytes(`/api/export.parquet?sensor=accel&from=${T0 + 40}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    expect(answer.headers.get('content-disposition')).toBe('attachment; filename=windows.parquet');
    expect(answer.bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(answer.bytes.subarray(-4).toString()).toBe('PAR1');

    const file = path.join(dir, 'answer.parquet');
    writeFileSync(file, answer.bytes);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const rows = (await connection.runAndReadAll(`SELECT device, sensor, seq, rms FROM read_parquet('${file}') ORDER BY seq`)).getRowObjectsJS();
      expect(rows).toEqual([1, 2, 3, 4].map((seq) => ({ device: 'pump-1', sensor: 'accel', seq: BigInt(seq), rms: 0.1 * seq })));
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const written = cloud.exports.at(-1)!;
    await vi.waitFor(() => expect(existsSync(path.dirname(written))).toBe(false));
  });

  it('answers a bad export query with 400, as JSON, and writes nothing', async () => {
    const before = cloud.exports.length;
    expect(await served.request('GET', '/api/export.parquet?from=soon')).toEqual({
      status: 400,
      contentType: expect.stringMatching(/^application\/json/),
      body: { error: 'from: Invalid input: expected number, received NaN' },
    });
    expect(cloud.exports).toHaveLength(before);
  });
});

describe('rollups over the REST API', () => {
  let cloud: FakeCloud;
  let served: ServedRoutes;

  beforeAll(async () => {
    cloud = await seededFakeCloud();
    // Two hours on, with one hour of raw retention: every seeded window is folded into rollups.
    await cloud.storage.compact({ nowMs: T0 + 2 * 3_600_000, rawRetentionMs: 3_600_000, minuteRetentionMs: 86_400_000 });
    served = await serveRoutes(cloudRoutes(cloud), { ...CLOUD_MOUNT_OPTIONS, checkResponses: true });
  });
  afterAll(async () => {
    await served?.close();
    await cloud?.close();
  });

  it('serves the minute and hour buckets of one sensor with each feature\'s min, max and mean', async () => {
    const minute = (await served.request('GET', '/api/rollups?device=pump-1&sensor=accel&resolution=1m')).body as Page<RollupRecord>;
    expect(minute.items).toHaveLength(1);
    expect(minute.items[0]).toMatchObject({ device: 'pump-1', sensor: 'accel', resolution: '1m', bucketMs: T0, count: 5, features: { peak: { min: 0.3, max: 0.3, mean: 0.3 } } });
    expect(minute.items[0]!.features.rms).toEqual({ min: 0, max: 0.4, mean: expect.closeTo(0.2, 12) });
    const hour = (await served.request('GET', '/api/rollups?device=pump-1&sensor=winding-temp&resolution=1h')).body as Page<RollupRecord>;
    expect(hour.items.map((r) => [r.bucketMs, r.count, r.features.rms])).toEqual([[T0, 5, { min: 60, max: 64, mean: 62 }]]);
    expect((await served.request('GET', `/api/rollups?device=pump-1&sensor=accel&resolution=1m&from=${T0 + 1}`)).body).toEqual({ items: [] });
  });

  it('answers 400 naming the resolution when it is missing or not 1m or 1h', async () => {
    expect(await served.request('GET', '/api/rollups?device=pump-1&sensor=accel')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^resolution: /) } });
    expect(await served.request('GET', '/api/rollups?device=pump-1&sensor=accel&resolution=1d')).toMatchObject({ status: 400, body: { error: 'resolution: Invalid option: expected one of "1m"|"1h"' } });
  });
});
