import type { Logger } from 'pino';
import type { Gateway } from '../../gateway';
import { monotonicWallMs, VirtualClock, type Clock } from '../../sim';
import { DeviceConnectionSchema, type TwinFleet } from '../../twins';
import { CLOUD_STEP, GATEWAY_STEP, isGatewayPart, systemPart, type Scenario } from '../schema';
import { startEmbeddedSystem, type EmbeddedSystem, type SimulatedLink } from '../stack';
import { TWINBED_OBSERVATION } from './builtin-observation';
import { cloudStep } from './cloud-step';
import { Observer } from './observer';
import type { BarrierFleet, RunningTarget, SettleOutcome, TargetFigures } from './running-target';
import type { StoredCount } from './store-probe';
import type { EmbeddedTargetConfig } from './target-schema';

export interface EmbeddedTargetOptions {
  scenario: Scenario;
  config: EmbeddedTargetConfig;
  baseDir: string;
  clock: Clock;
  links: ReadonlyMap<string, SimulatedLink>;
  /** Wall ms to wait, after the last reading is acknowledged, for the pipeline to store it. */
  settleTimeoutMs: number;
  /** SQLite file for the cloud's store; default in memory. */
  databasePath?: string;
  logger?: Logger;
}

/**
 * twinbed's own gateway and cloud as the system under test: the default, and the reference every external target is
 * compared with. Observed like any other target; its internals only say when it has finished.
 */
export class EmbeddedTarget implements RunningTarget {
  readonly name = 'embedded';
  readonly devices;
  readonly baseDir: string;
  readonly truth = 'broker';
  readonly observer: Observer;
  readonly #system: EmbeddedSystem;
  readonly #o: EmbeddedTargetOptions;
  #barrierWarned = false;

  private constructor(options: EmbeddedTargetOptions, system: EmbeddedSystem, observer: Observer) {
    this.#o = options;
    this.#system = system;
    this.observer = observer;
    this.baseDir = options.baseDir;
    const devices = options.config.devices ?? DeviceConnectionSchema.parse({});
    this.devices = { ...devices, url: devices.url ?? system.deviceUrl };
  }

