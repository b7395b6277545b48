import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../../cloud/index';
import { alertRecord, deadLetter, featureRecord, storageContract, T0 } from './storage-contract';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbed-sqlite-'));
let databases = 0;
const freshFile = () => path.join(dir, `store-${++databases}.db`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

storageContract('SqliteStorage in memory', async () => new SqliteStorage(':memory:'));
storageContract('SqliteStorage on a file', async () => new SqliteStorage(freshFile()));

describe('SqliteStorage on a file', () => {
  it('keeps features, alerts and dead letters across close and reopen, and still refuses a stored duplicate', async () => {
    const file = freshFile();
    const records = [0, 1, 2].map((seq) => featureRecord({ seq, features: { rms: seq, peak: 2 * seq, crest: 2, kurtosis: 3 } }));
    const alert = alertRecord({ tsMs: T0 + 80 });
    const first = new SqliteStorage(file);
    for (const record of records) await first.insertFeatures(record);
    await first.insertAlert(alert);
    await first.insertDeadLetter(deadLetter());
    await first.close();

    const reopened = new SqliteStorage(file);
    try {
      expect(await reopened.counts()).toEqual({ features: 3, alerts: 1, deadLetters: 1, raw: 0 });
      expect(await reopened.series({ device: 'pump-1', sensor: 'accel' })).toEqual(records);
      expect(await reopened.alerts()).toEqual([expect.objectContaining(alert)]);
      expect(await reopened.sequences()).toEqual([{ device: 'pump-1', sensor: 'accel', count: 3, minSeq: 0, maxSeq: 2 }]);
      expect(await reopened.insertFeatures(featureRecord({ seq: 1, features: { rms: 99 } }))).toBe(false);
      expect(await reopened.insertFeatures(featureRecord({ seq: 3 }))).toBe(true);
    } finally {
      await reopened.close();
    }
  });

  it('starts empty on a new file, so two files never share data', async () => {
    const a = new SqliteStorage(freshFile());
    const b = new SqliteStorage(freshFile());
    try {
      await a.insertFeatures(featureRecord());
      expect(await b.counts()).toEqual({ features: 0, alerts: 0, deadLetters: 0, raw: 0 });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
