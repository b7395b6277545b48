import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { Cloud, SqliteStorage, type StorageCounts } from '../../cloud';
import { connectMqtt, monotonicWallMs, startBroker, VirtualClock } from '../../sim';
import type { Scenario } from '../schema';
import { recordedScenario, replayRecording, selectChannels } from './judge';
import { toMs } from './layout';
import { RecordingError, recordedMessage, wirePayload } from './payload';
import { Recording, type RecordedChannel } from './recording-reader';

/**
 * Event-time ms between the cloud's rule timers (Cloud ticks once a second of its clock). Feeding settles before the
 * clock crosses each tick, so a tick sees exactly the windows recorded before it, as in the run.
 */
const CLOUD_TICK_MS = 1000;

export interface RecordingStoreOptions {
  /** The scenario whose rules the cloud applies (and whose gateway makes windows of readings). Default: the recorded one. */
  scenario?: { scenario: Scenario; source?: string; file?: string };
  /** Folder for the store's temporary folder. Default: os.tmpdir(). */
  tmpDir?: string;
  logger?: Logger;
}

/** A cloud store built from a recording, in a temporary folder of its own. */
export interface RecordingStore {
  /** The SQLite store, to open as `twinbed run --store` leaves one. */
  file: string;
  /** The scenario given, else the one the recording carries, else none (a live system's or an imported log's). */
  scenario: Scenario | undefined;
  /**
   * - `features`: the recorded feature windows and edge events went into a cloud;
   * - `readings`: the recording held readings only, replayed through the embedded gateway and cloud.
   */
  from: 'features' | 'readings';
  /** Messages fed to the cloud (`features`) or readings replayed to the gateway (`readings`). */
  published: number;
  /** What the store holds. */
  counts: StorageCounts;
  /** Wall ms it took to build. */
  wallMs: number;
  /** Deletes the store and its folder. */
  remove(): Promise<void>;
}

/**
 * Builds a cloud store from a recording, as `twinbed run --store` would have kept it. What the cloud consumes, feature
 * windows and edge events, goes through a real Cloud over an embedded broker, in recorded order at the recorded event
 * times on a virtual clock, as fast as the cloud commits; the cloud's own alerts are made again by the scenario's rules.
 * A recording of readings only (an imported log, a live system with no twinbed pipeline) is replayed through the
 * embedded gateway and cloud instead, as `twinbed replay --speed max` does. Raw blocks around events and dead letters
 * are not recorded, so the store has none.
 */
