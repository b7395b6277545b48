import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Cloud, ModelSigner, SqliteStorage, type Storage } from '../cloud';
import { addGatewayCounters, Gateway, GatewayConfigSchema, zeroGatewayCounters, type GatewayConfig, type GatewayCounters } from '../gateway';
import { parseTopic, TwinbedError } from '../protocol';
import { monotonicWallMs, startBroker, type BrokerOptions, type Clock, type EmbeddedBroker, type LinkChannel } from '../sim';
import type { Scenario } from './schema';

export interface EmbeddedSystemOptions {
  scenario: Scenario;
  clock: Clock;
  /** Every gateway's uplink crosses this simulated link, when the scenario impairs it. */
  uplink?: LinkChannel;
  /** Take devices from this broker instead of embedding one (a Mosquitto speaking MQTT 5); with `gateways:`, all of them share it. */
  deviceBrokerUrl?: string;
  databasePath?: string;
  /** Give each gateway a durable store in a temp folder, so it can be crashed and restarted. Default: in memory. */
  durableGateway?: boolean;
  logger?: Logger;
}

/** One gateway of the system: its config, the instance running now, and what its crashed instances counted. */
interface GatewaySlot {
  readonly config: GatewayConfig;
  gateway: Gateway;
  /** Counters of its instances that crashed: its totals add the live one's to these. */
  before: GatewayCounters;
  crashes: number;
}

/**
 * Counts each device's telemetry as the broker accepts it: aedes authorizes a publish before it acknowledges it, but
 * may acknowledge before it has passed the message on to a subscriber.
 */
function countTelemetry(taken: Map<string, number>): NonNullable<BrokerOptions['authorizePublish']> {
  return (client, packet, done) => {
    const where = client ? parseTopic(packet.topic) : undefined;
    if (where?.kind === 'telemetry') taken.set(where.device, (taken.get(where.device) ?? 0) + 1);
    done(null);
  };
}

/** The cloud's model signing key for a run: derived from the scenario's seed, so a run signs alike every time. */
function modelSigner(scenario: Scenario): ModelSigner {
  const seed = createHash('sha256').update(`twinbed model key/${scenario.site}/${String(scenario.seed)}`).digest();
  return ModelSigner.fromSeed(seed, `${scenario.site}-models`);
}

/** Wall ms a crash waits for the shared device broker to hand a gateway what it took for it. */
const HANDOVER_TIMEOUT_MS = 5000;

/**
 * twinbed's own gateways and cloud, each on its own broker connection over loopback TCP, in this process. One gateway
 * embeds the device broker; a fleet (`gateways:`) shares one, each gateway taking its own devices. A gateway can be
 * crashed (as by SIGKILL) and restarted on the same device port and store, as in production.
 */
export class EmbeddedSystem {
  readonly cloudBroker: EmbeddedBroker;
  readonly storage: Storage;
  readonly cloud: Cloud;
  readonly #o: EmbeddedSystemOptions;
  readonly #slots: GatewaySlot[];
  readonly #deviceBroker: EmbeddedBroker | undefined;
  /** Telemetry messages the embedded shared device broker accepted, per device: what its gateway must receive. */
  readonly #taken: ReadonlyMap<string, number>;
  readonly #storeDir: string | undefined;

  private constructor(
    options: EmbeddedSystemOptions,
    parts: {
      cloudBroker: EmbeddedBroker;
      storage: Storage;
      cloud: Cloud;
      slots: GatewaySlot[];
      deviceBroker: EmbeddedBroker | undefined;
      taken: ReadonlyMap<string, number>;
      storeDir: string | undefined;
    },
  ) {
    this.#o = options;
    this.cloudBroker = parts.cloudBroker;
    this.storage = parts.storage;
    this.cloud = parts.cloud;
    this.#slots = parts.slots;
    this.#deviceBroker = parts.deviceBroker;
    this.#storeDir = parts.storeDir;
    this.#taken = parts.taken;
  }

  static async start(options: EmbeddedSystemOptions): Promise<EmbeddedSystem> {
    const { scenario, clock, logger } = options;
    const cleanups: (() => Promise<void>)[] = [];
    try {
      const cloudBroker = await startBroker({ id: `${scenario.site}-cloud` });
      cleanups.push(() => cloudBroker.close());
      const storage = new SqliteStorage(options.databasePath ?? ':memory:');
      cleanups.push(() => storage.close());
      const models = scenario.cloud?.models ? modelSigner(scenario) : undefined;
      const cloud = await Cloud.start({
        brokerUrl: cloudBroker.url,
        storage,
        rules: scenario.rules,
        clock,
        ...(models ? { signer: models } : {}),
        ...(scenario.cloud?.drift ? { drift: scenario.cloud.drift } : {}),
        logger: logger?.child({ layer: 'cloud' }),
      });
      cleanups.push(() => cloud.stop());
      const storeDir = options.durableGateway ? await mkdtemp(join(tmpdir(), 'twinbed-gateway-')) : undefined;
      if (storeDir) cleanups.push(() => rm(storeDir, { recursive: true, force: true }));
      const fleet = scenario.gateways;
      const taken = new Map<string, number>();
      const deviceBroker = fleet && !options.deviceBrokerUrl ? await startBroker({ id: `${scenario.site}-devices`, authorizePublish: countTelemetry(taken) }) : undefined;
      if (deviceBroker) cleanups.push(() => deviceBroker.close());
      const sharedUrl = deviceBroker?.url ?? options.deviceBrokerUrl;
      // With cloud models, every gateway scores windows (a model arrives by rollout) and trusts only the cloud's key.
      const anomaly = models ? { sensors: ['accel'], ...scenario.gateway?.anomaly, trustedKeys: [{ id: models.keyId, publicKey: models.publicKeyPem() }] } : scenario.gateway?.anomaly;
      const base = { site: scenario.site, upstream: { url: cloudBroker.url }, ...scenario.gateway, ...(anomaly ? { anomaly } : {}) };
      const configs = fleet
        ? fleet.map((g) => GatewayConfigSchema.parse({ ...base, id: g.id, devices: { url: sharedUrl, only: g.devices }, ...(storeDir ? { store: { path: join(storeDir, `${g.id}.db`) } } : {}) }))
        : [GatewayConfigSchema.parse({ ...base, devices: sharedUrl ? { url: sharedUrl } : { listen: { port: 0 } }, ...(storeDir ? { store: { path: join(storeDir, 'gateway.db') } } : {}) })];
      const slots: GatewaySlot[] = [];
      for (const config of configs) {
        const gateway = await EmbeddedSystem.#startGateway(options, config);
        cleanups.push(() => gateway.stop());
        slots.push({ config, gateway, before: zeroGatewayCounters(), crashes: 0 });
      }
      return new EmbeddedSystem(options, { cloudBroker, storage, cloud, slots, deviceBroker, taken, storeDir });
    } catch (error) {
      for (const cleanup of cleanups.reverse()) await cleanup();
      throw error;
    }
  }

