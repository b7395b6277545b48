import { EventEmitter } from 'node:events';
import pino, { type Logger } from 'pino';
import { encodeMessage, filters, topics, type AlertChange, type EventV1, type RolloutV1, type ThresholdRule, type WindowScore } from '../protocol';
import { connectMqtt, Scheduler, type Cancel, type Clock, type MqttClient } from '../sim';
import { AlertBook, AlertTransitionError, CloudRulesSchema, RuleEngine, type CloudRuleInput, type CommandRequest, type RuleOutput } from './analytics';
import { CommandSender } from './command-sender';
import { AlertCapture } from './ingest/alert-capture';
import { DeferredAcks } from './ingest/deferred-acks';
import { RegistryCapture } from './ingest/registry-capture';
import { IngestPipeline, type DerivedWrites, type IngestCounters } from './ingest/ingest-pipeline';
import type { Routed } from './ingest/route-message';
import type { DriftChange, DriftPolicy, DriftPolicyInput, RolloutSpecInput, RolloutStatus } from './lifecycle';
import { DriftPolicySchema } from './lifecycle';
import { ModelLoop } from './model-loop';
import type { ModelSigner } from './models';
import type { AlertEntry } from './records';
import { DeviceRegistry } from './registry';
import type { AlertRecord, FeatureRecord, Storage } from './storage';

export interface CloudOptions {
  /** Upstream broker the gateways publish to. */
  brokerUrl: string;
  storage: Storage;
  /** Alert rules (CloudRuleSchema; a threshold rule of the edge is one too). */
  rules?: readonly (CloudRuleInput | ThresholdRule)[];
  clock: Clock;
  /** Client id on the broker; the session is persistent, so keep it across restarts. Default `twinbed-cloud`. */
  clientId?: string;
  /** Share ingest with other cloud processes through `$share/<group>/…`. Default: not shared. */
  shareGroup?: string;
  /** Only this site's topics. Default: every site. */
  site?: string;
  /** Signs the models the cloud trains; without it there is no model registry, rollout or drift. */
  signer?: ModelSigner;
  drift?: DriftPolicyInput & { rollout?: Omit<RolloutSpecInput, 'id' | 'version'> };
  /** Roll up and delete windows past retention, every `everyS` of the clock. Default: keep everything. */
  retention?: { rawDays: number; minuteDays: number; everyS: number };
  logger?: Logger;
}

export interface CloudStats extends Omit<IngestCounters, 'ignored'> {
  /** See IngestCounters. Always set by a Cloud; optional so that stand-ins written before it existed still fit. */
  ignored?: number;
  alertsRaised: number;
  /** Commands the cloud sent (rules, rollouts, the API); rate-limited ones are audited, not sent. */
  commandsSent: number;
  commandsLimited: number;
}

export interface CloudEvents {
  /** A window stored for the first time, with the edge model's score of it when one scored it. */
  features: [FeatureRecord, WindowScore | undefined];
  alert: [AlertRecord];
}

/**
 * The cloud pipeline: takes what gateways send over a persistent MQTT session, commits it (each reading once, on the
 * store's unique key) before acknowledging it, evaluates alert rules on event time with their lifecycle kept in the
 * store, sends commands back (audited and rate-limited), keeps a registry with device shadows, and runs the model
 * lifecycle: train, sign, staged rollout, drift, retrain.
 */
export class Cloud extends EventEmitter<CloudEvents> {
  readonly storage: Storage;
  /** The event-time clock the cloud judges by; the API stamps people's actions with it too. */
  readonly clock: Clock;
  readonly registry: DeviceRegistry;
  readonly alerts: AlertBook;
  readonly commands: CommandSender;
  readonly #o: CloudOptions;
  readonly #log: Logger;
  readonly #engine: RuleEngine;
  readonly #capture: AlertCapture;
  readonly #registryCapture: RegistryCapture;
  readonly #pipeline: IngestPipeline;
  #models: ModelLoop | undefined;
  #client: MqttClient | undefined;
  #acks: DeferredAcks | undefined;
  #cancels: Cancel[] = [];
  #alertsRaised = 0;
  #limited = 0;
  /** Registry and model-loop work after a commit: off the commit path, in order. */
  #after: Promise<void> = Promise.resolve();
  #captureLock: Promise<void> = Promise.resolve();
  /** Event time of the latest window written to each (device, sensor) shadow. */
  readonly #shadowed = new Map<string, number>();