export async function storeFromRecording(file: string, options: RecordingStoreOptions = {}): Promise<RecordingStore> {
  const started = monotonicWallMs();
  const dir = await mkdtemp(path.join(options.tmpDir ?? tmpdir(), 'twinbed-recording-store-'));
  const storePath = path.join(dir, 'store.db');
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const recording = await Recording.open(file);
    let given: RecordingStoreOptions['scenario'];
    let fed: { from: RecordingStore['from']; published: number };
    try {
      given = options.scenario ?? recordedScenario(recording);
      const scenario = given?.scenario;
      const cloudChannels = recording.channels.filter((c) => c.info.wire === 'twinbed' && (c.info.type === 'features' || c.info.type === 'event'));
      if (cloudChannels.some((c) => c.info.type === 'features')) {
        fed = { from: 'features', published: await feedCloud(recording, cloudChannels, storePath, scenario, options.logger) };
      } else {
        const readings = selectChannels(recording, undefined, true).filter((c) => c.info.role !== 'truth');
        if (readings.length === 0) {
          throw new RecordingError('E_RECORDING_EMPTY', `${file} holds neither feature windows nor readings: nothing a cloud stores (it has ${recording.channels.map((c) => c.topic).join(', ') || 'no messages'})`);
        }
        fed = { from: 'readings', published: 0 };
      }
    } finally {
      await recording.close();
    }
    if (fed.from === 'readings') fed.published = await replayReadings(file, storePath, options, given);
    const storage = new SqliteStorage(storePath);
    const counts = await storage.counts().finally(() => storage.close());
    return { file: storePath, scenario: given?.scenario, ...fed, counts, wallMs: monotonicWallMs() - started, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * Publishes the recorded windows and edge events to a cloud at QoS 1. The cloud acknowledges a message only once it has
 * committed it, so every PUBACK in (and the cloud idle) is the store holding all that was published.
 */
async function feedCloud(recording: Recording, channels: readonly RecordedChannel[], storePath: string, scenario: Scenario | undefined, logger: Logger | undefined): Promise<number> {
  const firstMs = Math.floor(recording.startMs);
  const scenarioMs = scenario ? Date.parse(scenario.startTime) : NaN;
  const startMs = Number.isFinite(scenarioMs) && scenarioMs <= firstMs ? scenarioMs : firstMs;
  const clock = new VirtualClock(startMs);
  const storage = new SqliteStorage(storePath);
  const broker = await startBroker({ id: 'twinbed-recording-store' });
  let cloud: Cloud | undefined;
  let client: Awaited<ReturnType<typeof connectMqtt>> | undefined;
  try {
    cloud = await Cloud.start({ brokerUrl: broker.url, storage, clock, ...(scenario ? { rules: scenario.rules } : {}), ...(logger ? { logger: logger.child({ layer: 'cloud' }) } : {}) });
    client = await connectMqtt(broker.url, { clientId: 'twinbed-recording-feed' });
    const publisher = client;
    const running = cloud;
    let acks: Promise<unknown>[] = [];
    let failure: Error | undefined;
    const settle = async () => {
      await Promise.all(acks);
      acks = [];
      if (failure) throw new RecordingError('E_RECORDING_STORE', `${recording.file}: the cloud did not take a recorded message (${failure.message})`, { cause: failure });
      await running.idle();
    };
    const tickOf = (ms: number) => Math.floor((ms - startMs) / CLOUD_TICK_MS);
    let published = 0;
    for await (const message of recording.messages(channels)) {
      const where = `${recording.file} ${message.channel.topic}`;
      const { info } = message.channel;
      // The cloud's own alerts it makes again from the windows by the scenario's rules (fed, it would ignore them as its own).
      if (info.type === 'event' && (recordedMessage(info, message.data, where) as { origin?: string }).origin !== 'edge') continue;
      const atMs = toMs(message.logTime);
      if (atMs > clock.now()) {
        if (tickOf(atMs) !== tickOf(clock.now())) await settle();
        await clock.runUntil(atMs);
      }
      // Caught at once, thrown at the next settle: a rejection must not wait unhandled until then.
      acks.push(publisher.publishAsync(message.channel.topic, Buffer.from(wirePayload(info, message.data, where)), { qos: 1 }).catch((error: unknown) => void (failure ??= error as Error)));
      published++;
    }
    await settle();
    return published;
  } finally {
    await client?.endAsync();
    await cloud?.stop();
    await storage.close();
    await broker.close();
  }
}

/**
 * Readings only: the embedded gateway makes the windows, as `twinbed replay REC --speed max` into the embedded stack,
 * whatever target the scenario was recorded against (the store is twinbed's own cloud's).
 */
async function replayReadings(file: string, storePath: string, options: RecordingStoreOptions, given: RecordingStoreOptions['scenario']): Promise<number> {
  const own = given?.scenario.target;
  const baseDir = given?.file ? path.dirname(path.resolve(given.file)) : process.cwd();
  const result = await replayRecording(file, {
    speed: 'max',
    store: storePath,
    ...(options.scenario ? { scenario: options.scenario } : {}),
    ...(own && own.kind !== 'embedded' ? { target: { target: { kind: 'embedded', skip: [] }, name: 'embedded', baseDir } } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return result.stats.published;
}
