// The Storage contract (STYLE.md §3): every implementation of cloud/storage.ts runs this suite.
//   storageContract('SqliteStorage in memory', async () => new SqliteStorage(':memory:'));
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertQuery, AlertRecord, DeadLetterRecord, FeatureRecord, Storage } from '../../../cloud/index';

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

/**
 * Registers `describe(name)` with the whole Storage contract. `create` must return a new, empty storage on each
 * call; the suite closes every storage it creates.
 */
export function storageContract(name: string, create: () => Promise<Storage>): void {

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
  });
}