  private constructor(options: CloudOptions) {
    super();
    this.#o = options;
    this.storage = options.storage;
    this.clock = options.clock;
    this.#log = options.logger ?? pino({ level: 'silent' });
    this.#engine = new RuleEngine(CloudRulesSchema.parse(options.rules ?? []));
    this.#capture = new AlertCapture(options.storage);
    this.alerts = new AlertBook(this.#capture);
    this.commands = new CommandSender({ audit: options.storage, clock: options.clock, logger: this.#log, idPrefix: options.clientId ?? 'twinbed-cloud' });
    this.#registryCapture = new RegistryCapture(options.storage);
    this.registry = new DeviceRegistry({
      store: this.#registryCapture,
      send: async (site, command, by) => {
        await this.commands.send({ site, target: command.device, action: command.action, ...(command.args ? { args: command.args } : {}), actor: by, reason: `shadow: deliver desired state (${command.action})` });
      },
    });
    this.#pipeline = new IngestPipeline({
      storage: options.storage,
      clock: options.clock,
      logger: this.#log,
      acks: () => this.#acks,
      evaluate: (items, fresh) => this.#evaluate(items, fresh),
      committed: (items, fresh, derived) => this.#committed(items, fresh, derived),
      publishRejected: (item) => this.#client?.publish(topics.deadLetter(item.site), Buffer.from(encodeMessage(item.letter, 'json')), { qos: 1 }),
    });
  }

  static async start(options: CloudOptions): Promise<Cloud> {
    const cloud = new Cloud(options);
    const { storage, clock } = options;
    // A restarted cloud resumes its alerts: rules do not raise again what is already open.
    cloud.#engine.restore(await storage.openAlerts());
    const automation = await storage.loadState(AUTOMATION_KEY);
    if (automation !== undefined && automation !== null) cloud.#engine.automation.restore(automation);
    if (options.signer) {
      cloud.#models = await ModelLoop.start({
        storage,
        signer: options.signer,
        commands: cloud.commands,
        clock,
        logger: cloud.#log,
        ...(options.drift ? { drift: driftOptions(options.drift) } : {}),
        gateways: async () => (await cloud.registry.entries()).filter((e) => e.kind === 'gateway').map((e) => ({ id: e.id, site: e.site })),
        onDrift: (change, model) => cloud.#drift(change, model),
        onRollout: (status) => cloud.#publishRollout(status),
      });
    }
    const site = options.site ?? '+';
    const share = (filter: string) => (options.shareGroup ? `$share/${options.shareGroup}/${filter}` : filter);
    cloud.#client = await connectMqtt(options.brokerUrl, {
      clientId: options.clientId ?? 'twinbed-cloud',
      // [MQTT-3.1.2-4] a persistent session: the broker keeps what arrives while the cloud is down, and redelivers
      // what it sent but never had acknowledged.
      clean: false,
      prepare: (client) => {
        cloud.#acks = new DeferredAcks(client);
        client.handleMessage = (packet, done) => {
          const ticket = packet.qos > 0 && packet.messageId !== undefined ? cloud.#acks!.hold(packet.messageId) : undefined;
          cloud.#pipeline.accept(packet.topic, packet.payload as Buffer, ticket);
          done();
        };
      },
      onError: (error) => cloud.#log.warn({ err: error }, 'cloud broker connection error'),
    });
    cloud.commands.attach(cloud.#client);
    cloud.#models?.announce();
    await cloud.#client.subscribeAsync(
      [filters.features(site), filters.deadLetter(site), filters.raw(site), filters.event(site), filters.status(site), filters.reply(site)].map(share),
      { qos: 1 },
    );
    const scheduler = new Scheduler(clock);
    // Event time moves on without data too: a silent device's absent rule, a shelf that expires.
    cloud.#cancels.push(scheduler.every(1000, () => void cloud.#tick(), { startMs: clock.now() + 1000 }));
    const retention = options.retention;
    if (retention) {
      const day = 86_400_000;
      cloud.#cancels.push(
        scheduler.every(retention.everyS * 1000, () => {
          void storage.compact({ nowMs: clock.now(), rawRetentionMs: retention.rawDays * day, minuteRetentionMs: retention.minuteDays * day }).catch((error: unknown) => cloud.#log.error({ err: error }, 'compaction failed'));
        }, { startMs: clock.now() + retention.everyS * 1000 }),
      );
    }
    cloud.#log.info({ brokerUrl: options.brokerUrl, clientId: options.clientId ?? 'twinbed-cloud', shareGroup: options.shareGroup }, 'cloud connected');
    return cloud;
  }

  /** The model registry, rollouts and drift; undefined without a signing key. */
  get models(): ModelLoop | undefined {
    return this.#models;
  }

  stats(): CloudStats {
    return { ...this.#pipeline.counters, alertsRaised: this.#alertsRaised, commandsSent: this.commands.sent, commandsLimited: this.#limited };
  }

  /**
   * Takes one message as if the broker had delivered it at QoS 0 (no PUBACK to hold): for benchmarks of the ingest
   * path without a network, and for feeding a recording in.
   */
  accept(topic: string, payload: Uint8Array): void {
    this.#pipeline.accept(topic, payload);
  }

  /** Resolves once every message received so far is committed and handed on. */
  async idle(): Promise<void> {
    await this.#pipeline.idle();
    await this.#after;
    await this.#models?.idle();
  }

  /** Acknowledges an alert for a person (`api:<user>`), publishing the change. */
  async acknowledge(id: string, by: string, note?: string): Promise<AlertEntry> {
    return (await this.alerts.acknowledge(id, by, this.#o.clock.now(), note)).entry;
  }

  async shelve(id: string, by: string, untilMs: number, note?: string): Promise<AlertEntry> {
    return (await this.alerts.shelve(id, by, untilMs, this.#o.clock.now(), note)).entry;
  }

  async unshelve(id: string, by: string): Promise<AlertEntry> {
    return (await this.alerts.unshelve(id, by, this.#o.clock.now())).entry;
  }

  /** Before the commit: the batch's new windows through the rules, in arrival order; what they write commits with it. */
  async #evaluate(items: readonly Routed[], fresh: readonly boolean[]): Promise<DerivedWrites> {
    const derived: DerivedWrites = { alerts: [], events: [], audit: [], registry: [], shadows: [], publish: [] };
    const outputs: { site: string; gateway?: string; output: RuleOutput }[] = [];
    items.forEach((item, i) => {
      if (item.kind !== 'features' || !fresh[i]) return;
      const { record, message, site } = item;
      outputs.push({
        site,
        ...(message.gateway ? { gateway: message.gateway } : {}),
        output: this.#engine.onWindow({
          site,
          device: record.device,
          sensor: record.sensor,
          unit: record.unit,
          tsMs: record.tsMs,
          features: record.features,
          ...(message.model ? { score: message.model.score, scoreThreshold: message.model.threshold } : {}),
          ...(message.gateway ? { gateway: message.gateway } : {}),
        }),
      });
    });
    await this.#shadows(items, fresh, derived);
    const edgeEvents = items.filter((item, i): item is Extract<Routed, { kind: 'event' }> => item.kind === 'event' && fresh[i] === true);
    if (outputs.every((o) => o.output.changes.length === 0 && o.output.commands.length === 0) && edgeEvents.length === 0) return derived;
    await this.#captured(derived, async () => {
      for (const { site, gateway, output } of outputs) await this.#apply(site, gateway, output, derived);
      // Edge events have a lifecycle too: an anomaly raised at the edge is an alert to acknowledge in the cloud.
      for (const { event } of edgeEvents) {
        const { kind, origin: _origin, ...change } = event;
        try {
          await this.alerts.apply(change, kind ?? 'alert', 'edge');
        } catch (error) {
          // A gateway's clear with nothing open (its raise was evicted from its outbox, or never came): the event is
          // stored as sent and the lifecycle stays as it is. Thrown on, it would fail the batch and the process.
          if (!(error instanceof AlertTransitionError)) throw error;
          this.#log.warn({ err: error, device: event.device, rule: event.rule }, 'an edge event that does not fit its alert\'s lifecycle: stored, lifecycle unchanged');
        }
      }
    });
    if (derived.audit.length > 0) await this.storage.saveState(AUTOMATION_KEY, this.#engine.automation.snapshot());
    return derived;
  }

  /** The registry and shadows of the batch's devices, written with it: the latest window per sensor, at most per SHADOW_EVERY_MS. */
  async #shadows(items: readonly Routed[], fresh: readonly boolean[], derived: DerivedWrites): Promise<void> {
    const latest = new Map<string, Extract<Routed, { kind: 'features' }>>();
    items.forEach((item, i) => {
      if (item.kind === 'features' && fresh[i]) latest.set(item.stream, item);
    });
    const due = [...latest].filter(([key, { record }]) => {
      const last = this.#shadowed.get(key);
      return last === undefined || record.tsMs - last >= SHADOW_EVERY_MS || record.tsMs < last;
    });
    if (due.length === 0) return;
    await this.#exclusive(async () => {
      this.#registryCapture.capture();
      try {
        for (const [key, { site, record, message }] of due) {
          this.#shadowed.set(key, record.tsMs);
          await this.registry.onReading(site, record.device, record.sensor, record.tsMs, message.gateway, record.features, record.unit);
        }
      } finally {
        const { registry, shadows } = this.#registryCapture.take();
        derived.registry.push(...registry);
        derived.shadows.push(...shadows);
      }
    });
  }

  /** Runs `work` with the alert book's saves held for `derived`. */
  async #captured(derived: DerivedWrites, work: () => Promise<void>): Promise<void> {
    await this.#exclusive(async () => {
      this.#capture.capture();
      try {
        await work();
      } finally {
        derived.alerts.push(...this.#capture.take());
      }
    });
  }

  /** One capture at a time, so two transactions never share the writes held for one of them. */
  async #exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.#captureLock.then(work);
    this.#captureLock = run.catch(() => undefined);
    await run;
  }

  /** Rule changes into the alert book, the batch's events and what to publish after the commit. */
  async #apply(site: string, gateway: string | undefined, output: Judged, derived: DerivedWrites): Promise<void> {
    for (const change of output.changes) {
      const update = await this.alerts.apply(change, change.kind, 'cloud');
      if (!update.notify && change.state === 'raised') continue;
      const { kind: _kind, ...fields } = change;
      const event: AlertRecord = { ...fields, kind: change.kind === 'anomaly' ? 'anomaly' : 'alert', origin: 'cloud' };
      derived.events.push(event);
      derived.publish.push({ site, event });
    }
    for (const request of output.commands) this.#command(site, gateway, request, derived);
  }

  #command(site: string, gateway: string | undefined, request: CommandRequest, derived: DerivedWrites): void {
    const target = request.to === 'gateway' ? (gateway ?? request.target) : request.target;
    const order = { site, target, action: request.action, ...(request.args ? { args: request.args } : {}), actor: `rule:${request.rule}`, reason: request.reason };
    if (request.limited) {
      this.#limited++;
      derived.audit.push(this.commands.limited(order));
      return;
    }
    const { command, audit } = this.commands.prepare(order);
    derived.audit.push(audit);
    derived.publish.push({ site, command });
  }

  /** After the commit and the PUBACKs: publish alerts and commands, feed the registry and the model loop. */
  async #committed(items: readonly Routed[], fresh: readonly boolean[], derived: DerivedWrites): Promise<void> {
    this.#publish(derived);
    const windows: Extract<Routed, { kind: 'features' }>[] = [];
    items.forEach((item, i) => {
      if (item.kind === 'event' && fresh[i]) this.emit('alert', item.event);
      if (item.kind !== 'features' || !fresh[i]) return;
      this.emit('features', item.record, item.message.model);
      windows.push(item);
    });
    const control = items.filter((i) => i.kind === 'status' || i.kind === 'reply');
    // Off the commit path: the next batch need not wait for shadows and rollouts.
    this.#after = this.#after
      .then(async () => {
        for (const item of control) await this.#control(item);
        if (this.#models) {
          for (const { site, record, message } of windows) {
            if (!message.gateway) continue;
            this.#models.noteGateway(message.gateway, site);
            await this.#models.onWindow({ gateway: message.gateway, device: record.device, tsMs: record.tsMs, features: record.features, ...(message.model ? { model: message.model } : {}) });
          }
        }
      })
      .catch((error: unknown) => this.#log.error({ err: error }, 'registry or model loop failed on a batch'));
  }

  #publish(derived: DerivedWrites): void {
    for (const { site, event, command } of derived.publish) {
      if (event) {
        if (event.state === 'raised') this.#alertsRaised++;
        this.#publishEvent(site, event);
        this.emit('alert', event);
      }
      if (command) this.commands.publish(site, command);
    }
  }

  async #control(item: Routed): Promise<void> {
    if (item.kind === 'status') {
      await this.registry.onStatus(item.site, item.status, false);
      this.#models?.noteGateway(item.status.device, item.site);
      await this.#outside(this.#engine.onPresence({ device: item.status.device, online: item.status.state === 'online', tsMs: item.status.tsMs }), item.site);
    } else if (item.kind === 'reply') {
      await this.registry.onReply(item.site, item.reply);
      await this.commands.onReply(item.reply);
      await this.#models?.onReply(item.reply.device, item.reply);
    }
  }

  /** Rule output outside a batch (presence, time passing): committed on its own, then published. */
  async #outside(output: Judged, site: string | undefined): Promise<void> {
    if (output.changes.length === 0 && output.commands.length === 0) return;
    const derived: DerivedWrites = { alerts: [], events: [], audit: [], registry: [], shadows: [], publish: [] };
    const sites = new Map<string, string>();
    for (const device of [...output.changes.map((c) => c.device), ...output.commands.map((c) => c.target)]) sites.set(device, site ?? (await this.#siteOf(device)));
    await this.#captured(derived, async () => {
      for (const change of output.changes) await this.#apply(sites.get(change.device)!, undefined, { changes: [change], commands: [] }, derived);
      for (const request of output.commands) this.#command(sites.get(request.target)!, undefined, request, derived);
    });
    await this.storage.ingest({ features: [], raw: [], deadLetters: [], events: derived.events, alerts: derived.alerts, audit: derived.audit });
    if (derived.audit.length > 0) await this.storage.saveState(AUTOMATION_KEY, this.#engine.automation.snapshot());
    this.#publish(derived);
  }

  async #tick(): Promise<void> {
    try {
      await this.#outside(this.#engine.advance(this.#o.clock.now()), undefined);
      await this.alerts.advance(this.#o.clock.now());
    } catch (error) {
      this.#log.error({ err: error }, 'rule timers failed');
    }
  }

  /** A drift raised or cleared: an alert like a rule's, committed and published the same way. */
  async #drift(change: DriftChange, model: string): Promise<void> {
    const message =
      change.state === 'raised'
        ? `${change.device}: ${change.feature} drifted from model ${model}'s training data (PSI ${change.psi.toFixed(3)} > ${change.threshold})`
        : `${change.device}: ${change.feature} back near model ${model}'s training data (PSI ${change.psi.toFixed(3)})`;
    const alert = { device: change.device, rule: `drift ${change.feature}`, state: change.state, severity: 'warning' as const, tsMs: change.tsMs, value: change.psi, threshold: change.threshold, message, kind: 'drift' };
    await this.#outside({ changes: [alert], commands: [] }, undefined);
  }

  /** Retained, so an observer that subscribes late still reads where each rollout stands. */
  #publishRollout(status: RolloutStatus): void {
    const { startedMs: _started, updatedMs, ...rest } = status;
    const message: RolloutV1 = { type: 'rollout', v: 1, ...rest, tsMs: updatedMs };
    this.#client?.publish(topics.rollout(status.id), Buffer.from(encodeMessage(message, 'json')), { qos: 1, retain: true });
  }

  #publishEvent(site: string, record: AlertRecord): void {
    const event: EventV1 = { type: 'event', v: 1, kind: record.kind ?? 'alert', origin: 'cloud', ...stripKind(record) };
    this.#client?.publish(topics.event(site, record.device), Buffer.from(encodeMessage(event, 'json')), { qos: 1 });
  }

  async #siteOf(device: string): Promise<string> {
    return (await this.registry.entry(device))?.site ?? this.#o.site ?? 'unknown';
  }

  /** Stops cleanly: what is committed is acknowledged; what is not stays with the broker for the next start. */
  async stop(): Promise<void> {
    for (const cancel of this.#cancels.splice(0)) cancel();
    await this.#pipeline.idle();
    await this.#after;
    this.#pipeline.stop();
    await this.#client?.endAsync();
    this.#client = undefined;
  }
}

const AUTOMATION_KEY = 'analytics/automation';

/** What the rules (or drift) made of something: alert changes, with the kind of alert, and commands to send. */
interface Judged {
  changes: readonly (AlertChange & { kind: string })[];
  commands: readonly CommandRequest[];
}

/** The drift policy (validated) and the rollout template a retrain uses, which the policy schema does not know. */
function driftOptions(drift: NonNullable<CloudOptions['drift']>): DriftPolicy & { rollout?: Omit<RolloutSpecInput, 'id' | 'version'> } {
  const { rollout, ...policy } = drift;
  return { ...DriftPolicySchema.parse(policy), ...(rollout ? { rollout } : {}) };
}
/** A shadow's reported window is refreshed at most this often, ms of event time: a live view, not a second store. */
const SHADOW_EVERY_MS = 5000;

function stripKind<T extends { kind?: unknown; origin?: unknown }>(value: T): Omit<T, 'kind' | 'origin'> {
  const { kind: _kind, origin: _origin, ...rest } = value;
  return rest;
}
