import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS, openStorage, SqliteStorage, type Storage } from '../../../cloud/index';
import { alertRecord, batchOf, deadLetter, featureRecord, rawRecord, storageContract, T0, type StorageFixture } from './storage-contract';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbed-sqlite-'));
let databases = 0;
const freshFile = () => path.join(dir, `store-${++databases}.db`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The schema and inserts of SqliteStorage before migrations existed, verbatim: the files it left behind look so.
const OLD_SCHEMA = `
CREATE TABLE IF NOT EXISTS features (
  device TEXT NOT NULL,
  sensor TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_ms REAL NOT NULL,
  window_ms REAL NOT NULL,
  unit TEXT NOT NULL,
  rms REAL NOT NULL,
  peak REAL NOT NULL,
  crest REAL NOT NULL,
  features_json TEXT NOT NULL,
  received_ms REAL NOT NULL,
  blocks INTEGER,
  PRIMARY KEY (device, sensor, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS features_by_time ON features (device, sensor, ts_ms);
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY,
  device TEXT NOT NULL,
  sensor TEXT,
  rule TEXT NOT NULL,
  state TEXT NOT NULL,
  severity TEXT NOT NULL,
  ts_ms REAL NOT NULL,
  value REAL NOT NULL,
  threshold REAL NOT NULL,
  message TEXT NOT NULL,
  kind TEXT,
  origin TEXT
);
CREATE INDEX IF NOT EXISTS alerts_by_time ON alerts (ts_ms);
CREATE TABLE IF NOT EXISTS raw_blocks (
  device TEXT NOT NULL,
  sensor TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_ms REAL NOT NULL,
  rate_hz REAL NOT NULL,
  unit TEXT NOT NULL,
  samples INTEGER NOT NULL,
  encoding TEXT NOT NULL,
  data BLOB NOT NULL,
  received_ms REAL NOT NULL,
  PRIMARY KEY (device, sensor, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  topic TEXT NOT NULL,
  reason TEXT NOT NULL,
  ts_ms REAL NOT NULL,
  payload_b64 TEXT NOT NULL
);
`;
const OLD_INSERT_FEATURE = `INSERT OR IGNORE INTO features (device, sensor, seq, ts_ms, window_ms, unit, rms, peak, crest, features_json, received_ms, blocks)
       VALUES (@device, @sensor, @seq, @tsMs, @windowMs, @unit, @rms, @peak, @crest, @featuresJson, @receivedMs, @blocks)`;
const OLD_INSERT_ALERT = `INSERT INTO alerts (device, sensor, rule, state, severity, ts_ms, value, threshold, message, kind, origin)
       VALUES (@device, @sensor, @rule, @state, @severity, @tsMs, @value, @threshold, @message, @kind, @origin)`;
const OLD_INSERT_RAW = `INSERT OR IGNORE INTO raw_blocks (device, sensor, seq, ts_ms, rate_hz, unit, samples, encoding, data, received_ms)
       VALUES (@device, @sensor, @seq, @tsMs, @rateHz, @unit, @samples, @encoding, @data, @receivedMs)`;
const OLD_INSERT_DEAD_LETTER = `INSERT INTO dead_letters (stage, topic, reason, ts_ms, payload_b64) VALUES (@stage, @topic, @reason, @tsMs, @payloadB64)`;

/** A file as the SqliteStorage before migrations left it: WAL, the old tables, rows from `fill`. */
function oldFile(fill: (db: Database.Database) => void = () => undefined): string {
  const file = freshFile();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(OLD_SCHEMA);
  fill(db);
  db.close();
  return file;
}

const files = new WeakMap<Storage, string>();
const openFile = (file: string) => {
  const storage = new SqliteStorage(file);
  files.set(storage, file);
  return storage;
};

const onFile: StorageFixture = {
  create: async () => openFile(freshFile()),
  sameDatabase: async (storage) => openFile(files.get(storage)!),
  legacy: async (seed) => openFile(oldFile((db) => seed.forEach((statement) => db.exec(statement)))),
  sql: async (storage, statement) => {
    const db = new Database(files.get(storage)!);
    try {
      const prepared = db.prepare(statement);
      if (prepared.reader) return prepared.all() as Record<string, unknown>[];
      prepared.run();
      return [];
    } finally {
      db.close();
    }
  },
};

storageContract('SqliteStorage in memory', async () => new SqliteStorage(':memory:'));
storageContract('SqliteStorage on a file', onFile);

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

  it('has migration 1 equal, byte for byte, to the schema SqliteStorage created before migrations', () => {
    expect(MIGRATIONS[0]!.sql.sqlite).toBe(OLD_SCHEMA);
  });

  it('opens a file the SqliteStorage before migrations wrote as version 1, migrates it, and returns every old row as it was stored', async () => {
    const windows = [featureRecord({ seq: 0 }), featureRecord({ seq: 25, blocks: 25, features: { rms: 0.5, kurtosis: 3 } })];
    const raw = rawRecord({ seq: 3, encoding: 'delta-f32-gzip', data: new Uint8Array([0x1f, 0x8b, 0, 255]) });
    const alerts = [alertRecord(), alertRecord({ tsMs: T0 + 5, kind: 'anomaly', origin: 'edge', sensor: undefined, message: 'edge anomaly' })];
    const file = oldFile((db) => {
      for (const r of windows) {
        db.prepare(OLD_INSERT_FEATURE).run({
          ...r,
          rms: r.features.rms ?? 0,
          peak: r.features.peak ?? 0,
          crest: r.features.crest ?? 0,
          featuresJson: JSON.stringify(r.features),
          blocks: r.blocks ?? null,
        });
      }
      db.prepare(OLD_INSERT_RAW).run({ ...raw, data: Buffer.from(raw.data) });
      for (const a of alerts) db.prepare(OLD_INSERT_ALERT).run({ ...a, sensor: a.sensor ?? null, kind: a.kind ?? null, origin: a.origin ?? null });
      db.prepare(OLD_INSERT_DEAD_LETTER).run(deadLetter());
    });

    const storage = new SqliteStorage(file, { wallMs: () => T0 + 42 });
    try {
      expect(await storage.schemaVersion()).toBe(LATEST_VERSION);
      expect(await storage.series({ device: 'pump-1', sensor: 'accel' })).toEqual(windows);
      expect(await storage.rawBlocks({ device: 'pump-1', sensor: 'accel' })).toEqual([raw]);
      const { sensor: _sensor, ...deviceWide } = alerts[1]!;
      expect(await storage.alerts()).toStrictEqual([alerts[0], deviceWide]);
      expect((await storage.deadLettersPage()).items).toEqual([deadLetter()]);
      expect(await storage.ingest(batchOf({ features: [featureRecord({ seq: 0 }), featureRecord({ seq: 50 })] }))).toEqual({ featuresNew: [false, true], rawNew: [] });
    } finally {
      await storage.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT version, name, applied_ms FROM schema_migrations ORDER BY version').all()).toEqual(
        MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_ms: T0 + 42 })),
      );
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('refuses a file that is not a SQLite database with E_STORAGE_OPEN', () => {
    const notSqlite = path.join(dir, 'notes.txt');
    writeFileSync(notSqlite, 'these are notes, not a database\n'.repeat(200));
    expect(() => new SqliteStorage(notSqlite)).toThrow(expect.objectContaining({ code: 'E_STORAGE_OPEN', message: expect.stringContaining(notSqlite) }));
  });
});

