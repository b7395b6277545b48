// The Storage contract (CONTRIBUTING.md#conformance-suites): every implementation of cloud/storage/storage.ts runs this suite.
//   storageContract('SqliteStorage in memory', async () => new SqliteStorage(':memory:'));
//   storageContract('SqliteStorage on a file', { create, sameDatabase, legacy, sql });
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS } from '../../../cloud/index';
import type { AlertQuery, AlertRecord, DeadLetterRecord, FeatureRecord, IngestBatch, RawRecord, Storage } from '../../../cloud/index';
import type { AlertEntry, AuditEntry, ModelRecord, Page, RegistryEntry, Shadow } from '../../../cloud/records';

/** 2026-01-01T00:00:00Z, ms since the Unix epoch. */
export const T0 = Date.UTC(2026, 0, 1);

/** A feature record for pump-1/accel at T0 + seq·40 ms unless overridden. */
export function featureRecord(overrides: Partial<FeatureRecord> = {}): FeatureRecord {
  const seq = overrides.seq ?? 0;
  return {
    device: 'pump-1',
    sensor: 'accel',
    seq,
    tsMs: T0 + seq * 40,
    windowMs: 40,
    unit: 'g',
    features: { rms: 0.02 + seq / 1000, peak: 0.03, crest: 1.5 },
    receivedMs: T0 + seq * 40 + 5,
    ...overrides,
  };
}

export function alertRecord(overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    device: 'pump-1',
    sensor: 'accel',
    rule: 'rms above 0.2',
    state: 'raised',
    severity: 'warning',
    tsMs: T0,
    value: 0.25,
    threshold: 0.2,
    message: 'pump-1/accel rms 0.25 g exceeds 0.2',
    ...overrides,
  };
}

export function deadLetter(overrides: Partial<DeadLetterRecord> = {}): DeadLetterRecord {
  return { stage: 'cloud', topic: 'twinbed/v1/site-1/pump-1/features/accel', reason: 'bad payload', tsMs: T0, payloadB64: 'AAE=', ...overrides };
}

const bySensor = (a: { sensor: string }, b: { sensor: string }) => a.sensor.localeCompare(b.sensor);
const byDeviceSensor = (a: { device: string; sensor: string }, b: { device: string; sensor: string }) =>
  a.device.localeCompare(b.device) || a.sensor.localeCompare(b.sensor);

/** Just the AlertRecord fields, so ordering and filter tests do not also fail on the shape (tested on its own). */
const alertFields = ({ device, sensor, rule, state, severity, tsMs, value, threshold, message }: AlertRecord): AlertRecord => ({
  device,
  ...(sensor === undefined ? {} : { sensor }),
  rule,
  state,
  severity,
  tsMs,
  value,
  threshold,
  message,
});

/** Inserts records in the given order and expects each to be new. */
async function insertAll(storage: Storage, records: readonly FeatureRecord[]): Promise<void> {
  for (const record of records) expect(await storage.insertFeatures(record), `insert ${record.device}/${record.sensor}#${record.seq}`).toBe(true);
}

export function rawRecord(overrides: Partial<RawRecord> = {}): RawRecord {
  const seq = overrides.seq ?? 0;
  return { device: 'pump-1', sensor: 'accel', seq, tsMs: T0 + seq * 40, rateHz: 25_600, unit: 'g', samples: 1, encoding: 'f32', data: new Uint8Array([1, 2, 3, seq % 256]), receivedMs: T0, ...overrides };
}

/** An alert lifecycle raised at `raisedMs` (T0 unless overridden), with an id derived from it as the cloud derives it. */
export function alertEntry(overrides: Partial<AlertEntry> = {}): AlertEntry {
  const raisedMs = overrides.raisedMs ?? T0;
  return {
    id: `rms-high/${overrides.device ?? 'pump-1'}/accel/${raisedMs}`,
    rule: 'rms-high',
    device: 'pump-1',
    sensor: 'accel',
    kind: 'alert',
    origin: 'cloud',
    severity: 'warning',
    state: 'raised',
    raisedMs,
    updatedMs: raisedMs,
    value: 0.25,
    threshold: 0.2,
    message: 'pump-1/accel rms 0.25 g exceeds 0.2',
    history: [{ state: 'raised', tsMs: raisedMs, by: 'rule:rms-high' }],
    ...overrides,
  };
}

export function auditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return { tsMs: T0, actor: 'rule:rms-high', target: 'gw-1', action: 'set-rate', args: { device: 'pump-1', rateHz: 100 }, commandId: 'cmd-1', reason: 'rms above 0.2', outcome: 'sent', ...overrides };
}

export function registryEntry(overrides: Partial<RegistryEntry> = {}): RegistryEntry {
  return { id: 'pump-1', kind: 'device', site: 'site-1', online: true, lastSeenMs: T0, gateway: 'gw-1', sensors: ['accel', 'temp'], ...overrides };
}

export function modelRecord(overrides: Partial<ModelRecord> = {}): ModelRecord {
  return {
    version: '1.0.0',
    sha256: 'ab'.repeat(32),
    signature: 'c2lnbmF0dXJl',
    keyId: 'fleet-2026',
    createdMs: T0,
    trainedOn: 'pump-1,pump-2 healthy windows 0–600 s',
    manifest: { spec: { inputs: ['rms', 'peak'] }, threshold: 2.4, stats: { mean: [0.02, 0.05] } },
    bytes: new Uint8Array([0x08, 0x07, 0x12, 0x00, 0xff]),
    ...overrides,
  };
}

export const batchOf = (parts: Partial<IngestBatch>): IngestBatch => ({ features: [], raw: [], deadLetters: [], events: [], ...parts });

/** A fixed permutation, so "whatever the insertion order" tests insert out of order the same way every run. */
const shuffled = <T>(items: readonly T[]): T[] => items.map((item, i) => ({ item, k: (i * 7919) % 101 })).sort((a, b) => a.k - b.k).map((x) => x.item);

/** Every page from the first to the one without `next`, calling `between` after each page that has one. */
async function walk<T>(fetch: (cursor: string | undefined) => Promise<Page<T>>, between: () => Promise<void> = async () => undefined) {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    pages++;
    cursor = page.next;
    if (cursor !== undefined) await between();
  } while (cursor !== undefined && pages < 1000);
  return { items, pages };
}

/** Resolves to the error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection, the promise resolved');
}

/** A dead letter the database refuses (its reason is NOT NULL), to make a write fail inside the database. */
const refusedLetter = () => deadLetter({ reason: null as unknown as string });

/** How a suite gets its storages. Engines that keep data (a file, a server) give the hooks too. */
export interface StorageFixture {
  /** A new storage on a new, empty database. */
  create(): Promise<Storage>;
  /** Another storage on the database of `storage`, which stays open (a second connection, or a second process). */
  sameDatabase?(storage: Storage): Promise<Storage>;
  /**
   * A storage on a new database that held only migration 1's tables, as twinbed made them before migrations, with
   * the `seed` statements run in it before it was opened.
   */
  legacy?(seed: readonly string[]): Promise<Storage>;
  /** Runs one SQL statement on the database of `storage` through a connection of the fixture's own; its rows. */
  sql?(storage: Storage, statement: string): Promise<Record<string, unknown>[]>;
}

/**
 * Registers `describe(name)` with the whole Storage contract. `create` must return a new, empty storage on each
 * call; the suite closes every storage it creates. The tests that reopen a database run only with those hooks.
 */
