import type { Logger } from 'pino';
import { Cloud, SqliteStorage, type Storage } from '../cloud';
import { Gateway, GatewayConfigSchema } from '../gateway';
import { LinkChannel, LinkModel, NO_IMPAIRMENT, RandomStreams, scheduleLinkChanges, Scheduler, startBroker, type Clock, type EmbeddedBroker } from '../sim';
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
  /** The simulated links the scenario impairs, by name (`twins->edge`, `edge->cloud`); absent links are ideal. */
  readonly links: ReadonlyMap<string, { model: LinkModel; channel: LinkChannel }>;
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
    const streams = new RandomStreams(options.seed);
    const scheduler = new Scheduler(clock);
    // Only links the scenario impairs are simulated: an ideal link costs nothing, not a scheduled event per message.
    const links = new Map<string, { model: LinkModel; channel: LinkChannel }>();
    for (const name of new Set(scenario.links.map((entry) => entry.link))) {
      const model = new LinkModel(name, NO_IMPAIRMENT, streams.stream(`link/${name}`));
      links.set(name, { model, channel: new LinkChannel(model, clock) });
    }
    const schedule = scheduleLinkChanges(scenario.links, new Map([...links].map(([name, l]) => [name, l.model])), scheduler, options.startMs);
    cleanups.push(async () => {
      schedule.cancel();
      for (const link of links.values()) link.channel.close();
    });
    const cloudBroker = await startBroker({ id: `${scenario.site}-cloud` });
    cleanups.push(() => cloudBroker.close());
    const storage = new SqliteStorage(options.databasePath ?? ':memory:');
    cleanups.push(() => storage.close());
    const cloud = await Cloud.start({ brokerUrl: cloudBroker.url, storage, rules: scenario.rules, clock, logger: logger?.child({ layer: 'cloud' }) });
    cleanups.push(() => cloud.stop());
    const gateway = await Gateway.start({
      config: GatewayConfigSchema.parse({ site: scenario.site, devices: { listen: { port: 0 } }, upstream: { url: cloudBroker.url }, ...scenario.gateway }),
      clock,
      logger: logger?.child({ layer: 'gateway' }),
      uplink: links.get('edge->cloud')?.channel,
    });
    cleanups.push(() => gateway.stop());
    const fleet = await TwinFleet.start({
      brokerUrl: gateway.deviceUrl,
      site: scenario.site,
      machines: (streams) => createMachines(scenario, streams),
      scheduler,
      streams,
      link: links.get('twins->edge')?.channel,
      startMs: options.startMs,
      endMs: options.endMs,
      logger: logger?.child({ layer: 'twins' }),
    });
    cleanups.push(() => fleet.stop());
    return { cloudBroker, storage, cloud, gateway, fleet, links, startMs: options.startMs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
