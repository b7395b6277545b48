import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { Cloud, SqliteStorage } from '../../cloud';
import { Gateway, GatewayConfigSchema } from '../../gateway';
import { loadScenario, runSetting, ScenarioSchema, startScenarioFleet, StackControl, type RunSetting, type Scenario } from '../../scenarios';
import { ScaledRealClock, startBroker, type EmbeddedBroker } from '../../sim';
import type { TwinFleet } from '../../twins';
import { StoredWindows } from './stored-windows';

/** The factory the soak's twins come from, and the ones it runs: vibration on two pumps, a belt, an arm, the air. */
export const FACTORY = 'scenarios/library/factory-20.yaml';
export const SOAK_TWINS = ['pump-1', 'pump-2', 'conveyor-1', 'robot-1', 'hall-north'] as const;
/** The one simulated link: periodic partitions cut it. */
export const UPLINK = 'edge->cloud';
const DAY_MS = 86_400_000;
/**
 * The pumps' accelerometers at a quarter of their 25.6 kHz, in one block a second. At ×60 the full rate is 3 million
 * samples a wall second for two pumps, a whole core of this 2-core machine; and 25 blocks a second is 1500 timer ticks
 * a wall second per pump, more than a timer can fire (about 170 a second here), so the twins fell minutes behind the
 * clock. A quarter keeps the default vibration pipeline (its 5–10 kHz band reads 0 above Nyquist) and imbalance at 1×.
 */
const PUMP_ACCEL = { rateHz: 6400, blockSamples: 6400 };
/**
 * The conveyor's and the arm's IMUs without their gyroscopes: three channels fewer each, 360 fewer messages a wall
 * second at ×60. Every message crosses both brokers and both stores, and the whole mix then needs about half a core
 * (the `cpu` column of the curve) instead of nearly all of one, which leaves the soak headroom on a shared machine.
 */
const NO_GYROS = { 'imu-gx': { enabled: false }, 'imu-gy': { enabled: false }, 'imu-gz': { enabled: false } };

export interface SoakStackOptions {
  /** Folder for the two SQLite stores (gateway inbox and outbox, cloud). */
  dir: string;
  /** Simulated ms per wall ms. */
  timeScale: number;
  /** Simulated length of the run, ms: the twins stop here. */
  durationMs: number;
  /** Feature windows and raw blocks older than this are rolled up and deleted, simulated ms. */
  rawRetentionMs: number;
  /** Minute rollups older than this are deleted, simulated ms (hour rollups stay). */
  minuteRetentionMs: number;
  /** Compaction runs this often, simulated s. */
  compactEveryS: number;
  seed: number;
}

/**
 * The embedded stack as `startStack` builds it (scenarios/stack.ts), with what a long run needs and the embedded one
 * keeps in memory on disk instead: the gateway's inbox and outbox in a SQLite file, the cloud's store in another with
 * retention on, and the uplink simulated from the start so it can be partitioned at run time.
 */
export class SoakStack {
  readonly scenario: Scenario;
  readonly clock: ScaledRealClock;
  readonly startMs: number;
  readonly endMs: number;
  readonly cloud: Cloud;
  readonly storage: SqliteStorage;
  readonly gateway: Gateway;
  readonly fleet: TwinFleet;
  readonly control: StackControl;
  readonly stored: StoredWindows;
  readonly cloudDb: string;
  readonly gatewayDb: string;
  readonly #setting: RunSetting;
  readonly #cloudBroker: EmbeddedBroker;

  private constructor(parts: Omit<SoakStack, 'stop'> & { setting: RunSetting; cloudBroker: EmbeddedBroker }) {
    this.scenario = parts.scenario;
    this.clock = parts.clock;
    this.startMs = parts.startMs;
    this.endMs = parts.endMs;
    this.cloud = parts.cloud;
    this.storage = parts.storage;
    this.gateway = parts.gateway;
    this.fleet = parts.fleet;
    this.control = parts.control;
    this.stored = parts.stored;
    this.cloudDb = parts.cloudDb;
    this.gatewayDb = parts.gatewayDb;
    this.#setting = parts.setting;
    this.#cloudBroker = parts.cloudBroker;
  }

