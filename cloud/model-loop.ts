import type { Logger } from 'pino';
import { base64ToBytes, bytesToBase64, type ReplyV1, type WindowScore } from '../protocol';
import type { Clock } from '../sim';
import type { CommandSender } from './command-sender';
import {
  buildDriftReference,
  DriftMonitor,
  RolloutController,
  RolloutSpecSchema,
  type DriftChange,
  type DriftPolicy,
  type DriftReference,
  type RolloutSpecInput,
  type RolloutStatus,
} from './lifecycle';
import { ModelRegistry, type ModelSigner, type TrainingWindow } from './models';
import type { ModelRecord } from './records';
import type { Storage } from './storage';

/** What to train on and how: the stored windows of some devices' sensor over a healthy period. */
export interface TrainRequest {
  /** Default: every device that has windows of `sensor`. */
  devices?: string[];
  sensor: string;
  fromMs: number;
  toMs: number;
  version?: string;
  bump?: 'major' | 'minor' | 'patch';
  /** PCA fit options (variance, components, margin, percentile, log), as `twinbed model fit` takes them. */
  fit?: Record<string, unknown>;
  select?: string[];
}

export interface ModelLoopOptions {
  storage: Storage;
  signer: ModelSigner;
  commands: CommandSender;
  clock: Clock;
  logger: Logger;
  /** Drift against each model's training windows; with `onDrift: retrain`, a new model is trained and rolled out. */
  drift?: DriftPolicy & { rollout?: Omit<RolloutSpecInput, 'id' | 'version'> };
  /** The gateways the registry knows, with their sites. */
  gateways(): Promise<{ id: string; site: string }[]>;
  /** A drift alert raised or cleared. */
  onDrift(change: DriftChange, model: string): Promise<void>;
  /** A rollout changed (state, group, a gateway's phase or count): the cloud publishes it. */
  onRollout(status: RolloutStatus): void;
}

const referenceKey = (version: string) => `drift/reference/${version}`;

/** What a model was trained on, kept beside it: the drift reference, and where to retrain from. */
interface StoredReference {
  sensor: string;
  devices: string[];
  reference: DriftReference;
}

/**
 * The seeds' loop, closed in the cloud: train the edge model on stored healthy windows, sign and register it, roll it
 * out in stages (rolling back a gateway whose false alarms regress), watch live windows drift from the training
 * reference, and on drift retrain and roll out again.
 */
export class ModelLoop {
  readonly registry: ModelRegistry;
  readonly rollouts: RolloutController;
  readonly #o: ModelLoopOptions;
  readonly #sites = new Map<string, string>();
  readonly #monitors = new Map<string, DriftMonitor | null>();
  /** What was last told of each rollout, so only changes are published. */
  readonly #told = new Map<string, string>();
  #retraining: Promise<unknown> = Promise.resolve();
  /** Devices whose drift is raised, per model version. */
  readonly #drifting = new Map<string, Set<string>>();
  /** Model versions a retrain was already started from. */
  readonly #retrained = new Set<string>();
  /** A retrain waiting for its training windows to arrive. */
  #pendingRetrain: { from: string; fromMs: number; toMs: number } | undefined;