export function storageContract(name: string, fixtureOrCreate: StorageFixture | (() => Promise<Storage>)): void {
  const fixture: StorageFixture = typeof fixtureOrCreate === 'function' ? { create: fixtureOrCreate } : fixtureOrCreate;
  const { create } = fixture;

  describe(name, () => {
    let storage: Storage;

    beforeEach(async () => {
      storage = await create();
    });

    afterEach(async () => {
      await storage.close();
    });

    describe('an empty storage', () => {
      it('has no devices, sequences, alerts or records, and zero counts', async () => {
        expect(await storage.devices()).toEqual([]);
        expect(await storage.sequences()).toEqual([]);
        expect(await storage.alerts()).toEqual([]);
        expect(await storage.latest('pump-1')).toEqual([]);
        expect(await storage.series({ device: 'pump-1', sensor: 'accel' })).toEqual([]);
        expect(await storage.counts()).toEqual({ features: 0, alerts: 0, deadLetters: 0, raw: 0 });
      });
    });

    describe('insertFeatures', () => {
      it('returns true for a new (device, sensor, seq) and false for the same identity again, even with different values', async () => {
        const first = featureRecord({ seq: 7, features: { rms: 0.1, peak: 0.2, crest: 2 } });
        expect(await storage.insertFeatures(first)).toBe(true);
        expect(await storage.insertFeatures(first)).toBe(false);
        const changed = featureRecord({ seq: 7, tsMs: T0 + 999_000, unit: 'm/s2', features: { rms: 9, peak: 9, crest: 1 }, receivedMs: T0 + 1e6 });
        expect(await storage.insertFeatures(changed)).toBe(false);
        expect(await storage.counts()).toEqual({ features: 1, alerts: 0, deadLetters: 0, raw: 0 });
      });

      it('keeps the first copy of a duplicate', async () => {
        const first = featureRecord({ seq: 7, features: { rms: 0.1, peak: 0.2, crest: 2 } });
        await storage.insertFeatures(first);
        await storage.insertFeatures(featureRecord({ seq: 7, tsMs: T0 + 5, features: { rms: 9, peak: 9, crest: 1 } }));
        expect(await storage.series({ device: 'pump-1', sensor: 'accel' })).toEqual([first]);
        expect(await storage.latest('pump-1')).toEqual([first]);
      });

      it('treats the same seq on another sensor or another device as a different record', async () => {
        expect(await storage.insertFeatures(featureRecord({ seq: 0 }))).toBe(true);
        expect(await storage.insertFeatures(featureRecord({ seq: 0, sensor: 'temp' }))).toBe(true);
        expect(await storage.insertFeatures(featureRecord({ seq: 0, device: 'pump-2' }))).toBe(true);
        expect((await storage.counts()).features).toBe(3);
      });

      it('round-trips every field, features with extra keys, a fractional event time and features without rms', async () => {
        const rich = featureRecord({
          seq: 3,
          tsMs: T0 + 12.5,
          windowMs: 1024 / 0.3,
          features: { rms: 0.123456789012, peak: 0.5, crest: 4.05, kurtosis: 3.25, band1xG: 0.0871, 'band_2x-g': 1e-9 },
        });
        const temperature = featureRecord({ sensor: 'temp', seq: 0, unit: 'degC', features: { tempC: 41.5, deltaC: -0.25 } });
        await insertAll(storage, [rich, temperature]);
        expect(await storage.series({ device: 'pump-1', sensor: 'accel' })).toEqual([rich]);
        expect(await storage.series({ device: 'pump-1', sensor: 'temp' })).toEqual([temperature]);
        const [stored] = await storage.series({ device: 'pump-1', sensor: 'temp' });
        expect(Object.keys(stored!.features).sort()).toEqual(['deltaC', 'tempC']);
      });
    });

    describe('latest', () => {
      it('returns the newest record by event time of each sensor of the device, whatever the insertion order', async () => {
        const accel = [2, 0, 4, 1, 3].map((seq) => featureRecord({ seq }));
        const temp = [featureRecord({ sensor: 'temp', seq: 1, tsMs: T0 + 1_000 }), featureRecord({ sensor: 'temp', seq: 0, tsMs: T0 })];
        const otherDevice = featureRecord({ device: 'pump-2', seq: 99, tsMs: T0 + 60_000 });
        await insertAll(storage, [...accel, ...temp, otherDevice]);
        const latest = (await storage.latest('pump-1')).sort(bySensor);
        expect(latest).toEqual([featureRecord({ seq: 4 }), temp[0]]);
        expect(await storage.latest('pump-2')).toEqual([otherDevice]);
        expect(await storage.latest('pump-3')).toEqual([]);
      });

      it('goes by event time, not by sequence number', async () => {
        // A device that restarted: seq began again at 0, with a later timestamp.
        const beforeRestart = featureRecord({ seq: 50, tsMs: T0 });
        const afterRestart = featureRecord({ seq: 0, tsMs: T0 + 10_000 });
        await insertAll(storage, [afterRestart, beforeRestart]);
        expect(await storage.latest('pump-1')).toEqual([afterRestart]);
      });
    });

    describe('series', () => {
      const ten = Array.from({ length: 10 }, (_, seq) => featureRecord({ seq, tsMs: T0 + seq * 1000 }));

      beforeEach(async () => {
        // Shuffled, with neighbours on another sensor and another device that must never leak in.
        await insertAll(storage, [3, 9, 0, 5, 1, 8, 2, 7, 6, 4].map((i) => ten[i]!));
        await insertAll(storage, [featureRecord({ sensor: 'temp', seq: 0, tsMs: T0 + 2500 }), featureRecord({ device: 'pump-2', seq: 0, tsMs: T0 + 2500 })]);
      });

      it('returns one sensor of one device in event-time order', async () => {
        expect(await storage.series({ device: 'pump-1', sensor: 'accel' })).toEqual(ten);
      });

      it('includes both bounds of [fromMs, toMs]', async () => {
        const window = await storage.series({ device: 'pump-1', sensor: 'accel', fromMs: T0 + 2000, toMs: T0 + 5000 });
        expect(window.map((r) => r.seq)).toEqual([2, 3, 4, 5]);
      });

      it('honours fromMs alone and toMs alone', async () => {
        expect((await storage.series({ device: 'pump-1', sensor: 'accel', fromMs: T0 + 7000 })).map((r) => r.seq)).toEqual([7, 8, 9]);
        expect((await storage.series({ device: 'pump-1', sensor: 'accel', toMs: T0 + 1999 })).map((r) => r.seq)).toEqual([0, 1]);
        expect(await storage.series({ device: 'pump-1', sensor: 'accel', fromMs: T0 + 9001 })).toEqual([]);
      });

      it('with limit keeps the latest N records and returns them oldest first', async () => {
        expect((await storage.series({ device: 'pump-1', sensor: 'accel', limit: 3 })).map((r) => r.seq)).toEqual([7, 8, 9]);
        const limitedWindow = await storage.series({ device: 'pump-1', sensor: 'accel', fromMs: T0 + 1000, toMs: T0 + 6000, limit: 2 });
        expect(limitedWindow.map((r) => r.seq)).toEqual([5, 6]);
      });

      it('returns nothing for an unknown device or sensor', async () => {
        expect(await storage.series({ device: 'pump-9', sensor: 'accel' })).toEqual([]);
        expect(await storage.series({ device: 'pump-1', sensor: 'rpm' })).toEqual([]);
      });
    });

    it('series returns the latest 1000 records when no limit is given', async () => {
      await insertAll(storage, Array.from({ length: 1003 }, (_, seq) => featureRecord({ seq })));
      const series = await storage.series({ device: 'pump-1', sensor: 'accel' });
      expect(series).toHaveLength(1000);
      expect(series[0]!.seq).toBe(3);
      expect(series.at(-1)!.seq).toBe(1002);
    });

    describe('alerts', () => {
      const raisedA = alertRecord({ device: 'pump-1', tsMs: T0 + 1000 });
      const raisedB = alertRecord({ device: 'pump-2', tsMs: T0 + 2000, rule: 'peak above 1', threshold: 1, value: 1.5, severity: 'critical', message: 'b' });
      const clearedA = alertRecord({ device: 'pump-1', tsMs: T0 + 3000, state: 'cleared', value: 0.1, threshold: 0.16, message: 'c' });
      const deviceWide = alertRecord({ device: 'fan-1', sensor: undefined, tsMs: T0 + 2000, message: 'no sensor' });

      /** The stored alerts matching `query`, reduced to AlertRecord fields. */
      const alerts = async (query?: AlertQuery) => (await storage.alerts(query)).map(alertFields);

      it('returns alerts with exactly the fields of AlertRecord, no storage-internal columns', async () => {
        await storage.insertAlert(raisedA);
        const [stored] = await storage.alerts();
        expect(Object.keys(stored!).sort()).toEqual(Object.keys(raisedA).sort());
        expect(stored).toStrictEqual(raisedA);
      });

      it('returns every alert in event-time order, whatever the insertion order', async () => {
        for (const alert of [clearedA, raisedB, raisedA]) await storage.insertAlert(alert);
        expect(await alerts()).toEqual([raisedA, raisedB, clearedA]);
        expect(await alerts({})).toEqual([raisedA, raisedB, clearedA]);
      });

      it('keeps insertion order among alerts with equal times', async () => {
        const same = ['first', 'second', 'third', 'fourth'].map((message, i) => alertRecord({ device: `pump-${4 - i}`, message }));
        for (const alert of same) await storage.insertAlert(alert);
        expect((await alerts()).map((a) => a.message)).toEqual(['first', 'second', 'third', 'fourth']);
      });

      it('filters by device', async () => {
        for (const alert of [raisedA, raisedB, clearedA]) await storage.insertAlert(alert);
        expect(await alerts({ device: 'pump-1' })).toEqual([raisedA, clearedA]);
        expect(await alerts({ device: 'pump-2' })).toEqual([raisedB]);
        expect(await alerts({ device: 'pump-3' })).toEqual([]);
      });

      it('filters by the inclusive time range [fromMs, toMs], alone or with a device', async () => {
        for (const alert of [raisedA, raisedB, clearedA]) await storage.insertAlert(alert);
        expect(await alerts({ fromMs: T0 + 2000 })).toEqual([raisedB, clearedA]);
        expect(await alerts({ toMs: T0 + 2000 })).toEqual([raisedA, raisedB]);
        expect(await alerts({ fromMs: T0 + 1000, toMs: T0 + 1000 })).toEqual([raisedA]);
        expect(await alerts({ device: 'pump-1', fromMs: T0 + 1001 })).toEqual([clearedA]);
      });

      it('round-trips an alert without a sensor', async () => {
        await storage.insertAlert(deviceWide);
        expect(await alerts()).toEqual([deviceWide]);
        expect((await storage.alerts())[0]!.sensor).toBeUndefined();
      });
    });

    describe('sequences', () => {
      it('gives count, minSeq and maxSeq per (device, sensor), counting a duplicate once', async () => {
        await insertAll(storage, [
          ...[5, 6, 7, 9].map((seq) => featureRecord({ seq })),
          ...[0, 1].map((seq) => featureRecord({ sensor: 'temp', seq })),
          featureRecord({ device: 'pump-2', seq: 42 }),
        ]);
        expect(await storage.insertFeatures(featureRecord({ seq: 6 }))).toBe(false);
        expect((await storage.sequences()).sort(byDeviceSensor)).toEqual([
          { device: 'pump-1', sensor: 'accel', count: 4, minSeq: 5, maxSeq: 9 },
          { device: 'pump-1', sensor: 'temp', count: 2, minSeq: 0, maxSeq: 1 },
          { device: 'pump-2', sensor: 'accel', count: 1, minSeq: 42, maxSeq: 42 },
        ]);
      });
    });

    describe('feature windows of several blocks', () => {
      it('round-trips blocks and counts the readings each window covers in sequences', async () => {
        await insertAll(storage, [featureRecord({ seq: 0, blocks: 25 }), featureRecord({ seq: 25, blocks: 25 }), featureRecord({ seq: 50, blocks: 10 })]);
        expect((await storage.series({ device: 'pump-1', sensor: 'accel' })).map((r) => [r.seq, r.blocks])).toEqual([
          [0, 25],
          [25, 25],
          [50, 10],
        ]);
        expect(await storage.sequences()).toEqual([{ device: 'pump-1', sensor: 'accel', count: 60, minSeq: 0, maxSeq: 59 }]);
        // A record without blocks is one block, and comes back without the field.
        await insertAll(storage, [featureRecord({ sensor: 'temp', seq: 3 })]);
        expect((await storage.latest('pump-1')).find((r) => r.sensor === 'temp')).not.toHaveProperty('blocks');
      });
    });

    describe('raw blocks', () => {
      const raw = (seq: number, data = [1, 2, 3, 4]) => ({
        device: 'pump-1',
        sensor: 'accel',
        seq,
        tsMs: T0 + seq * 40,
        rateHz: 25_600,
        unit: 'g',
        samples: 1,
        encoding: 'f32' as const,
        data: new Uint8Array(data),
        receivedMs: T0,
      });

      it('stores a raw block once per (device, sensor, seq) and returns it byte for byte, in seq order', async () => {
        expect(await storage.insertRaw(raw(2))).toBe(true);
        expect(await storage.insertRaw(raw(1, [9, 9, 9, 9]))).toBe(true);
        expect(await storage.insertRaw(raw(2, [0, 0, 0, 0]))).toBe(false);
        const blocks = await storage.rawBlocks({ device: 'pump-1', sensor: 'accel' });
        expect(blocks.map((b) => [b.seq, [...b.data]])).toEqual([
          [1, [9, 9, 9, 9]],
          [2, [1, 2, 3, 4]],
        ]);
        expect(blocks[1]).toEqual(raw(2));
        expect((await storage.counts()).raw).toBe(2);
      });
    });

    describe('edge events', () => {
      it('round-trips an anomaly reported by an edge gateway with its kind and origin', async () => {
        const anomaly = alertRecord({ kind: 'anomaly', origin: 'edge', rule: 'pca-v3', message: 'score 9.1 over 2.4' });
        await storage.insertAlert(anomaly);
        await storage.insertAlert(alertRecord());
        const [first, second] = await storage.alerts();
        expect(first).toEqual(anomaly);
        expect(second).not.toHaveProperty('kind');
        expect(second).not.toHaveProperty('origin');
      });
    });

    describe('counts', () => {
      it('counts distinct feature records, alerts and dead letters', async () => {
        await insertAll(storage, [0, 1, 2].map((seq) => featureRecord({ seq })));
        await storage.insertFeatures(featureRecord({ seq: 1 }));
        await storage.insertAlert(alertRecord());
        await storage.insertAlert(alertRecord({ state: 'cleared' }));
        for (let i = 0; i < 4; i++) await storage.insertDeadLetter(deadLetter({ tsMs: T0 + i, stage: i % 2 ? 'gateway' : 'cloud' }));
        expect(await storage.counts()).toEqual({ features: 3, alerts: 2, deadLetters: 4, raw: 0 });
      });
    });

    describe('devices', () => {
      it('lists each device once with its sensors, its number of readings and the event time of its newest one', async () => {
        await insertAll(storage, [
          featureRecord({ device: 'pump-2', seq: 0, tsMs: T0 + 500 }),
          ...[0, 1, 2].map((seq) => featureRecord({ seq, tsMs: T0 + seq * 100 })),
          featureRecord({ sensor: 'temp', seq: 0, tsMs: T0 + 900 }),
          featureRecord({ sensor: 'temp', seq: 1, tsMs: T0 + 50 }),
        ]);
        await storage.insertFeatures(featureRecord({ seq: 2, tsMs: T0 + 1e6 }));
        const devices = (await storage.devices()).map((d) => ({ ...d, sensors: [...d.sensors].sort() })).sort((a, b) => a.device.localeCompare(b.device));
        expect(devices).toEqual([
          { device: 'pump-1', sensors: ['accel', 'temp'], readings: 5, lastTsMs: T0 + 900 },
          { device: 'pump-2', sensors: ['accel'], readings: 1, lastTsMs: T0 + 500 },
        ]);
      });
    });

    describe('ingest', () => {
      it('stores a whole batch and says which features and raw blocks were new; a key repeated in the batch counts once, its first copy kept', async () => {
        const first = featureRecord({ seq: 0, features: { rms: 0.1, peak: 0.2, crest: 2 } });
        const outcome = await storage.ingest(
          batchOf({
            features: [first, featureRecord({ seq: 1 }), featureRecord({ seq: 0, features: { rms: 9 } })],
            raw: [rawRecord({ seq: 4 }), rawRecord({ seq: 4, data: new Uint8Array([9]) }), rawRecord({ seq: 5 })],
            deadLetters: [deadLetter()],
            events: [alertRecord({ kind: 'anomaly', origin: 'edge' })],
          }),
        );
        expect(outcome).toEqual({ featuresNew: [true, true, false], rawNew: [true, false, true] });
        expect(await storage.counts()).toEqual({ features: 2, alerts: 1, deadLetters: 1, raw: 2 });
        expect(await storage.series({ device: 'pump-1', sensor: 'accel' })).toEqual([first, featureRecord({ seq: 1 })]);
        expect((await storage.rawBlocks({ device: 'pump-1', sensor: 'accel' })).map((b) => [...b.data])).toEqual([
          [1, 2, 3, 4],
          [1, 2, 3, 5],
        ]);
        expect(await storage.alerts()).toEqual([alertRecord({ kind: 'anomaly', origin: 'edge' })]);
      });

      it('refuses keys stored by an earlier batch or an earlier single insert', async () => {
        expect(await storage.insertFeatures(featureRecord({ seq: 0 }))).toBe(true);
        expect(await storage.insertRaw(rawRecord({ seq: 0 }))).toBe(true);
        expect(await storage.ingest(batchOf({ features: [featureRecord({ seq: 0 }), featureRecord({ seq: 1 })], raw: [rawRecord({ seq: 0 })] }))).toEqual({
          featuresNew: [false, true],
          rawNew: [false],
        });
        expect(await storage.ingest(batchOf({ features: [featureRecord({ seq: 1 }), featureRecord({ seq: 1, sensor: 'temp' })] }))).toEqual({
          featuresNew: [false, true],
          rawNew: [],
        });
        expect(await storage.insertFeatures(featureRecord({ seq: 1 }))).toBe(false);
      });

      it('reports duplicates by position in a batch of 2 500 windows, across the statements it is split into', async () => {
        const windows = Array.from({ length: 2500 }, (_, seq) => featureRecord({ seq }));
        // Copies of seq 10 and 1 500 far from their first copies, and one window stored before the batch.
        windows[1700] = featureRecord({ seq: 10, features: { rms: 7 } });
        windows[2400] = featureRecord({ seq: 1500 });
        await storage.insertFeatures(featureRecord({ seq: 2000 }));
        const { featuresNew } = await storage.ingest(batchOf({ features: windows }));
        const duplicates = featuresNew.flatMap((isNew, i) => (isNew ? [] : [i]));
        expect(duplicates).toEqual([1700, 2000, 2400]);
        expect((await storage.counts()).features).toBe(2498);
        expect((await storage.series({ device: 'pump-1', sensor: 'accel', fromMs: T0 + 400, toMs: T0 + 400 }))[0]?.features).toEqual(featureRecord({ seq: 10 }).features);
      });

      it('stores nothing of a batch that fails part-way, and the storage goes on working', async () => {
        const failing = batchOf({ features: [featureRecord({ seq: 0 })], raw: [rawRecord()], events: [alertRecord()], deadLetters: [deadLetter(), refusedLetter()] });
        await rejection(storage.ingest(failing));
        expect(await storage.counts()).toEqual({ features: 0, alerts: 0, deadLetters: 0, raw: 0 });
        expect(await storage.ingest(batchOf({ features: [featureRecord({ seq: 0 })] }))).toEqual({ featuresNew: [true], rawNew: [] });
      });

      it('returns empty outcomes for an empty batch and stores nothing', async () => {
        expect(await storage.ingest(batchOf({}))).toEqual({ featuresNew: [], rawNew: [] });
        expect(await storage.counts()).toEqual({ features: 0, alerts: 0, deadLetters: 0, raw: 0 });
      });

      it('commits the alert lifecycles and audit entries a batch carries with it', async () => {
        const raised = alertEntry();
        await storage.saveAlert(alertEntry({ state: 'acknowledged' }));
        await storage.ingest(batchOf({ features: [featureRecord()], alerts: [raised], audit: [auditEntry(), auditEntry({ tsMs: T0 + 1, outcome: 'ok' })] }));
        expect(await storage.alertEntry(raised.id)).toEqual(raised);
        expect((await storage.auditLog()).items.map((e) => e.outcome)).toEqual(['sent', 'ok']);
        await rejection(storage.ingest(batchOf({ audit: [auditEntry({ tsMs: T0 + 2 })], deadLetters: [refusedLetter()] })));
        expect((await storage.auditLog()).items).toHaveLength(2);
      });
    });

    describe('featuresExist and rawExist', () => {
      it('say per key, in order, whether that window or raw block is stored', async () => {
        await storage.ingest(batchOf({ features: [featureRecord({ seq: 1 }), featureRecord({ seq: 3, sensor: 'temp' })], raw: [rawRecord({ seq: 2 })] }));
        const keys = [
          { device: 'pump-1', sensor: 'accel', seq: 1 },
          { device: 'pump-1', sensor: 'accel', seq: 2 },
          { device: 'pump-1', sensor: 'temp', seq: 3 },
          { device: 'pump-2', sensor: 'accel', seq: 1 },
          { device: 'pump-1', sensor: 'accel', seq: 1 },
        ];
        expect(await storage.featuresExist(keys)).toEqual([true, false, true, false, true]);
        expect(await storage.rawExist(keys)).toEqual([false, true, false, false, false]);
        expect(await storage.featuresExist([])).toEqual([]);
      });

      it('answer for 2 500 keys at once', async () => {
        await storage.ingest(batchOf({ features: Array.from({ length: 1200 }, (_, i) => featureRecord({ seq: 2 * i })) }));
        const exist = await storage.featuresExist(Array.from({ length: 2500 }, (_, seq) => ({ device: 'pump-1', sensor: 'accel', seq })));
        expect(exist.filter(Boolean)).toHaveLength(1200);
        expect(exist.slice(2396, 2402)).toEqual([true, false, true, false, false, false]);
      });
    });

    describe('writes in one turn', () => {
      it('all resolve and are all stored when issued without awaiting each', async () => {
        const results = await Promise.all([
          ...Array.from({ length: 50 }, (_, seq) => storage.insertFeatures(featureRecord({ seq }))),
          storage.insertFeatures(featureRecord({ seq: 7 })),
          storage.insertDeadLetter(deadLetter()),
          storage.ingest(batchOf({ features: [featureRecord({ seq: 50 }), featureRecord({ seq: 8 })] })),
        ]);
        expect(results.slice(0, 51)).toEqual([...Array.from({ length: 50 }, () => true), false]);
        expect(results[52]).toEqual({ featuresNew: [true, false], rawNew: [] });
        expect(await storage.counts()).toEqual({ features: 51, alerts: 0, deadLetters: 1, raw: 0 });
      });

      it('a write that fails takes nothing else of its turn with it', async () => {
        const settled = await Promise.allSettled([
          storage.insertFeatures(featureRecord({ seq: 0 })),
          storage.insertDeadLetter(refusedLetter()),
          storage.ingest(batchOf({ features: [featureRecord({ seq: 1 })], deadLetters: [refusedLetter()] })),
          storage.insertFeatures(featureRecord({ seq: 2 })),
        ]);
        expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
        expect((await storage.series({ device: 'pump-1', sensor: 'accel' })).map((r) => r.seq)).toEqual([0, 2]);
        expect(await storage.counts()).toEqual({ features: 2, alerts: 0, deadLetters: 0, raw: 0 });
      });
    });

    describe.runIf(fixture.sameDatabase)('durability', () => {
      it('every write is visible to another connection as soon as its promise resolved', async () => {
        const other = await fixture.sameDatabase!(storage);
        try {
          await storage.ingest(batchOf({ features: [featureRecord({ seq: 0 })], raw: [rawRecord()], deadLetters: [deadLetter()], events: [alertRecord()] }));
          expect(await other.counts()).toEqual({ features: 1, alerts: 1, deadLetters: 1, raw: 1 });
          await storage.insertFeatures(featureRecord({ seq: 1 }));
          await storage.insertRaw(rawRecord({ seq: 1 }));
          await storage.insertAlert(alertRecord({ state: 'cleared' }));
          await storage.insertDeadLetter(deadLetter({ tsMs: T0 + 1 }));
          expect(await other.counts()).toEqual({ features: 2, alerts: 2, deadLetters: 2, raw: 2 });
          await storage.saveAlert(alertEntry());
          expect(await other.alertEntry(alertEntry().id)).toEqual(alertEntry());
          await storage.appendAudit(auditEntry());
          expect((await other.auditLog()).items).toEqual([auditEntry()]);
          await storage.upsertDevice(registryEntry());
          expect(await other.registry()).toEqual([registryEntry()]);
          await storage.saveShadow({ device: 'pump-1', reported: { rateHz: 50 }, desired: {}, reportedMs: T0, desiredMs: T0, version: 1 });
          expect((await other.loadShadow('pump-1'))?.reported).toEqual({ rateHz: 50 });
          await storage.putModel(modelRecord());
          expect((await other.listModels()).map((m) => m.version)).toEqual(['1.0.0']);
          await storage.saveState('rollout/r-1', { group: 2 });
          expect(await other.loadState('rollout/r-1')).toEqual({ group: 2 });
          await storage.compact({ nowMs: T0 + 3_600_000, rawRetentionMs: 0, minuteRetentionMs: 3_600_000 });
          expect(await other.counts()).toEqual({ features: 0, alerts: 2, deadLetters: 2, raw: 0 });
        } finally {
          await other.close();
        }
      });
    });

    describe('pages', () => {
      const seqKey = (r: { tsMs: number; seq: number }) => `${r.tsMs}/${r.seq}`;
      const inKeyOrder = <T extends { tsMs: number; seq: number }>(items: readonly T[]) => [...items].sort((a, b) => a.tsMs - b.tsMs || a.seq - b.seq);

      it('seriesPage returns every window once in (tsMs, seq) order while windows are stored between pages', async () => {
        // Three windows share each event time, so page boundaries fall inside ties.
        const original = Array.from({ length: 20 }, (_, seq) => featureRecord({ seq, tsMs: T0 + Math.floor(seq / 3) * 1000 }));
        await storage.ingest(batchOf({ features: shuffled(original) }));
        let seq = 100;
        const { items, pages } = await walk(
          (cursor) => storage.seriesPage({ device: 'pump-1', sensor: 'accel', limit: 4, cursor }),
          async () => {
            // One before everything (behind every cursor), one inside the ties, one after the end.
            await storage.insertFeatures(featureRecord({ seq: seq++, tsMs: T0 - 5000 }));
            await storage.insertFeatures(featureRecord({ seq: seq++, tsMs: T0 + 3000 }));
            await storage.insertFeatures(featureRecord({ seq: seq++, tsMs: T0 + 60_000 }));
          },
        );
        const keys = items.map(seqKey);
        expect(new Set(keys).size).toBe(keys.length);
        expect(items).toEqual(inKeyOrder(items));
        expect(items.filter((r) => r.seq < 100)).toEqual(original);
        expect(items.filter((r) => r.tsMs === T0 - 5000)).toEqual([]);
        expect(items.filter((r) => r.tsMs === T0 + 60_000)).toHaveLength(pages - 1);
        expect(pages).toBeGreaterThanOrEqual(6);
      });

      it('seriesPage keeps to one sensor and the inclusive time range, and ends without next', async () => {
        await storage.ingest(batchOf({ features: [...Array.from({ length: 10 }, (_, seq) => featureRecord({ seq, tsMs: T0 + seq * 1000 })), featureRecord({ sensor: 'temp', seq: 3 })] }));
        const { items, pages } = await walk((cursor) => storage.seriesPage({ device: 'pump-1', sensor: 'accel', fromMs: T0 + 2000, toMs: T0 + 6000, limit: 2, cursor }));
        expect(items.map((r) => r.seq)).toEqual([2, 3, 4, 5, 6]);
        expect(pages).toBe(3);
        const whole = await storage.seriesPage({ device: 'pump-1', sensor: 'accel', fromMs: T0 + 2000, toMs: T0 + 6000, limit: 5 });
        expect(whole.items).toHaveLength(5);
        expect(whole).not.toHaveProperty('next');
      });

      it('pages 100 items when no limit is given', async () => {
        await storage.ingest(batchOf({ features: Array.from({ length: 150 }, (_, seq) => featureRecord({ seq })) }));
        const first = await storage.seriesPage({ device: 'pump-1', sensor: 'accel' });
        expect(first.items.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, seq) => seq));
        const second = await storage.seriesPage({ device: 'pump-1', sensor: 'accel', cursor: first.next });
        expect(second.items.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
        expect(second.next).toBeUndefined();
      });

      it('rawPage returns every block once in (tsMs, seq) order while blocks are stored between pages', async () => {
        const original = Array.from({ length: 11 }, (_, seq) => rawRecord({ seq, tsMs: T0 + Math.floor(seq / 2) * 40 }));
        await storage.ingest(batchOf({ raw: shuffled(original), features: [featureRecord()] }));
        let seq = 100;
        const { items, pages } = await walk(
          (cursor) => storage.rawPage({ device: 'pump-1', sensor: 'accel', limit: 3, cursor }),
          async () => {
            await storage.insertRaw(rawRecord({ seq: seq++, tsMs: T0 - 1 }));
            await storage.insertRaw(rawRecord({ seq: seq++, tsMs: T0 + 10_000 }));
          },
        );
        expect(new Set(items.map(seqKey)).size).toBe(items.length);
        expect(items).toEqual(inKeyOrder(items));
        expect(items.filter((r) => r.seq < 100)).toEqual(original);
        expect(items.filter((r) => r.tsMs === T0 - 1)).toEqual([]);
        expect(items.filter((r) => r.tsMs === T0 + 10_000)).toHaveLength(pages - 1);
      });

      it('alertsPage returns every alert once, ties in arrival order, while alerts are stored between pages', async () => {
        const original = Array.from({ length: 9 }, (_, i) => alertRecord({ tsMs: T0 + Math.floor(i / 3) * 1000, message: `a${i}`, device: `pump-${i % 2}` }));
        for (const alert of original) await storage.insertAlert(alert);
        let n = 0;
        const { items, pages } = await walk(
          (cursor) => storage.alertsPage({ limit: 2, cursor }),
          async () => {
            await storage.insertAlert(alertRecord({ device: 'pump-9', tsMs: T0 - 1, message: `early${n}` }));
            await storage.insertAlert(alertRecord({ device: 'pump-9', tsMs: T0 + 1000, message: `tie${n}` }));
            await storage.insertAlert(alertRecord({ device: 'pump-9', tsMs: T0 + 9000, message: `late${n++}` }));
          },
        );
        const messages = items.map((a) => a.message);
        expect(new Set(messages).size).toBe(messages.length);
        expect(items.filter((a) => a.message.startsWith('a'))).toEqual(original);
        expect(messages.filter((m) => m.startsWith('early'))).toEqual([]);
        expect(messages.filter((m) => m.startsWith('late'))).toHaveLength(pages - 1);
        // Ties come in arrival order: a tie stored while paging comes after the original alerts of its time.
        const atOne = items.filter((a) => a.tsMs === T0 + 1000).map((a) => a.message);
        expect(atOne.slice(0, 3)).toEqual(['a3', 'a4', 'a5']);
        const pump1 = await walk((cursor) => storage.alertsPage({ device: 'pump-1', fromMs: T0, toMs: T0 + 2000, limit: 1, cursor }));
        expect(pump1.items.map((a) => a.message)).toEqual(['a1', 'a3', 'a5', 'a7']);
      });

      it('deadLettersPage returns each letter with its reason and payload, by stage, topic and time, while letters arrive', async () => {
        const letters = Array.from({ length: 7 }, (_, i) =>
          deadLetter({ tsMs: T0 + i, stage: i % 2 ? 'gateway' : 'cloud', topic: `twinbed/v1/site-1/pump-${i % 3}/features/accel`, reason: `bad payload ${i}`, payloadB64: Buffer.from([i, 255]).toString('base64') }),
        );
        await storage.ingest(batchOf({ deadLetters: shuffled(letters) }));
        let n = 0;
        const all = await walk(
          (cursor) => storage.deadLettersPage({ limit: 3, cursor }),
          async () => {
            await storage.insertDeadLetter(deadLetter({ tsMs: T0 - 10, reason: `early ${n}` }));
            await storage.insertDeadLetter(deadLetter({ tsMs: T0 + 100, reason: `late ${n++}` }));
          },
        );
        expect(all.items.filter((l) => l.reason.startsWith('bad'))).toEqual(letters);
        expect(all.items.filter((l) => l.reason.startsWith('early'))).toEqual([]);
        expect(all.items.filter((l) => l.reason.startsWith('late'))).toHaveLength(all.pages - 1);
        const gateway = await walk((cursor) => storage.deadLettersPage({ stage: 'gateway', limit: 1, cursor }));
        expect(gateway.items.map((l) => l.reason)).toEqual(['bad payload 1', 'bad payload 3', 'bad payload 5']);
        const topic = await storage.deadLettersPage({ topic: 'twinbed/v1/site-1/pump-2/features/accel', fromMs: T0 + 3, toMs: T0 + 5 });
        expect(topic.items).toEqual([letters[5]]);
      });

      it('refuses a cursor from another query, a cursor that is not one, and a limit out of 1–10 000', async () => {
        await storage.ingest(batchOf({ features: [featureRecord({ seq: 0 }), featureRecord({ seq: 1 })] }));
        const { next } = await storage.seriesPage({ device: 'pump-1', sensor: 'accel', limit: 1 });
        expect(next).toBeDefined();
        for (const attempt of [
          storage.alertsPage({ cursor: next }),
          storage.seriesPage({ device: 'pump-1', sensor: 'accel', cursor: 'not a cursor' }),
          storage.seriesPage({ device: 'pump-1', sensor: 'accel', limit: 0 }),
          storage.seriesPage({ device: 'pump-1', sensor: 'accel', limit: 10_001 }),
          storage.auditLog({ limit: 2.5 }),
        ]) {
          const error = await rejection(attempt);
          expect([error.code, error.message]).toEqual(['E_STORAGE_QUERY', expect.stringMatching(/cursor|limit/)]);
        }
        expect((await storage.seriesPage({ device: 'pump-1', sensor: 'accel', limit: 10_000 })).items).toHaveLength(2);
      });
    });

    describe('migrations', () => {
      it('brings a new database to the newest version', async () => {
        expect(LATEST_VERSION).toBe(MIGRATIONS.at(-1)!.version);
        expect(await storage.schemaVersion()).toBe(LATEST_VERSION);
        expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
      });

      it.runIf(fixture.sql && fixture.sameDatabase)('records each migration once, and applies none again when the database is opened again', async () => {
        const recorded = async () =>
          (await fixture.sql!(storage, 'SELECT version, name, applied_ms FROM schema_migrations ORDER BY version')).map((r) => ({
            version: Number(r.version),
            name: r.name,
            applied: Number.isFinite(Number(r.applied_ms)),
          }));
        const expected = MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied: true }));
        expect(await recorded()).toEqual(expected);
        await storage.insertFeatures(featureRecord());
        const again = await fixture.sameDatabase!(storage);
        try {
          expect(await again.schemaVersion()).toBe(LATEST_VERSION);
          expect(await again.series({ device: 'pump-1', sensor: 'accel' })).toEqual([featureRecord()]);
        } finally {
          await again.close();
        }
        expect(await recorded()).toEqual(expected);
      });

      it.runIf(fixture.sql && fixture.sameDatabase)('refuses a database migrated by a newer twinbed, naming both versions', async () => {
        await fixture.sql!(storage, `INSERT INTO schema_migrations (version, name, applied_ms) VALUES (${LATEST_VERSION + 5}, 'from the future', 0)`);
        const error = await rejection(fixture.sameDatabase!(storage));
        expect(error.code).toBe('E_STORAGE_SCHEMA');
        expect(error.message).toContain(`schema version ${LATEST_VERSION + 5}, this twinbed knows versions up to ${LATEST_VERSION}; upgrade twinbed`);
      });

      it.runIf(fixture.legacy)('recognises a database from before migrations as version 1 and migrates it forward, keeping its rows', async () => {
        const legacy = await fixture.legacy!([
          `INSERT INTO features (device, sensor, seq, ts_ms, window_ms, unit, rms, peak, crest, features_json, received_ms, blocks)
           VALUES ('pump-1', 'accel', 7, ${T0 + 280}, 40, 'g', 0.027, 0.03, 1.5, '{"rms":0.027,"peak":0.03,"crest":1.5}', ${T0 + 285}, NULL)`,
          `INSERT INTO features (device, sensor, seq, ts_ms, window_ms, unit, rms, peak, crest, features_json, received_ms, blocks)
           VALUES ('pump-1', 'accel', 8, ${T0 + 320}, 1000, 'g', 0, 0, 0, '{"kurtosis":3.25}', ${T0 + 325}, 25)`,
          `INSERT INTO alerts (device, sensor, rule, state, severity, ts_ms, value, threshold, message, kind, origin)
           VALUES ('pump-1', NULL, 'rms above 0.2', 'raised', 'critical', ${T0}, 0.25, 0.2, 'legacy alert', 'anomaly', 'edge')`,
          `INSERT INTO dead_letters (stage, topic, reason, ts_ms, payload_b64) VALUES ('gateway', 't/1', 'not CBOR', ${T0 + 1}, 'AAE=')`,
        ]);
        try {
          expect(await legacy.schemaVersion()).toBe(LATEST_VERSION);
          expect(await legacy.series({ device: 'pump-1', sensor: 'accel' })).toEqual([
            featureRecord({ seq: 7, features: { rms: 0.027, peak: 0.03, crest: 1.5 } }),
            featureRecord({ seq: 8, windowMs: 1000, blocks: 25, features: { kurtosis: 3.25 } }),
          ]);
          expect(await legacy.alerts()).toStrictEqual([
            { device: 'pump-1', rule: 'rms above 0.2', state: 'raised', severity: 'critical', tsMs: T0, value: 0.25, threshold: 0.2, message: 'legacy alert', kind: 'anomaly', origin: 'edge' },
          ]);
          expect((await legacy.deadLettersPage()).items).toEqual([deadLetter({ stage: 'gateway', topic: 't/1', reason: 'not CBOR', tsMs: T0 + 1 })]);
          expect(await legacy.insertFeatures(featureRecord({ seq: 7 }))).toBe(false);
          // What the later migrations added works on the migrated database.
          await legacy.saveAlert(alertEntry());
          expect(await legacy.openAlerts()).toEqual([alertEntry()]);
          expect((await legacy.compact({ nowMs: T0 + 3_600_000, rawRetentionMs: 0, minuteRetentionMs: 3_600_000 })).rolledUp).toBe(2);
          if (fixture.sql) {
            const versions = (await fixture.sql(legacy, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => Number(r.version));
            expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
          }
        } finally {
          await legacy.close();
        }
      });
    });

    describe('compact', () => {
      const MIN = 60_000;
      const HOUR = 3_600_000;
      const accel = (seq: number, atMs: number, features: Record<string, number>) => featureRecord({ seq, tsMs: T0 + atMs, features });
      // Hand-computed below. T0 is a whole hour, so buckets start at T0, T0 + 1 min, T0 + 1 h.
      const windows = [
        accel(0, 0, { rms: 1, peak: 4 }),
        accel(1, 20_000, { rms: 3, peak: 2 }),
        accel(2, 50_000, { rms: 2 }),
        accel(3, 70_000, { rms: 0.5, peak: 8 }),
        accel(4, HOUR + 10_000, { rms: 10 }),
        featureRecord({ sensor: 'temp', seq: 0, tsMs: T0 + 5000, unit: 'degC', features: { tempC: 40 } }),
      ];
      const recent = accel(5, 2 * HOUR - 1000, { rms: 0.25 });
      const now = { nowMs: T0 + 2 * HOUR, rawRetentionMs: 30 * MIN, minuteRetentionMs: 24 * HOUR };
      const rollups = async (resolution: '1m' | '1h', sensor = 'accel') => (await storage.rollups({ device: 'pump-1', sensor, resolution })).items;

      beforeEach(async () => {
        await storage.ingest(batchOf({ features: [...shuffled(windows), recent], raw: [rawRecord({ seq: 0 }), rawRecord({ seq: 1, tsMs: T0 + HOUR }), rawRecord({ seq: 9, tsMs: recent.tsMs })] }));
      });

      it('rolls windows past the raw retention into minute and hour buckets of count, min, max and mean, then deletes them and old raw blocks', async () => {
        expect(await storage.compact(now)).toEqual({ rolledUp: 6, deletedRaw: 2, deletedMinute: 0 });
        const bucket = (resolution: '1m' | '1h', bucketMs: number, count: number, features: Record<string, { min: number; max: number; mean: number }>) => ({
          device: 'pump-1',
          sensor: 'accel',
          resolution,
          bucketMs,
          count,
          features,
        });
        expect(await rollups('1m')).toEqual([
          bucket('1m', T0, 3, { rms: { min: 1, max: 3, mean: 2 }, peak: { min: 2, max: 4, mean: 3 } }),
          bucket('1m', T0 + MIN, 1, { rms: { min: 0.5, max: 0.5, mean: 0.5 }, peak: { min: 8, max: 8, mean: 8 } }),
          bucket('1m', T0 + HOUR, 1, { rms: { min: 10, max: 10, mean: 10 } }),
        ]);
        expect(await rollups('1h')).toEqual([
          bucket('1h', T0, 4, { rms: { min: 0.5, max: 3, mean: 6.5 / 4 }, peak: { min: 2, max: 8, mean: 14 / 3 } }),
          bucket('1h', T0 + HOUR, 1, { rms: { min: 10, max: 10, mean: 10 } }),
        ]);
        expect(await rollups('1m', 'temp')).toEqual([{ device: 'pump-1', sensor: 'temp', resolution: '1m', bucketMs: T0, count: 1, features: { tempC: { min: 40, max: 40, mean: 40 } } }]);
        expect(await storage.series({ device: 'pump-1', sensor: 'accel' })).toEqual([recent]);
        expect((await storage.rawBlocks({ device: 'pump-1', sensor: 'accel' })).map((b) => b.seq)).toEqual([9]);
        expect(await storage.counts()).toEqual({ features: 1, alerts: 0, deadLetters: 0, raw: 1 });
      });

      it('changes nothing more when run again', async () => {
        await storage.compact(now);
        const before = [await rollups('1m'), await rollups('1h'), await rollups('1m', 'temp')];
        expect(await storage.compact(now)).toEqual({ rolledUp: 0, deletedRaw: 0, deletedMinute: 0 });
        expect([await rollups('1m'), await rollups('1h'), await rollups('1m', 'temp')]).toEqual(before);
      });

      it('merges a late window into the bucket an earlier run made', async () => {
        await storage.compact(now);
        await storage.insertFeatures(accel(6, 30_000, { rms: 5, peak: 6 }));
        expect(await storage.compact(now)).toEqual({ rolledUp: 1, deletedRaw: 0, deletedMinute: 0 });
        const [minute] = await rollups('1m');
        expect(minute).toEqual({ device: 'pump-1', sensor: 'accel', resolution: '1m', bucketMs: T0, count: 4, features: { rms: { min: 1, max: 5, mean: 11 / 4 }, peak: { min: 2, max: 6, mean: 4 } } });
        expect((await rollups('1h'))[0]?.count).toBe(5);
      });

      it('deletes minute rollups past the minute retention and keeps hour rollups', async () => {
        expect(await storage.compact({ ...now, minuteRetentionMs: HOUR })).toEqual({ rolledUp: 6, deletedRaw: 2, deletedMinute: 3 });
        expect((await rollups('1m')).map((r) => r.bucketMs)).toEqual([T0 + HOUR]);
        expect(await rollups('1m', 'temp')).toEqual([]);
        expect((await rollups('1h')).map((r) => [r.bucketMs, r.count])).toEqual([
          [T0, 4],
          [T0 + HOUR, 1],
        ]);
        expect((await rollups('1h', 'temp')).map((r) => r.count)).toEqual([1]);
      });

      it('folds more windows than one transaction takes into the same buckets', async () => {
        await storage.ingest(batchOf({ features: Array.from({ length: 2500 }, (_, seq) => featureRecord({ device: 'fan-1', seq, tsMs: T0 + seq * 40, features: { rms: seq % 2 } })) }));
        expect((await storage.compact(now)).rolledUp).toBe(2506);
        const fan = await storage.rollups({ device: 'fan-1', sensor: 'accel', resolution: '1m' });
        expect(fan.items.map((r) => [r.bucketMs, r.count, r.features.rms])).toEqual([
          [T0, 1500, { min: 0, max: 1, mean: 0.5 }],
          [T0 + MIN, 1000, { min: 0, max: 1, mean: 0.5 }],
        ]);
        expect((await storage.rollups({ device: 'fan-1', sensor: 'accel', resolution: '1h' })).items.map((r) => r.count)).toEqual([2500]);
      });

      it('pages rollups by bucket within the inclusive range', async () => {
        await storage.compact(now);
        const { items, pages } = await walk((cursor) => storage.rollups({ device: 'pump-1', sensor: 'accel', resolution: '1m', fromMs: T0 + MIN, toMs: T0 + HOUR, limit: 1, cursor }));
        expect(items.map((r) => r.bucketMs)).toEqual([T0 + MIN, T0 + HOUR]);
        expect(pages).toBe(2);
      });

      it('refuses a negative retention or a time that is not finite', async () => {
        for (const bad of [{ ...now, rawRetentionMs: -1 }, { ...now, minuteRetentionMs: Number.NaN }, { ...now, nowMs: Infinity }]) {
          expect((await rejection(storage.compact(bad))).code).toBe('E_STORAGE_QUERY');
        }
        expect((await storage.counts()).features).toBe(7);
      });
    });

    describe('AlertStore', () => {
      it('round-trips an alert lifecycle exactly, with and without its optional fields', async () => {
        const shelved = alertEntry({
          raisedMs: T0 + 5,
          sensor: undefined,
          kind: 'absent',
          origin: 'edge',
          severity: 'critical',
          state: 'shelved',
          shelvedUntilMs: T0 + 3_600_000,
          history: [
            { state: 'raised', tsMs: T0 + 5, by: 'rule:rms-high' },
            { state: 'shelved', tsMs: T0 + 9, by: 'api:ana', note: 'pump in maintenance' },
          ],
        });
        const { sensor: _sensor, ...withoutSensor } = shelved;
        await storage.saveAlert(withoutSensor);
        await storage.saveAlert(alertEntry());
        expect(await storage.alertEntry(shelved.id)).toStrictEqual(withoutSensor);
        expect(await storage.alertEntry(alertEntry().id)).toStrictEqual(alertEntry());
        expect(await storage.alertEntry('no-such-alert')).toBeUndefined();
      });

      it('upserts by id: saving an alert again replaces it, never adds a second', async () => {
        await storage.saveAlert(alertEntry());
        const acknowledged = alertEntry({
          state: 'acknowledged',
          updatedMs: T0 + 60_000,
          history: [...alertEntry().history, { state: 'acknowledged', tsMs: T0 + 60_000, by: 'api:ana' }],
        });
        await storage.saveAlert(acknowledged);
        expect((await storage.alertEntries()).items).toEqual([acknowledged]);
      });

      it('openAlerts returns every alert not cleared, oldest raised first', async () => {
        const raised = [2, 0, 1, 3].map((i) => alertEntry({ raisedMs: T0 + i * 1000, device: `pump-${i}` }));
        for (const entry of raised) await storage.saveAlert(entry);
        await storage.saveAlert({ ...raised[1]!, state: 'cleared' });
        await storage.saveAlert({ ...raised[3]!, state: 'shelved', shelvedUntilMs: T0 + 99_000 });
        expect((await storage.openAlerts()).map((a) => [a.device, a.state])).toEqual([
          ['pump-1', 'raised'],
          ['pump-2', 'raised'],
          ['pump-3', 'shelved'],
        ]);
      });

      it('alertEntries pages newest raised first, filtered, with none lost or repeated while alerts are raised between pages', async () => {
        const entries = Array.from({ length: 9 }, (_, i) =>
          alertEntry({ raisedMs: T0 + Math.floor(i / 2) * 1000, device: `pump-${i}`, rule: i % 3 ? 'rms-high' : 'temp-high', state: i % 2 ? 'cleared' : 'raised' }),
        );
        for (const entry of shuffled(entries)) await storage.saveAlert(entry);
        let n = 0;
        const { items, pages } = await walk(
          (cursor) => storage.alertEntries({ limit: 2, cursor }),
          async () => {
            await storage.saveAlert(alertEntry({ raisedMs: T0 + 10_000, device: `newer-${n}` }));
            // Each older than the last: newest first, it always sorts after the cursor.
            await storage.saveAlert(alertEntry({ raisedMs: T0 - 10_000 - n, device: `older-${n++}` }));
          },
        );
        const devices = items.map((a) => a.device);
        expect(new Set(devices).size).toBe(devices.length);
        expect(items.filter((a) => a.device.startsWith('pump-'))).toEqual(
          [...entries].sort((a, b) => b.raisedMs - a.raisedMs || (a.id < b.id ? 1 : -1)),
        );
        expect(devices.filter((d) => d.startsWith('newer-'))).toEqual([]);
        expect(devices.filter((d) => d.startsWith('older-'))).toHaveLength(pages - 1);
        const filtered = await walk((cursor) => storage.alertEntries({ state: 'raised', rule: 'rms-high', fromMs: T0 + 1000, toMs: T0 + 3000, limit: 1, cursor }));
        expect(filtered.items.map((a) => a.device)).toEqual(['pump-4', 'pump-2']);
        expect((await storage.alertEntries({ device: 'pump-7' })).items).toEqual([entries[7]]);
      });
    });

    describe('AuditStore', () => {
      it('returns entries oldest first, ties in the order appended, optional fields only when given', async () => {
        const bare: AuditEntry = { tsMs: T0 + 5, actor: 'system', target: 'gw-2', action: 'restart', reason: 'watchdog', outcome: 'rate-limited' };
        const entries = [auditEntry({ tsMs: T0 + 5, commandId: 'c-2' }), auditEntry({ tsMs: T0 }), bare, auditEntry({ tsMs: T0 + 1, outcome: 'refused' })];
        for (const entry of entries) await storage.appendAudit(entry);
        const { items } = await storage.auditLog();
        expect(items).toStrictEqual([entries[1], entries[3], entries[0], bare]);
        expect(items[3]).not.toHaveProperty('args');
        expect(items[3]).not.toHaveProperty('commandId');
      });

      it('pages by target, actor and time, and keeps appending while a reader pages', async () => {
        for (let i = 0; i < 10; i++) await storage.appendAudit(auditEntry({ tsMs: T0 + i * 100, target: `gw-${i % 2}`, actor: i < 5 ? 'rule:rms-high' : 'api:ana', commandId: `c-${i}` }));
        let n = 0;
        const { items, pages } = await walk(
          (cursor) => storage.auditLog({ limit: 3, cursor }),
          async () => {
            await storage.appendAudit(auditEntry({ tsMs: T0 - 1, commandId: `early-${n}` }));
            await storage.appendAudit(auditEntry({ tsMs: T0 + 5000, commandId: `late-${n++}` }));
          },
        );
        const ids = items.map((e) => e.commandId!);
        expect(ids.filter((id) => id.startsWith('c-'))).toEqual(Array.from({ length: 10 }, (_, i) => `c-${i}`));
        expect(ids.filter((id) => id.startsWith('early'))).toEqual([]);
        expect(ids.filter((id) => id.startsWith('late'))).toEqual(Array.from({ length: pages - 1 }, (_, i) => `late-${i}`));
        const gw1 = await walk((cursor) => storage.auditLog({ target: 'gw-1', actor: 'api:ana', fromMs: T0, toMs: T0 + 900, limit: 1, cursor }));
        expect(gw1.items.map((e) => e.commandId)).toEqual(['c-5', 'c-7', 'c-9']);
      });
    });

    describe('RegistryStore', () => {
      it('upserts devices and gateways by kind and id, and lists them', async () => {
        const gateway = registryEntry({ id: 'gw-1', kind: 'gateway', sensors: [] });
        const { gateway: _gateway, ...withoutGateway } = registryEntry({ id: 'fan-1', online: false });
        await storage.upsertDevice(registryEntry());
        await storage.upsertDevice(gateway);
        await storage.upsertDevice(withoutGateway);
        const offline = registryEntry({ online: false, lastSeenMs: T0 + 9000, sensors: ['accel'] });
        await storage.upsertDevice(offline);
        // A device may share its id with a gateway: different kinds, different entries.
        const sameName = registryEntry({ id: 'gw-1', gateway: 'gw-0' });
        await storage.upsertDevice(sameName);
        const listed = await storage.registry();
        expect(listed).toHaveLength(4);
        expect(listed).toEqual(expect.arrayContaining([offline, gateway, withoutGateway, sameName]));
        expect(listed.find((e) => e.id === 'fan-1')).toStrictEqual(withoutGateway);
      });

      it('round-trips a shadow and replaces it on save', async () => {
        expect(await storage.loadShadow('pump-1')).toBeUndefined();
        const shadow: Shadow = {
          device: 'pump-1',
          reported: { rateHz: 50, model: { version: '1.0.0', active: true }, tags: ['a', 'b'], gain: 0.125, note: null },
          desired: { rateHz: 100 },
          reportedMs: T0,
          desiredMs: T0 + 10,
          version: 3,
        };
        await storage.saveShadow(shadow);
        expect(await storage.loadShadow('pump-1')).toStrictEqual(shadow);
        const next = { ...shadow, reported: { rateHz: 100 }, reportedMs: T0 + 20, version: 4 };
        await storage.saveShadow(next);
        expect(await storage.loadShadow('pump-1')).toStrictEqual(next);
        expect(await storage.loadShadow('pump-2')).toBeUndefined();
      });
    });

    describe('ModelStore', () => {
      it('keeps a model byte for byte, and lists versions oldest first without their bytes', async () => {
        const second = modelRecord({ version: '1.1.0', createdMs: T0 + 60_000, bytes: new Uint8Array(70_000).map((_, i) => i % 251) });
        await storage.putModel(second);
        await storage.putModel(modelRecord());
        expect(await storage.getModel('1.1.0')).toEqual(second);
        expect([...(await storage.getModel('1.1.0'))!.bytes]).toEqual([...second.bytes]);
        expect(await storage.getModel('9.9.9')).toBeUndefined();
        const { bytes: _bytes, ...info } = modelRecord();
        const listed = await storage.listModels();
        expect(listed.map((m) => m.version)).toEqual(['1.0.0', '1.1.0']);
        expect(listed[0]).toStrictEqual(info);
      });

      it('refuses a version registered already and keeps the first', async () => {
        await storage.putModel(modelRecord());
        const error = await rejection(storage.putModel(modelRecord({ sha256: 'cd'.repeat(32), bytes: new Uint8Array([1]) })));
        expect([error.code, error.message]).toEqual(['E_STORAGE_MODEL_EXISTS', expect.stringContaining('model 1.0.0 is registered already')]);
        expect((await storage.getModel('1.0.0'))?.sha256).toBe('ab'.repeat(32));
        expect(await storage.listModels()).toHaveLength(1);
      });
    });

    describe('StateStore', () => {
      it('round-trips JSON values by key, and undefined removes a key', async () => {
        expect(await storage.loadState('rollout/r-1')).toBeUndefined();
        const values: Record<string, unknown> = {
          'rollout/r-1': { group: 2, started: [T0, T0 + 1], paused: false, note: null },
          'drift/pump-1': [0.1, 0.25, 1e-9],
          'limits/gw-1': 'open',
          'counter': 42,
          'nothing': null,
        };
        for (const [key, value] of Object.entries(values)) await storage.saveState(key, value);
        for (const [key, value] of Object.entries(values)) expect(await storage.loadState(key)).toStrictEqual(value);
        await storage.saveState('rollout/r-1', { group: 3 });
        expect(await storage.loadState('rollout/r-1')).toStrictEqual({ group: 3 });
        await storage.saveState('counter', undefined);
        expect(await storage.loadState('counter')).toBeUndefined();
      });
    });

    describe('close', () => {
      it('refuses reads and writes after close with E_STORAGE_CLOSED, and a second close is harmless', async () => {
        const closing = await create();
        await closing.insertFeatures(featureRecord());
        await closing.close();
        await closing.close();
        expect((await rejection(closing.insertFeatures(featureRecord({ seq: 1 })))).code).toBe('E_STORAGE_CLOSED');
        expect((await rejection(closing.ingest(batchOf({ features: [featureRecord({ seq: 1 })] })))).code).toBe('E_STORAGE_CLOSED');
        expect((await rejection(closing.counts())).code).toBe('E_STORAGE_CLOSED');
      });
    });
  });
}
