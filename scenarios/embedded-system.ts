import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Cloud, SqliteStorage, type Storage } from '../cloud';
import { addGatewayCounters, Gateway, GatewayConfigSchema, zeroGatewayCounters, type GatewayConfig, type GatewayCounters } from '../gateway';
import { startBroker, type Clock, type EmbeddedBroker, type LinkChannel } from '../sim';
import type { Scenario } from './schema';

export interface EmbeddedSystemOptions {
  scenario: Scenario;
  clock: Clock;
  /** The gateway's uplink crosses this simulated link, when the scenario impairs it. */
  uplink?: LinkChannel;
  /** Take devices from this broker instead of embedding one (a Mosquitto speaking MQTT 5). */
  deviceBrokerUrl?: string;
  databasePath?: string;
  /** Give the gateway a durable store in a temp folder, so it can be crashed and restarted. Default: in memory. */
  durableGateway?: boolean;
  logger?: Logger;
}

/**
 * twinbed's own gateway and cloud, each on its own broker connection over loopback TCP, in this process. The gateway
 * can be crashed (as by SIGKILL) and restarted on the same device port and store, as in production.
 */
export class EmbeddedSystem {
  readonly cloudBroker: EmbeddedBroker;
  readonly storage: Storage;
  readonly cloud: Cloud;
  readonly #config: GatewayConfig;
  readonly #o: EmbeddedSystemOptions;
  readonly #storeDir: string | undefined;
  #gateway: Gateway;
  /** Counters of gateways that crashed: the run's totals add the live one's to these. */
  #before: GatewayCounters = zeroGatewayCounters();
  #crashes = 0;

  private constructor(options: EmbeddedSystemOptions, parts: { cloudBroker: EmbeddedBroker; storage: Storage; cloud: Cloud; gateway: Gateway; config: GatewayConfig; storeDir: string | undefined }) {
    this.#o = options;
    this.cloudBroker = parts.cloudBroker;
    this.storage = parts.storage;
    this.cloud = parts.cloud;
    this.#gateway = parts.gateway;
    this.#config = parts.config;
    this.#storeDir = parts.storeDir;
  }

  static async start(options: EmbeddedSystemOptions): Promise<EmbeddedSystem> {
    const { scenario, clock, logger } = options;
    const cleanups: (() => Promise<void>)[] = [];
    try {
      const cloudBroker = await startBroker({ id: `${scenario.site}-cloud` });
      cleanups.push(() => cloudBroker.close());
      const storage = new SqliteStorage(options.databasePath ?? ':memory:');
      cleanups.push(() => storage.close());
      const cloud = await Cloud.start({ brokerUrl: cloudBroker.url, storage, rules: scenario.rules, clock, logger: logger?.child({ layer: 'cloud' }) });
      cleanups.push(() => cloud.stop());
      const storeDir = options.durableGateway ? await mkdtemp(join(tmpdir(), 'twinbed-gateway-')) : undefined;
      if (storeDir) cleanups.push(() => rm(storeDir, { recursive: true, force: true }));
      const devices = options.deviceBrokerUrl ? { url: options.deviceBrokerUrl } : { listen: { port: 0 } };
      const config = GatewayConfigSchema.parse({
        site: scenario.site,
        devices,
        upstream: { url: cloudBroker.url },
        ...scenario.gateway,
        ...(storeDir ? { store: { path: join(storeDir, 'gateway.db') } } : {}),
      });
      const gateway = await EmbeddedSystem.#startGateway(options, config);
      return new EmbeddedSystem(options, { cloudBroker, storage, cloud, gateway, config, storeDir });
    } catch (error) {
      for (const cleanup of cleanups.reverse()) await cleanup();
      throw error;
    }
  }

  static #startGateway(options: EmbeddedSystemOptions, config: GatewayConfig): Promise<Gateway> {
    return Gateway.start({
      config,
      clock: options.clock,
      ...(options.logger ? { logger: options.logger.child({ layer: 'gateway' }) } : {}),
      ...(options.uplink ? { uplink: options.uplink } : {}),
    });
  }

  /** The gateway running now (a new one after each crash). */
  get gateway(): Gateway {
    return this.#gateway;
  }

  get crashes(): number {
    return this.#crashes;
  }

  /** The gateway's counters over the whole run, crashed instances included. */
  gatewayCounters(): GatewayCounters {
    return addGatewayCounters(this.#gateway.counters(), this.#before);
  }

  /**
   * Kills the gateway as SIGKILL would and starts it again after `downMs` of wall time, on the same device port and
   * the same durable store: what it acknowledged is still there, what was in flight is resent by the devices.
   */
  async crashGateway(downMs: number): Promise<void> {
    if (!this.#storeDir) throw new Error('this embedded system was started without a durable gateway store (durableGateway)');
    const dead = this.#gateway;
    const counters = dead.counters();
    const port = dead.config.devices.url ? undefined : Number(new URL(dead.deviceUrl).port);
    await dead.kill();
    this.#before = addGatewayCounters(this.#before, counters);
    this.#crashes++;
    await new Promise((resolve) => setTimeout(resolve, downMs));
    const config = port === undefined ? this.#config : { ...this.#config, devices: { ...this.#config.devices, listen: { host: this.#config.devices.listen?.host ?? '127.0.0.1', port } } };
    this.#gateway = await EmbeddedSystem.#startGateway(this.#o, config);
  }

  async stop(): Promise<void> {
    await this.#gateway.stop();
    await this.cloud.stop();
    await this.storage.close();
    await this.cloudBroker.close();
    if (this.#storeDir) await rm(this.#storeDir, { recursive: true, force: true });
  }
}
