import pino from 'pino';
import { AlertBook } from '../../../../cloud/analytics';
import type { CloudApiModel, ModelApi } from '../../../../cloud/api';
import { CommandSender, type CommandOrder } from '../../../../cloud/command-sender';
import { exportParquet, SqliteStorage, type AlertRecord, type FeatureRecord } from '../../../../cloud/index';
import { DeviceRegistry } from '../../../../cloud/registry';
import { VirtualClock } from '../../../../sim';
import { MemoryRegistryStore } from '../registry/memory-registry-store';

/** 2026-01-01T00:00:00Z, ms since the Unix epoch. */
export const T0 = Date.UTC(2026, 0, 1);

/** The fake cloud's clock reads this unless told otherwise. */
export const NOW = T0 + 60_000;

/** pump-1/accel and pump-1/winding-temp, windows 0–4 each 40 ms apart, as storage returns them. */
export const RECORDS: FeatureRecord[] = [0, 1, 2, 3, 4].flatMap((seq) => [
  { device: 'pump-1', sensor: 'accel', seq, tsMs: T0 + seq * 40, windowMs: 40, unit: 'g', features: { rms: 0.1 * seq, peak: 0.3, crest: 3 }, receivedMs: T0 + seq * 40 + 5 },
  { device: 'pump-1', sensor: 'winding-temp', seq, blocks: 2, tsMs: T0 + seq * 40, windowMs: 80, unit: 'degC', features: { rms: 60 + seq, peak: 61, crest: 1 }, receivedMs: T0 + seq * 40 + 5 },
]);

export const ALERT: AlertRecord = {
  device: 'pump-1',
  sensor: 'accel',
  rule: 'rms above 0.25',
  state: 'raised',
  severity: 'warning',
  tsMs: T0 + 120,
  value: 0.3,
  threshold: 0.25,
  message: 'pump-1/accel rms 0.3 g exceeds 0.25',
};

export interface FakeCloud extends CloudApiModel {
  /** A real SQLite store in memory: the API's queries run against the engine the cloud runs on. */
  readonly storage: SqliteStorage;
  readonly registry: DeviceRegistry;
  /** The real alert lifecycle over `storage`, on the fake's clock. */
  readonly book: AlertBook;
  readonly clock: VirtualClock;
  /** Every command order the API sent, as it made it; each also went through a real CommandSender into the audit log. */
  readonly orders: CommandOrder[];
  /** Every file the API asked the Parquet export to write. */
  readonly exports: string[];
  close(): Promise<void>;
}

export interface FakeCloudOptions {
  registry?: DeviceRegistry;
  /** The model loop; absent, the cloud has no signing key. */
  models?: (parts: { storage: SqliteStorage; clock: VirtualClock }) => ModelApi;
  nowMs?: number;
}

/** The cloud as the REST API sees it, from real parts (storage, alert book, command sender) and no broker. */
export function fakeCloud(options: FakeCloudOptions = {}): FakeCloud {
  const storage = new SqliteStorage(':memory:');
  const clock = new VirtualClock(options.nowMs ?? NOW);
  const registry = options.registry ?? new DeviceRegistry({ store: new MemoryRegistryStore() });
  const book = new AlertBook(storage);
  const sender = new CommandSender({ audit: storage, clock, logger: pino({ level: 'silent' }), idPrefix: 'fake-cloud' });
  const orders: CommandOrder[] = [];
  const exports: string[] = [];
  const models = options.models?.({ storage, clock });
  return {
    storage,
    registry,
    book,
    clock,
    orders,
    exports,
    stats: () => ({ received: 10, controlReceived: 0, stored: 10, duplicatesDropped: 0, deadLettered: 0, alertsRaised: 1, rawStored: 0, edgeEvents: 0, commits: 3, commitRetries: 0, commandsSent: 0, commandsLimited: 0 }),
    acknowledge: async (id, by, note) => (await book.acknowledge(id, by, clock.now(), note)).entry,
    shelve: async (id, by, untilMs, note) => (await book.shelve(id, by, untilMs, clock.now(), note)).entry,
    unshelve: async (id, by) => (await book.unshelve(id, by, clock.now())).entry,
    commands: {
      send: (order) => {
        orders.push(order);
        return sender.send(order);
      },
    },
    exportParquet: (query, file) => {
      exports.push(file);
      return exportParquet(storage, query, file);
    },
    models,
    now: () => clock.now(),
    close: () => storage.close(),
  };
}

/** A fake cloud whose storage holds RECORDS and ALERT. */
export async function seededFakeCloud(options: FakeCloudOptions = {}): Promise<FakeCloud> {
  const cloud = fakeCloud(options);
  await cloud.storage.ingest({ features: RECORDS, raw: [], deadLetters: [], events: [ALERT] });
  return cloud;
}