  static async start(options: SoakStackOptions): Promise<SoakStack> {
    const scenario = await soakScenario(options.durationMs / 1000, options.timeScale, options.seed);
    const startMs = Date.parse(scenario.startTime);
    const endMs = startMs + options.durationMs;
    const clock = new ScaledRealClock({ factor: options.timeScale, startMs });
    // Warnings and errors only: a soak that logs every reconnect measures the logger.
    const logger = pino({ level: 'warn' });
    const cloudDb = join(options.dir, 'cloud.db');
    const gatewayDb = join(options.dir, 'gateway.db');
    const setting = runSetting(scenario, options.seed, clock, startMs, { links: [UPLINK] });
    const cleanups: (() => Promise<void>)[] = [async () => setting.stop()];
    try {
      const cloudBroker = await startBroker({ id: `${scenario.site}-cloud` });
      cleanups.push(() => cloudBroker.close());
      const storage = new SqliteStorage(cloudDb);
      cleanups.push(() => storage.close());
      const stored = new StoredWindows();
      const cloud = await Cloud.start({
        brokerUrl: cloudBroker.url,
        storage,
        rules: scenario.rules,
        clock,
        // The cloud config's retention (cloud/config.ts) takes fractions of a day too; the soak passes it directly.
        retention: { rawDays: options.rawRetentionMs / DAY_MS, minuteDays: options.minuteRetentionMs / DAY_MS, everyS: options.compactEveryS },
        logger: logger.child({ layer: 'cloud' }),
      });
      cleanups.push(() => cloud.stop());
      cloud.on('features', (record) => stored.add(record));
      const config = GatewayConfigSchema.parse({
        site: scenario.site,
        upstream: { url: cloudBroker.url },
        ...scenario.gateway,
        devices: { listen: { port: 0 } },
        store: { path: gatewayDb },
      });
      const gateway = await Gateway.start({ config, clock, uplink: setting.links.get(UPLINK)!.channel, logger: logger.child({ layer: 'gateway' }) });
      cleanups.push(() => gateway.stop());
      const fleet = await startScenarioFleet(scenario, setting, { brokerUrl: gateway.deviceUrl, startMs, endMs, logger });
      const control = new StackControl({ scenario, fleet, clock, startMs, links: setting.links, linkTimeline: setting.linkTimeline });
      return new SoakStack({ scenario, clock, startMs, endMs, cloud, storage, gateway, fleet, control, stored, cloudDb, gatewayDb, setting, cloudBroker });
    } catch (error) {
      for (const cleanup of cleanups.reverse()) await cleanup();
      throw error;
    }
  }

  /** Bytes on disk of a SQLite store: the database file and its write-ahead log. */
  static async storeBytes(path: string): Promise<number> {
    const size = async (file: string) => (await stat(file).catch(() => undefined))?.size ?? 0;
    return (await size(path)) + (await size(`${path}-wal`));
  }

  /**
   * Bytes of a SQLite store's pages in use (pages less the free list): the data itself, whatever the file's
   * high-water mark and the WAL hold. Read through a connection of its own, opened and closed at once.
   */
  static liveBytes(path: string): number {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const pragma = (name: string) => db.pragma(name, { simple: true }) as number;
      return (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
    } finally {
      db.close();
    }
  }

  async stop(): Promise<void> {
    await this.fleet.stop();
    this.#setting.stop();
    await this.gateway.stop();
    await this.cloud.stop();
    await this.storage.close();
    await this.#cloudBroker.close();
  }
}

/**
 * The soak's scenario: SOAK_TWINS as factory-20 declares them, none of its timed faults (the soak injects its own,
 * over and over), its cloud rule, and the same rule at the edge so that faults raise edge events and raw blocks
 * around them go up too.
 */
export async function soakScenario(durationS: number, timeScale: number, seed: number): Promise<Scenario> {
  const factory = await loadScenario(FACTORY);
  const twins = factory.twins
    .filter((t) => (SOAK_TWINS as readonly string[]).includes(t.id))
    .map((t) => (t.template === 'pump' ? { ...t, sensors: { ...t.sensors, accel: { ...t.sensors.accel, ...PUMP_ACCEL } } } : t))
    .map((t) => (t.template === 'conveyor' || t.template === 'robot-arm' ? { ...t, sensors: { ...t.sensors, ...NO_GYROS } } : t));
  const missing = SOAK_TWINS.filter((id) => !twins.some((t) => t.id === id));
  if (missing.length > 0) throw new Error(`${FACTORY} no longer has ${missing.join(', ')}: pick other twins for the soak in test/soak/soak-stack.ts`);
  return ScenarioSchema.parse({
    name: 'soak',
    seed,
    site: factory.site,
    startTime: factory.startTime,
    durationS,
    timeScale,
    twins,
    rules: factory.rules,
    gateway: { rules: [{ name: 'accel-rms-high', metric: 'rms', sensor: 'accel', above: 0.2 }] },
  });
}
