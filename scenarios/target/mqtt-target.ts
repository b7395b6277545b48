import type { Logger } from 'pino';
import { monotonicWallMs, type Clock } from '../../sim';
import type { TwinFleet } from '../../twins';
import { Observer } from './observer';
import type { RunningTarget, SettleOutcome } from './running-target';
import { openStoreProbe, type StoreProbe, type StoredCount } from './store-probe';
import type { MqttTargetConfig } from './target-schema';

export interface MqttTargetOptions {
  /** The target file, for reports. */
  name: string;
  config: MqttTargetConfig;
  baseDir: string;
  clock: Clock;
  logger?: Logger;
}

/**
 * A system twinbed did not build, reached over MQTT and judged strictly from the outside: twins publish to its
 * device broker, the observer reads what it publishes, and a store query (if declared) counts what it kept.
 */
export class MqttTarget implements RunningTarget {
  readonly name: string;
  readonly devices;
  readonly baseDir: string;
  readonly truth;
  readonly observer: Observer;
  readonly #config: MqttTargetConfig;
  readonly #store: StoreProbe | undefined;
  readonly stored?: () => Promise<StoredCount[]>;

  private constructor(options: MqttTargetOptions, observer: Observer, store: StoreProbe | undefined) {
    this.name = options.name;
    this.#config = options.config;
    this.devices = { ...options.config.devices, url: options.config.devices.url! };
    this.baseDir = options.baseDir;
    this.truth = options.config.truth;
    this.observer = observer;
    this.#store = store;
    if (store) this.stored = () => store.counts();
  }

  static async start(options: MqttTargetOptions): Promise<MqttTarget> {
    const { config } = options;
    // The store first: a wrong URL or password fails before anything connects to the system under test.
    const store = config.store ? await openStoreProbe(config.store, options.baseDir) : undefined;
    try {
      const observer = await Observer.start({
        observe: config.observe,
        defaultUrl: config.devices.url!,
        baseDir: options.baseDir,
        clock: options.clock,
        ...(options.logger ? { logger: options.logger } : {}),
      });
      return new MqttTarget(options, observer, store);
    } catch (error) {
      await store?.close();
      throw error;
    }
  }


  /**
   * A black box says nothing about being done: wait until what it passed on covers every acknowledged reading (when
   * the mapping can tell) and then until nothing new arrives for `quietMs`, or the timeout.
   */
  async settle(fleet: Pick<TwinFleet, 'stats'>): Promise<SettleOutcome> {
    const { quietMs, timeoutS } = this.#config.settle;
    const started = monotonicWallMs();
    const deadline = started + timeoutS * 1000;
    const expected = new Map(fleet.stats().filter((s) => s.qos === 1).map((s) => [`${s.device}/${s.sensor}`, s.sent]));
    // Complete when the store (or else the observed readings) holds every acknowledged QoS 1 reading.
    const complete = async () => {
      if (expected.size === 0) return false;
      const held = this.#store
        ? new Map((await this.#store.counts()).map((c) => [`${c.device}/${c.sensor}`, c.distinct ?? c.count]))
        : new Map(this.observer.log.coverage().map((c) => [`${c.device}/${c.sensor}`, c.count]));
      for (const [key, sent] of expected) if ((held.get(key) ?? 0) < sent) return false;
      return true;
    };
    let lastStore = '';
    let storeStableSince = monotonicWallMs();
    while (monotonicWallMs() < deadline) {
      let quiet = this.observer.quietForMs() >= quietMs;
      if (this.#store) {
        // A store settles when its counts stop changing for the quiet period too.
        const now = JSON.stringify(await this.#store.counts());
        if (now !== lastStore) {
          lastStore = now;
          storeStableSince = monotonicWallMs();
        }
        quiet &&= monotonicWallMs() - storeStableSince >= quietMs;
      }
      if ((await complete()) && this.observer.quietForMs() >= Math.min(quietMs, 500)) return { how: 'complete', waitedMs: monotonicWallMs() - started };
      if (quiet) return { how: 'quiet', waitedMs: monotonicWallMs() - started };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { how: 'timeout', waitedMs: monotonicWallMs() - started };
  }

  async stop(): Promise<void> {
    await this.observer.stop();
    await this.#store?.close();
  }
}
