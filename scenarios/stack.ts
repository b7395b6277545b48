import type { Logger } from 'pino';
import { Cloud, SqliteStorage, type Storage } from '../cloud';
import { Gateway, GatewayConfigSchema } from '../gateway';
import { RandomStreams, Scheduler, startBroker, type Clock, type EmbeddedBroker } from '../sim';
import { createMachines, TwinFleet } from '../twins';
import type { Scenario } from './schema';

export interface StackOptions {
  scenario: Scenario;
  seed: string | number;
  clock: Clock;
  /** Simulated start of the run, ms since the Unix epoch. */
  startMs: number;
  /** Simulated end; twins stop producing here. Default: never. */
  endMs?: number;
  /** SQLite file for the cloud. Default `:memory:`. */
  databasePath?: string;
  logger?: Logger;
}

/** Twins → gateway → cloud, each on its own broker connection over loopback TCP, all in this process. */
export interface Stack {
  readonly cloudBroker: EmbeddedBroker;
  readonly storage: Storage;
  readonly cloud: Cloud;
  readonly gateway: Gateway;
  readonly fleet: TwinFleet;
  readonly startMs: number;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { scenario, clock, logger } = options;
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const cloudBroker = await startBroker({ id: `${scenario.site}-cloud` });
    cleanups.push(() => cloudBroker.close());
    const storage = new SqliteStorage(options.databasePath ?? ':memory:');
    cleanups.push(() => storage.close());
    const cloud = await Cloud.start({ brokerUrl: cloudBroker.url, storage, rules: scenario.rules, clock, logger: logger?.child({ layer: 'cloud' }) });
    cleanups.push(() => cloud.stop());
    const gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({ site: scenario.site, devices: { listen: { port: 0 } }, upstream: { url: cloudBroker.url } }),
      clock,
      logger: logger?.child({ layer: 'gateway' }),
    });
    cleanups.push(() => gateway.stop());
    const fleet = await TwinFleet.start({
      brokerUrl: gateway.deviceUrl,
      site: scenario.site,
      machines: (streams) => createMachines(scenario, streams),
      scheduler: new Scheduler(clock),
      streams: new RandomStreams(options.seed),
      startMs: options.startMs,
      endMs: options.endMs,
      logger: logger?.child({ layer: 'twins' }),
    });
    cleanups.push(() => fleet.stop());
    return { cloudBroker, storage, cloud, gateway, fleet, startMs: options.startMs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