describe('openStorage', () => {
  it('opens SQLite for a plain path, sqlite:PATH, :memory: and sqlite::memory:', async () => {
    const plain = freshFile();
    const prefixed = freshFile();
    for (const [url, file] of [[plain, plain], [`sqlite:${prefixed}`, prefixed], [':memory:', undefined], ['sqlite::memory:', undefined]] as const) {
      const storage = await openStorage(url);
      try {
        expect(storage).toBeInstanceOf(SqliteStorage);
        expect(await storage.insertFeatures(featureRecord())).toBe(true);
      } finally {
        await storage.close();
      }
      if (file !== undefined) {
        const db = new Database(file, { readonly: true });
        expect(db.prepare('SELECT count(*) AS n FROM features').get()).toEqual({ n: 1 });
        db.close();
      }
    }
  });

  it('refuses any other scheme, or nothing, naming the accepted forms and hiding the password', async () => {
    for (const url of ['mysql://app:s3cret@db/twin', 'http://cloud/store', '', 'sqlite:']) {
      const error = await openStorage(url).then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
      expect(error?.code).toBe('E_STORAGE_URL');
      expect(error?.message).toContain('use postgres://… or postgresql://… for PostgreSQL; sqlite:PATH, a file path, or :memory: for SQLite');
      expect(error?.message).not.toContain('s3cret');
    }
  });
});
