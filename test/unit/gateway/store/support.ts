import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import { DurableStore, PRIORITY, type DurableStoreOptions, type InboxInput, type OutboxInput, type Priority } from '../../../../gateway/store/index';
import { VirtualClock } from '../../../../sim/index';

export const T0 = Date.UTC(2025, 0, 1);

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh store file in its own temp folder (removed after the test), with a virtual clock at T0. */
export function tempStore(options: Partial<Omit<DurableStoreOptions, 'path'>> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'twinbed-store-'));
  dirs.push(dir);
  const file = path.join(dir, 'gateway.db');
  const clock = new VirtualClock(T0);
  const open = (more: Partial<Omit<DurableStoreOptions, 'path'>> = {}) => DurableStore.open({ path: file, clock, ...options, ...more });
  return { file, clock, store: open(), open };
}

/** `n` bytes whose content encodes `tag`, so a test can tell payloads apart. */
export function bytes(n: number, tag = 0): Buffer {
  return Buffer.alloc(n, tag & 0xff);
}

export function reading(seq: number, payloadBytes = 16, device = 'pump-1', sensor = 'accel'): InboxInput {
  return { device, sensor, seq, topic: `twinbed/site-1/${device}/${sensor}/telemetry`, payload: bytes(payloadBytes, seq), qos: 1 };
}

const KIND: Record<Priority, string> = { [PRIORITY.events]: 'events', [PRIORITY.features]: 'features', [PRIORITY.raw]: 'raw' };

/** An outbox message of `priority` for block `seq`, `payloadBytes` long, keyed for dedupe. */
export function message(priority: Priority, seq: number, payloadBytes = 100, device = 'pump-1'): OutboxInput {
  return {
    priority,
    topic: `twinbed/site-1/${device}/accel/${KIND[priority]}`,
    payload: bytes(payloadBytes, seq),
    qos: 1,
    key: { device, sensor: 'accel', seq },
  };
}

/** Every outbox row as `kind:seq`, in sending order (priority, then id). */
export function queued(store: DurableStore): string[] {
  return ([0, 1, 2] as const).flatMap((p) => store.outboxPage(p, 0, 1_000_000).map((r) => `${KIND[r.priority]}:${r.key?.seq ?? '-'}`));
}

/** Makes every outbox insert on `topic` fail inside SQLite, from a second connection, as a disk error would. */
export function failInsertsOn(file: string, topic: string): () => void {
  const db = new Database(file);
  db.exec(`CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox WHEN NEW.topic = '${topic}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
  return () => {
    db.exec('DROP TRIGGER fail_outbox');
    db.close();
  };
}
