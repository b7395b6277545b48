import type { Logger } from 'pino';
import { monotonicWallMs, VirtualClock, type Clock } from '../../sim';
import { DeviceConnectionSchema, type TwinFleet } from '../../twins';
import { GATEWAY_STEP, type Scenario } from '../schema';
import { startEmbeddedSystem, type EmbeddedSystem, type SimulatedLink } from '../stack';
import { TWINBED_OBSERVATION } from './builtin-observation';
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
    this.devices = { ...devices, url: devices.url ?? system.gateway.deviceUrl };
  }

  static async start(options: EmbeddedTargetOptions): Promise<EmbeddedTarget> {
    const uplink = options.links.get('edge->cloud')?.channel;
    const deviceBrokerUrl = options.config.devices?.url;
    const system = await startEmbeddedSystem({
      scenario: options.scenario,
      clock: options.clock,
      ...(uplink ? { uplink } : {}),
      ...(deviceBrokerUrl ? { deviceBrokerUrl } : {}),
      // A scenario that crashes the gateway needs it to have a store that outlives the crash.
      durableGateway: options.scenario.steps.some((step) => step.device === GATEWAY_STEP && step.action === 'crash'),
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
   * Waits until everything the gateway accepted is processed, sent, acknowledged and received by the cloud, and the
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
      // The live gateway's work, but the run's totals: a gateway that crashed and restarted counted part of them.
      const gw = system.gatewayCounters();
      if (!flushed && gw.received >= acked) {
        // Every reading is in the gateway: close the windows still open, so their readings go up too.
        await system.gateway.flush();
        flushed = true;
      }
      const pending = system.gateway.pending();
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
   * The gateway has taken every reading the twins had acknowledged (at once when it is their broker, a moment later
   * through another broker), processed them, and the twins hold every local command it sent. Gives up after
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
      await Promise.race([system.gateway.idle(), expired]);
      while (!timedOut() && fleet.systemCommandsReceived() < system.gatewayCounters().commands) await tick();
    } finally {
      clearTimeout(timer);
    }
    if (timedOut() && !this.#barrierWarned) {
      this.#barrierWarned = true;
      this.#o.logger?.warn({ clock: this.#o.clock.now() }, `the pipeline did not catch up within ${BARRIER_TIMEOUT_MS} ms of wall time; commands go to the twins when they arrive`);
    }
  }

  async act(action: string, args: Record<string, unknown>): Promise<string> {
    if (action !== 'crash') return `the gateway does not take "${action}"`;
    const downMs = typeof args.downMs === 'number' ? args.downMs : 500;
    await this.#system.crashGateway(downMs);
    return `killed, restarted after ${downMs} ms of wall time (crash ${this.#system.crashes})`;
  }

  async figures(): Promise<TargetFigures> {
    const { gateway, storage } = this.#system;
    const gw = this.#system.gatewayCounters();
    const bandwidth = { bytesIn: gw.bytesIn, bytesOut: gw.bytesOut, reduction: gw.bytesOut > 0 ? gw.bytesIn / gw.bytesOut : Infinity };
    const latency = gateway.actionLatency();
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

/** Messages the simulated links still hold, carry or will retry. */
export function linkBacklog(links: ReadonlyMap<string, SimulatedLink>): number {
  let total = 0;
  for (const { channel } of links.values()) {
    const backlog = channel.backlog();
    total += backlog.held + backlog.inFlight + backlog.retrying;
  }
  return total;
}