  static #startGateway(options: EmbeddedSystemOptions, config: GatewayConfig): Promise<Gateway> {
    return Gateway.start({
      config,
      clock: options.clock,
      // A fleet's log lines say which gateway; a single gateway's stay as they were.
      ...(options.logger ? { logger: options.logger.child(options.scenario.gateways ? { layer: 'gateway', gateway: config.id } : { layer: 'gateway' }) } : {}),
      ...(options.uplink ? { uplink: options.uplink } : {}),
    });
  }

  /** The first gateway running now (a new one after each crash): the only one without `gateways:`. */
  get gateway(): Gateway {
    return this.#slots[0]!.gateway;
  }

  /** Every gateway running now, in the order of `gateways:`. */
  get gateways(): readonly Gateway[] {
    return this.#slots.map((slot) => slot.gateway);
  }

  /** Where the twins connect: the gateway's embedded broker, or the broker a fleet shares. */
  get deviceUrl(): string {
    return this.#deviceBroker?.url ?? this.gateway.deviceUrl;
  }

  /** Crashes of all gateways so far. */
  get crashes(): number {
    return this.#slots.reduce((n, slot) => n + slot.crashes, 0);
  }

  /** Crashes of the gateway `id` so far. */
  crashesOf(id: string): number {
    return this.#slotOf(id).crashes;
  }

  /** The counters of all gateways over the whole run, crashed instances included. */
  gatewayCounters(): GatewayCounters {
    return this.#slots.reduce((total, slot) => addGatewayCounters(total, this.#countersOf(slot)), zeroGatewayCounters());
  }

  #countersOf(slot: GatewaySlot): GatewayCounters {
    return addGatewayCounters(slot.gateway.counters(), slot.before);
  }

  #slotOf(id: string): GatewaySlot {
    const slot = this.#slots.find((s) => s.config.id === id);
    if (!slot) throw new TwinbedError('E_NO_GATEWAY', `no gateway "${id}" in this embedded system (gateways: ${this.#slots.map((s) => s.config.id).join(', ')})`);
    return slot;
  }

  /**
   * Kills the gateway `id` (default the first) as SIGKILL would and starts it again after `downMs` of wall time, on
   * the same device port and the same durable store: what it acknowledged is still there, what was in flight is
   * resent by the devices.
   */
  async crashGateway(downMs: number, id = this.#slots[0]!.config.id): Promise<void> {
    if (!this.#storeDir) throw new TwinbedError('E_NOT_DURABLE', 'this embedded system was started without a durable gateway store: start it with durableGateway to crash a gateway');
    const slot = this.#slotOf(id);
    await this.#handedOver(slot);
    const dead = slot.gateway;
    const counters = dead.counters();
    const port = dead.config.devices.url ? undefined : Number(new URL(dead.deviceUrl).port);
    await dead.kill();
    slot.before = addGatewayCounters(slot.before, counters);
    slot.crashes++;
    await new Promise((resolve) => setTimeout(resolve, downMs));
    const config = port === undefined ? slot.config : { ...slot.config, devices: { ...slot.config.devices, listen: { host: slot.config.devices.listen?.host ?? '127.0.0.1', port } } };
    slot.gateway = await EmbeddedSystem.#startGateway(this.#o, config);
  }

  /**
   * Waits (at most HANDOVER_TIMEOUT_MS of wall time) until the gateway holds every reading the shared device broker
   * took for its devices. The broker, not the device, acknowledged those, and the gateway's clean session would lose
   * them with it: its own devices' resends cover a single gateway, nothing covers a fleet's.
   */
  async #handedOver(slot: GatewaySlot): Promise<void> {
    const only = slot.config.devices.only;
    if (!this.#deviceBroker || !only) return;
    const deadline = monotonicWallMs() + HANDOVER_TIMEOUT_MS;
    const taken = () => only.reduce((n, device) => n + (this.#taken.get(device) ?? 0), 0);
    while (this.#countersOf(slot).received < taken()) {
      if (monotonicWallMs() >= deadline) {
        this.#o.logger?.warn({ gateway: slot.config.id }, `the device broker had not handed the gateway every reading within ${HANDOVER_TIMEOUT_MS} ms of wall time; crashing it anyway`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  async stop(): Promise<void> {
    for (const slot of this.#slots) await slot.gateway.stop();
    await this.cloud.stop();
    await this.storage.close();
    await this.cloudBroker.close();
    await this.#deviceBroker?.close();
    if (this.#storeDir) await rm(this.#storeDir, { recursive: true, force: true });
  }
}