  private constructor(options: ModelLoopOptions) {
    this.#o = options;
    this.registry = new ModelRegistry(options.storage, options.signer);
    this.rollouts = new RolloutController({
      state: options.storage,
      getModel: (version) => options.storage.getModel(version),
      send: (gateway, action, args, reason) =>
        options.commands.sendNow({ site: this.#sites.get(gateway) ?? 'unknown', target: gateway, action, args, actor: `rollout:${rolloutIdOf(reason)}`, reason }),
    });
  }

  static async start(options: ModelLoopOptions): Promise<ModelLoop> {
    const loop = new ModelLoop(options);
    for (const g of await options.gateways()) loop.#sites.set(g.id, g.site);
    await loop.rollouts.restore();
    return loop;
  }

  /** Trains, signs and registers a model on stored windows, and keeps their distribution as its drift reference. */
  async train(request: TrainRequest): Promise<ModelRecord> {
    const devices = request.devices ?? (await this.#o.storage.devices()).filter((d) => d.sensors.includes(request.sensor)).map((d) => d.device);
    let windows: TrainingWindow[] = [];
    const record = await this.registry.trainAndRegister(
      {
        windows: async (query) => {
          windows = await this.#windows(query.devices, query.sensor, query.fromMs, query.toMs);
          return windows;
        },
      },
      { devices, sensor: request.sensor, fromMs: request.fromMs, toMs: request.toMs },
      {
        ...(request.version ? { version: request.version } : {}),
        ...(request.bump ? { bump: request.bump } : {}),
        ...(request.fit ? { fit: request.fit } : {}),
        ...(request.select ? { select: request.select } : {}),
        createdMs: this.#o.clock.now(),
      },
    );
    const features = (record.manifest as { spec: { features: string[] } }).spec.features;
    const stored: StoredReference = { sensor: request.sensor, devices, reference: buildDriftReference(windows.map((w) => w.features), features) };
    await this.#o.storage.saveState(referenceKey(record.version), stored);
    this.#o.logger.info({ version: record.version, windows: windows.length, sha256: record.sha256 }, 'model trained and registered');
    return record;
  }

  /** Starts a staged rollout over the gateways the registry knows. */
  async rollout(spec: RolloutSpecInput): Promise<RolloutStatus> {
    const gateways = await this.#o.gateways();
    for (const g of gateways) this.#sites.set(g.id, g.site);
    const status = await this.rollouts.start(RolloutSpecSchema.parse(spec), gateways, this.#o.clock.now());
    this.#tell();
    return status;
  }

  async resume(id: string): Promise<RolloutStatus> {
    const status = await this.rollouts.resume(id, this.#o.clock.now());
    this.#tell();
    return status;
  }

  async cancel(id: string, reason?: string): Promise<RolloutStatus> {
    const status = await this.rollouts.cancel(id, this.#o.clock.now(), reason);
    this.#tell();
    return status;
  }

  /** Publishes every rollout again: once connected, after a restart. */
  announce(): void {
    this.#told.clear();
    this.#tell();
  }

  /** Publishes every rollout whose status changed since it was last told. */
  #tell(): void {
    for (const status of this.rollouts.statuses()) {
      const text = JSON.stringify(status);
      if (this.#told.get(status.id) === text) continue;
      this.#told.set(status.id, text);
      this.#o.onRollout(status);
    }
  }

  /**
   * Sends one gateway a model.stage of a registered version outside any rollout; `tamper` flips one byte of the model
   * after signing, as a corrupted download or an attacker would, to prove the gateway refuses it.
   */
  async stage(gateway: string, version: string, options: { tamper?: boolean; actor?: string } = {}): Promise<string> {
    const args = await this.registry.stageArgs(version);
    const bytes = base64ToBytes(args.bytes);
    if (options.tamper) bytes[bytes.length >> 1]! ^= 0x01;
    const site = this.#sites.get(gateway) ?? (await this.#o.gateways()).find((g) => g.id === gateway)?.site ?? 'unknown';
    return this.#o.commands.send({
      site,
      target: gateway,
      action: 'model.stage',
      args: { ...args, bytes: bytesToBase64(bytes) },
      actor: options.actor ?? 'api',
      reason: `stage ${version}${options.tamper ? ' (tampered copy: one byte flipped after signing)' : ''}`,
    });
  }

  noteGateway(id: string, site: string): void {
    this.#sites.set(id, site);
  }

  async onReply(gateway: string, reply: ReplyV1): Promise<void> {
    if (await this.rollouts.onReply(gateway, reply)) this.#tell();
  }

  /** A live window from a gateway: counts for the rollout judging it, and for drift against its model's training data. */
  async onWindow(window: { gateway: string; device: string; tsMs: number; features: Record<string, number>; model?: WindowScore }): Promise<void> {
    await this.rollouts.onWindow(window.gateway, { device: window.device, tsMs: window.tsMs, ...(window.model ? { model: window.model } : {}) });
    if (window.model) this.#tell();
    if (!this.#o.drift || !window.model) return;
    const monitor = await this.#monitor(window.model.version);
    if (!monitor) return;
    const update = monitor.observe({ device: window.device, tsMs: window.tsMs, features: window.features });
    if (update.change) {
      await this.#o.onDrift(update.change, window.model.version);
      const drifting = this.#drifting.get(window.model.version) ?? new Set<string>();
      if (update.change.state === 'raised') drifting.add(update.change.device);
      else drifting.delete(update.change.device);
      this.#drifting.set(window.model.version, drifting);
    }
    // One retrain at a time: a drift seen on several devices at once trains one model, not one each. It trains on the
    // windows of the new regime once it has settled: settleS after the raise, then trainS of live windows.
    if (this.#o.drift.onDrift === 'retrain' && !this.#pendingRetrain && (await this.#fleetDrifts(window.model.version))) {
      const { settleS, trainS } = this.#o.drift;
      const fromMs = window.tsMs + settleS * 1000;
      this.#pendingRetrain = { from: window.model.version, fromMs, toMs: fromMs + trainS * 1000 };
      this.#o.logger.info({ model: window.model.version, device: window.device, trainFromMs: fromMs }, 'drift: retraining on the windows after the change settles');
    }
    const pending = this.#pendingRetrain;
    if (pending && window.tsMs >= pending.toMs) {
      this.#pendingRetrain = undefined;
      this.#retraining = this.#retraining.then(() => this.#retrain(pending.from, pending.fromMs, pending.toMs)).catch((error: unknown) => {
        this.#o.logger.error({ err: error }, 'retraining after drift failed');
      });
    }
  }

  /** More than `fleetShare` of the model's training devices drift now: the fleet's operation changed. */
  async #fleetDrifts(version: string): Promise<boolean> {
    if (this.#retrained.has(version)) return false;
    const drifting = this.#drifting.get(version)?.size ?? 0;
    if (drifting === 0) return false;
    const stored = (await this.#o.storage.loadState(referenceKey(version))) as StoredReference | undefined | null;
    const devices = stored?.devices.length ?? 1;
    if (drifting / devices <= this.#o.drift!.fleetShare) return false;
    this.#retrained.add(version);
    return true;
  }

  /** Resolves once a retrain started by drift has trained and begun rolling out. */
  async idle(): Promise<void> {
    await this.#retraining;
  }

  async #retrain(from: string, fromMs: number, toMs: number): Promise<void> {
    const latest = (await this.registry.list()).at(-1)?.version;
    // A newer model than the drifting one exists (a retrain already ran): let its rollout judge.
    if (latest !== undefined && latest !== from) return;
    const previous = (await this.#o.storage.loadState(referenceKey(from))) as StoredReference | undefined;
    if (!previous) return;
    const record = await this.train({ sensor: previous.sensor, devices: previous.devices, fromMs, toMs, bump: 'minor' });
    const template = this.#o.drift?.rollout ?? { groups: [{}] };
    await this.rollout({ ...template, id: `drift-${record.version.replaceAll('.', '-')}`, version: record.version });
    this.#o.logger.info({ from, to: record.version }, 'drift: retrained and rolling out');
  }

  async #monitor(version: string): Promise<DriftMonitor | null> {
    if (!this.#monitors.has(version)) {
      const stored = (await this.#o.storage.loadState(referenceKey(version))) as StoredReference | undefined | null;
      const { rollout: _rollout, ...policy } = this.#o.drift ?? {};
      this.#monitors.set(version, stored ? new DriftMonitor(stored.reference, policy) : null);
    }
    return this.#monitors.get(version) ?? null;
  }

  async #windows(devices: readonly string[], sensor: string, fromMs: number, toMs: number): Promise<TrainingWindow[]> {
    const windows: TrainingWindow[] = [];
    for (const device of devices) {
      let cursor: string | undefined;
      do {
        const page = await this.#o.storage.seriesPage({ device, sensor, fromMs, toMs, limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const r of page.items) windows.push({ device: r.device, sensor: r.sensor, tsMs: r.tsMs, features: r.features });
        cursor = page.next;
      } while (cursor);
    }
    return windows;
  }
}

/** The rollout id from its audit reason (`rollout r1 group 1/2: …`). */
function rolloutIdOf(reason: string): string {
  return /^rollout (\S+)/.exec(reason)?.[1] ?? 'unknown';
}