  static async start(options: EmbeddedTargetOptions): Promise<EmbeddedTarget> {
    const uplink = options.links.get('edge->cloud')?.channel;
    const deviceBrokerUrl = options.config.devices?.url;
    const system = await startEmbeddedSystem({
      scenario: options.scenario,
      clock: options.clock,
      ...(uplink ? { uplink } : {}),
      ...(deviceBrokerUrl ? { deviceBrokerUrl } : {}),
      ...(options.databasePath ? { databasePath: options.databasePath } : {}),
      // A scenario that crashes a gateway needs it to have a store that outlives the crash.
      durableGateway: options.scenario.steps.some((step) => isGatewayPart(systemPart(options.scenario, step.device)) && step.action === 'crash'),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    try {
      const observer = await Observer.start({ observe: TWINBED_OBSERVATION, defaultUrl: system.cloudBroker.url, baseDir: options.baseDir, clock: options.clock, ...(options.logger ? { logger: options.logger } : {}) });
      return new EmbeddedTarget(options, system, observer);
    } catch (error) {
      await system.stop();
      throw error;
    }
  }

  /** The embedded system, for the live page and for tests that look inside. */
  get system(): EmbeddedSystem {
    return this.#system;
  }

  async stored(): Promise<StoredCount[]> {
    return (await this.#system.storage.sequences()).map(({ device, sensor, count, minSeq, maxSeq }) => ({ device, sensor, count, minSeq, maxSeq }));
  }

  /**
   * Waits until everything the gateways accepted is processed, sent, acknowledged and received by the cloud, and the
   * observer has seen every event the cloud holds, or the timeout passes. On a virtual clock simulated time moves on
   * while anything is still on its way: the uplink crosses simulated links, and nothing else would advance it.
   */
  async settle(fleet: Pick<TwinFleet, 'stats'>): Promise<SettleOutcome> {
    const { clock, links, settleTimeoutMs } = this.#o;
    const system = this.#system;
    const { cloud, storage } = system;
    const started = monotonicWallMs();
    const acked = fleet.stats().reduce((n, s) => n + s.acked, 0);
    const deadline = started + settleTimeoutMs;
    let flushed = false;
    let how: SettleOutcome['how'] = 'timeout';
    while (monotonicWallMs() < deadline) {
      if (!flushed && system.gatewayCounters().received >= acked) {
        // Every reading is in a gateway: close the windows still open, so their readings go up too.
        for (const gateway of system.gateways) await gateway.flush();
        flushed = true;
      }
      // One snapshot, taken with no await inside it: counters read before the flush would miss the windows the
      // uplink sent and had acknowledged while it ran, and the run would end before the cloud received them.
      // The live gateways' work, but the run's totals: a gateway that crashed and restarted counted part of them.
      const gw = system.gatewayCounters();
      const pending = pendingOf(system.gateways);
      const backlog = linkBacklog(links);
      const idle = flushed && backlog === 0 && pending.inbox === 0 && pending.outbox === 0 && pending.inFlight === 0;
      // Every acknowledged row must have reached the cloud once: a simulated uplink may deliver one twice (the
      // cloud counts the copy as a duplicate) or lose a QoS 0 one (the link counts it).
      const uplinkLost = links.get('edge->cloud')?.channel.counters().lostQos0 ?? 0;
      const stats = cloud.stats();
      if (idle && stats.received - stats.duplicatesDropped + uplinkLost >= gw.uplinkAcked) {
        await cloud.idle();
        // The observer subscribes on the same broker: wait until it has read every event the cloud holds.
        const events = (await storage.counts()).alerts;
        if (this.observer.log.alerts.length >= events) {
          how = 'complete';
          break;
        }
      }
      if (clock instanceof VirtualClock && (backlog > 0 || pending.outbox > 0 || pending.inFlight > 0)) {
        await clock.runUntil(clock.now() + 100);
        // Advancing an idle virtual clock settles in microtasks only: yield, or sockets never get to deliver.
        await new Promise((resolve) => setImmediate(resolve));
      } else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await cloud.idle();
    return { how, waitedMs: monotonicWallMs() - started };
  }

  /**
   * The gateways have taken every reading the twins had acknowledged (at once when one is their broker, a moment later
   * through another broker), processed them, and the twins hold every local command they sent. Gives up after
   * BARRIER_TIMEOUT_MS of wall time (a session that is down cannot drain), saying so: the run goes on, less exactly.
   */
  async barrier(fleet: BarrierFleet): Promise<void> {
    const system = this.#system;
    const deadline = monotonicWallMs() + BARRIER_TIMEOUT_MS;
    const timedOut = () => monotonicWallMs() >= deadline;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, BARRIER_TIMEOUT_MS)));
    try {
      await Promise.race([fleet.drain(), expired]);
      while (!timedOut() && system.gatewayCounters().received < fleet.transport().acked) await tick();
      await Promise.race([Promise.all(system.gateways.map((gateway) => gateway.idle())), expired]);
      while (!timedOut() && fleet.systemCommandsReceived() < system.gatewayCounters().commands) await tick();
      if (this.#o.scenario.cloud?.models) await this.#cloudCaughtUp(timedOut);
    } finally {
      clearTimeout(timer);
    }
    if (timedOut() && !this.#barrierWarned) {
      this.#barrierWarned = true;
      this.#o.logger?.warn({ clock: this.#o.clock.now() }, `the pipeline did not catch up within ${BARRIER_TIMEOUT_MS} ms of wall time; commands go to the twins when they arrive`);
    }
  }

  /**
   * With the cloud's model loop on, simulated time also waits for the cloud: every window the gateways made is
   * stored and judged, and every model command the cloud sent has its reply. A rollout then moves on the same
   * simulated windows on every run, however busy the machine.
   */
  async #cloudCaughtUp(timedOut: () => boolean): Promise<void> {
    const { cloud, gateways } = this.#system;
    for (;;) {
      while (!timedOut() && gateways.some((g) => g.pending().outbox > 0 || g.pending().inFlight > 0)) await tick();
      await cloud.idle();
      if (timedOut() || cloud.commands.awaitingReplies() === 0) return;
      // A reply may start the next command (stage, then activate): wait for the gateway to answer that too.
      await tick();
      await Promise.all(gateways.map((gateway) => gateway.idle()));
    }
  }

  /**
   * A step on the embedded system: `gateway` (the one args.gateway names, default the first) or a gateway's id takes
   * `crash`; `cloud` takes the model lifecycle's steps (cloudStep).
   */
  async act(part: string, action: string, args: Record<string, unknown>): Promise<string> {
    if (part === CLOUD_STEP) {
      await this.#cloudCaughtUp(() => false);
      return cloudStep(this.#system.cloud, action, args, Date.parse(this.#o.scenario.startTime));
    }
    const fleet = this.#o.scenario.gateways !== undefined;
    const ids = this.#system.gateways.map((gateway) => gateway.config.id);
    const id = part !== GATEWAY_STEP ? part : typeof args.gateway === 'string' ? args.gateway : ids[0]!;
    if (!ids.includes(id)) return `the embedded system has no gateway "${id}" (gateways: ${ids.join(', ')})`;
    const who = fleet ? `gateway ${id}` : 'the gateway';
    if (action !== 'crash') return `${who} does not take "${action}"`;
    const downMs = typeof args.downMs === 'number' ? args.downMs : 500;
    await this.#system.crashGateway(downMs, id);
    // A single gateway's outcome reads as it always has: reports of runs without gateways: stay the same.
    return fleet ? `${id} killed, restarted after ${downMs} ms of wall time (crash ${this.#system.crashesOf(id)} of ${id})` : `killed, restarted after ${downMs} ms of wall time (crash ${this.#system.crashes})`;
  }

  async figures(): Promise<TargetFigures> {
    const { gateways, storage } = this.#system;
    const gw = this.#system.gatewayCounters();
    const bandwidth = { bytesIn: gw.bytesIn, bytesOut: gw.bytesOut, reduction: gw.bytesOut > 0 ? gw.bytesIn / gw.bytesOut : Infinity };
    const latency = actionLatencyOf(gateways);
    return {
      deadLettered: (await storage.counts()).deadLetters,
      edge: {
        bytesIn: bandwidth.bytesIn,
        bytesOut: bandwidth.bytesOut,
        bandwidthReduction: Number(bandwidth.reduction.toFixed(1)),
        rawBytesOut: gw.rawBytesOut,
        events: gw.events,
        commands: gw.commands,
      },
      ...(gw.commands ? { actionLatency: { p50Ms: Number(latency.p50Ms.toFixed(2)), p99Ms: Number(latency.p99Ms.toFixed(2)) } } : {}),
    };
  }

  async stop(): Promise<void> {
    await this.observer.stop();
    await this.#system.stop();
  }
}

/** Wall ms a barrier waits for the pipeline before it lets simulated time go on. */
const BARRIER_TIMEOUT_MS = 5000;

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

/** Work still in any of the gateways, summed. */
function pendingOf(gateways: readonly Gateway[]): ReturnType<Gateway['pending']> {
  const total = { inbox: 0, outbox: 0, inFlight: 0 };
  for (const gateway of gateways) {
    const pending = gateway.pending();
    total.inbox += pending.inbox;
    total.outbox += pending.outbox;
    total.inFlight += pending.inFlight;
  }
  return total;
}

/**
 * The gateways' detection-to-command latency: the one gateway's, or for a fleet the slowest p50 and p99 of those that
 * sent commands, since percentiles of separate summaries cannot be merged exactly; an upper bound of the fleet's.
 */
function actionLatencyOf(gateways: readonly Gateway[]): { p50Ms: number; p99Ms: number } {
  if (gateways.length === 1) return gateways[0]!.actionLatency();
  const acting = gateways.map((gateway) => gateway.actionLatency()).filter((latency) => latency.count > 0);
  if (acting.length === 0) return gateways[0]!.actionLatency();
  return { p50Ms: Math.max(...acting.map((l) => l.p50Ms)), p99Ms: Math.max(...acting.map((l) => l.p99Ms)) };
}

/** Messages the simulated links still hold, carry or will retry. */
export function linkBacklog(links: ReadonlyMap<string, SimulatedLink>): number {
  let total = 0;
  for (const { channel } of links.values()) {
    const backlog = channel.backlog();
    total += backlog.held + backlog.inFlight + backlog.retrying;
  }
  return total;
}
