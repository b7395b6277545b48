import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { ConfigError } from '../../protocol';
import { HeldClock, monotonicWallMs, RandomStreams, Scheduler, VirtualClock, type Clock } from '../../sim';
import { blockSeconds, createMachines, TransportStats, TwinFleet, type Channel, type DeviceConnection, type DeviceStats } from '../../twins';
import type { Scenario } from '../schema';
import type { LoadedTarget } from '../target';
import type { DeviceLoad, FleetLoadReport, LoadSnapshot } from './load-report';
import { sliceFleet, type FleetSlice } from './scale';
import type { Shard } from './shard';

export interface FleetLoadOptions {
  scenario: Scenario;
  /** The scenario file, for the report. */
  file?: string;
  /** A `kind: mqtt` target: its `devices:` section says where and how the twins connect; the rest is not used. */
  target: LoadedTarget;
  /** Copies of the scenario's fleet, each with unique ids (`pump-1` → `pump-1-0001` …). Default 1: the ids as written. */
  scale?: number;
  /** The part of the scaled fleet this process runs. Default: all of it. */
  shard?: Shard;
  /** Overrides the scenario's durationS, simulated seconds. */
  durationS?: number;
  /** Overrides the scenario's timeScale: `max` (virtual time, as fast as the broker acknowledges) or ×N real time. */
  timeScale?: number | 'max';
  /** Overrides the scenario's seed. */
  seed?: string | number;
  /** After the last block, wall ms to wait for outstanding acknowledgements before counting them unacknowledged. Default 30000. */
  drainTimeoutMs?: number;
  logger?: Logger;
}

/** Wall ms between steps of a virtual run, so progress, /metrics and a stop request are served while it runs. */
const VIRTUAL_STEP_MS = 1000;

/**
 * Runs only a scenario's twins, scaled and sharded, as load against a target's device broker: the same devices,
 * signals and bytes as `twinbed run` would send, with no gateway, cloud or observer. Devices that cannot connect are
 * counted and left out. A device's messages depend on the seed and its id only, never on the shard it runs in.
 */
export class FleetLoad {
  readonly slice: FleetSlice;
  readonly #options: FleetLoadOptions;
  readonly #connection: DeviceConnection & { url: string };
  readonly #durationS: number;
  readonly #timeScale: number | 'max';
  readonly #seed: string | number;
  readonly #startMs: number;
  readonly #endMs: number;
  readonly #clock: VirtualClock | HeldClock;
  readonly #tickErrors = new Map<string, number>();
  #phase: LoadSnapshot['phase'] = 'connecting';
  #fleet: TwinFleet | undefined;
  #channels: { device: string; channel: Channel }[] = [];
  #publishStartWallMs = 0;
  #publishEndWallMs = 0;
  #stopRequested: string | undefined;
  #wakeStop: () => void = () => {};

  constructor(options: FleetLoadOptions) {
    const { scenario, target } = options;
    if (target.target.kind !== 'mqtt') {
      throw new ConfigError(target.name, [{ path: 'kind', message: `twinbed twins needs a kind: mqtt target, whose devices: section names the broker to load; this one is ${target.target.kind}` }]);
    }
    this.#options = options;
    const devices = target.target.devices;
    this.#connection = { ...devices, url: devices.url! };
    this.slice = sliceFleet(scenario, { ...(options.scale !== undefined ? { scale: options.scale } : {}), ...(options.shard ? { shard: options.shard } : {}) });
    this.#durationS = options.durationS ?? scenario.durationS;
    this.#timeScale = options.timeScale ?? scenario.timeScale;
    this.#seed = options.seed ?? scenario.seed;
    this.#startMs = Date.parse(scenario.startTime);
    this.#endMs = this.#startMs + this.#durationS * 1000;
    this.#clock =
      this.#timeScale === 'max'
        ? new VirtualClock(this.#startMs)
        : new HeldClock(this.#timeScale, this.#startMs, { onError: (error) => this.#tickError(error) });
  }

  /** Live figures for a progress line and /metrics; zeros until the fleet has connected. */
  snapshot(): LoadSnapshot {
    const fleet = this.#fleet;
    const transport = fleet ? fleet.transport() : { ...new TransportStats().summary(), devicesFailed: 0 };
    const publishing = this.#publishStartWallMs > 0;
    const endWallMs = this.#publishEndWallMs || monotonicWallMs();
    return {
      phase: this.#phase,
      devices: this.slice.to - this.slice.from,
      devicesFailed: transport.devicesFailed,
      simulatedS: (Math.min(this.#clock.now(), this.#endMs) - this.#startMs) / 1000,
      durationS: this.#durationS,
      publishWallS: publishing ? (endWallMs - this.#publishStartWallMs) / 1000 : 0,
      intendedPerS: this.#intendedPerS(),
      transport: { ...transport, errors: this.#errors(transport.errors) },
    };
  }

  /** Ends the run early (a signal): no new blocks, what was published is drained, the report says why. */
  stop(reason: string): void {
    this.#stopRequested ??= reason;
    this.#wakeStop();
  }

  /** Connects the shard's devices, publishes for the duration, waits for the acknowledgements, and reports. */
  async run(): Promise<FleetLoadReport> {
    const { scenario, target, logger } = this.#options;
    const startedAt = new Date().toISOString();
    const cpuStart = process.cpuUsage();
    const rssBefore = process.memoryUsage.rss();
    const connectStartWallMs = monotonicWallMs();
    const streams = new RandomStreams(this.#seed);
    const definition = this.slice.definition;
    const fleet = await TwinFleet.start({
      brokerUrl: this.#connection.url,
      connection: this.#connection,
      baseDir: target.baseDir,
      truth: target.target.kind === 'mqtt' ? target.target.truth : 'local',
      site: scenario.site,
      machines: async (s) => {
        const machines = await createMachines(definition, s);
        this.#channels = machines.flatMap((m) => m.channels.map((channel) => ({ device: m.id, channel })));
        return machines;
      },
      indexOf: this.slice.indexOf,
      // Evenly over each block period by position in the whole fleet: a steady stream, the same in every shard.
      phaseOf: (device) => this.slice.indexOf(device) / this.slice.total,
      scheduler: new Scheduler(this.#clock as Clock),
      streams,
      startMs: this.#startMs,
      endMs: this.#endMs,
      onConnectFailure: 'count',
      ...(logger ? { logger: logger.child({ layer: 'twins' }) } : {}),
    });
    this.#fleet = fleet;
    let stats: DeviceStats[];
    let sha: Record<string, string>;
    let cpuS: number;
    let transport: ReturnType<TwinFleet['transport']>;
    let publishCpuS: number;
    // RSS swings with the garbage collector's timing; its low point while publishing is about the live footprint.
    let rssLow = Infinity;
    const sampler = setInterval(() => (rssLow = Math.min(rssLow, process.memoryUsage.rss())), 1000);
    sampler.unref();
    try {
      const cpuPublishStart = process.cpuUsage();
      this.#publishStartWallMs = monotonicWallMs();
      this.#phase = 'running';
      await this.#runClock();
      fleet.halt();
      this.#phase = 'draining';
      await this.#drain(fleet);
      this.#publishEndWallMs = monotonicWallMs();
      const cpu = process.cpuUsage(cpuStart);
      cpuS = (cpu.user + cpu.system) / 1e6;
      const publishCpu = process.cpuUsage(cpuPublishStart);
      publishCpuS = (publishCpu.user + publishCpu.system) / 1e6;
      // Before the sessions close: their goodbyes are not the run's disconnects.
      transport = fleet.transport();
      stats = fleet.stats();
      sha = fleet.deviceSha256();
    } finally {
      clearInterval(sampler);
      await fleet.stop();
      if (this.#clock instanceof HeldClock) this.#clock.close();
      this.#phase = 'done';
    }
    const { perDevice, dropped } = this.#perDevice(stats, sha);
    const readings = Object.values(perDevice).reduce((n, d) => n + d.messages, 0);
    const all = createHash('sha256');
    // As TwinFleet.telemetrySha256: the shards' per-device hashes merged give the unsharded run's figure.
    for (const device of Object.keys(perDevice).sort((a, b) => a.localeCompare(b))) all.update(`${device}:${perDevice[device]!.sha256}\n`);
    const publishWallS = (this.#publishEndWallMs - this.#publishStartWallMs) / 1000;
    const errors = this.#errors(transport.errors);
    const round = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : 0);
    return {
      scenario: scenario.name,
      ...(this.#options.file ? { file: this.#options.file } : {}),
      seed: this.#seed,
      target: target.name,
      url: redact(this.#connection.url),
      scale: this.#options.scale ?? 1,
      shard: { ...(this.#options.shard ?? { index: 1, total: 1 }), from: this.slice.from, to: this.slice.to },
      devices: { total: this.slice.total, inShard: this.slice.to - this.slice.from },
      durationS: this.#durationS,
      timeScale: this.#timeScale,
      startedAt,
      ...(this.#stopRequested ? { stoppedEarly: this.#stopRequested } : {}),
      connectWallS: round((this.#publishStartWallMs - connectStartWallMs) / 1000),
      publishWallS: round(publishWallS),
      connections: {
        attempted: transport.connectAttempts,
        established: transport.connectsEstablished,
        devicesConnected: this.slice.to - this.slice.from - transport.devicesFailed,
        devicesFailed: transport.devicesFailed,
        disconnects: transport.disconnects,
        connectP50Ms: round(transport.connectMs.p50Ms),
        connectP99Ms: round(transport.connectMs.p99Ms),
        failed: [...fleet.failedDevices()],
      },
      messages: {
        intended: this.#intendedMessages(),
        readings,
        dropped,
        sent: transport.messages,
        acked: transport.acked,
        failed: transport.failed,
        unacknowledged: transport.messages - transport.acked - transport.failed,
        intendedPerS: round(this.#intendedPerS(), 1),
        achievedPerS: round(publishWallS > 0 ? transport.acked / publishWallS : 0, 1),
      },
      pubackMs: { count: transport.pubackMs.count, p50: round(transport.pubackMs.p50Ms), p99: round(transport.pubackMs.p99Ms), max: round(transport.pubackMs.maxMs) },
      errors,
      bytes: transport.bytes,
      process: {
        cpuS: round(cpuS),
        publishCpuS: round(publishCpuS),
        rssBeforeMb: round(rssBefore / 2 ** 20, 1),
        rssLowMb: round((Number.isFinite(rssLow) ? rssLow : process.memoryUsage.rss()) / 2 ** 20, 1),
        rssPeakMb: round((process.resourceUsage().maxRSS * 1024) / 2 ** 20, 1),
      },
      telemetrySha256: all.digest('hex'),
      perDevice,
    };
  }

  async #runClock(): Promise<void> {
    const clock = this.#clock;
    // A shard with no devices (more shards than devices) has nothing to wait for.
    if (this.slice.to === this.slice.from) return;
    if (clock instanceof VirtualClock) {
      while (clock.now() < this.#endMs && this.#stopRequested === undefined) {
        await clock.runUntil(Math.min(this.#endMs, clock.now() + VIRTUAL_STEP_MS));
        // Let sockets, timers and signals in between steps: a step may never wait on I/O (QoS 0, open windows).
        await new Promise((resolve) => setImmediate(resolve));
      }
      return;
    }
    clock.release();
    if (this.#stopRequested !== undefined) return;
    await new Promise<void>((resolve) => {
      const cancel = clock.schedule(this.#endMs, () => resolve());
      this.#wakeStop = () => {
        cancel();
        resolve();
      };
    });
  }

  async #drain(fleet: TwinFleet): Promise<void> {
    const timeoutMs = this.#options.drainTimeoutMs ?? 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([fleet.drain(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  #errors(transport: Readonly<Record<string, number>>): Record<string, number> {
    const errors = { ...transport };
    for (const [reason, n] of this.#tickErrors) errors[reason] = (errors[reason] ?? 0) + n;
    return errors;
  }

  /** A block job that threw at real time (a reading left unsent when its session closed): counted by reason. */
  #tickError(error: unknown): void {
    const reason = (error as { reason?: unknown }).reason;
    const key = typeof reason === 'string' ? `unsent: ${reason}` : (error as Error).message;
    if (!this.#tickErrors.has(key)) this.#options.logger?.warn({ err: error }, 'a device could not publish a reading');
    this.#tickErrors.set(key, (this.#tickErrors.get(key) ?? 0) + 1);
  }

  /** Per running device what it sent; and the messages sensor dropouts kept back, fleet-wide. */
  #perDevice(stats: readonly DeviceStats[], sha: Record<string, string>): { perDevice: Record<string, DeviceLoad>; dropped: number } {
    const out: Record<string, DeviceLoad> = {};
    const channelOf = new Map(this.#channels.map((c) => [`${c.device}\u0000${c.channel.sensor}`, c.channel]));
    let dropped = 0;
    for (const s of stats) {
      const perBlock = messagesPerBlock(this.#connection, channelOf.get(`${s.device}\u0000${s.sensor}`)!);
      const d = (out[s.device] ??= { messages: 0, readings: 0, readingsAcked: 0, readingsFailed: 0, bytes: 0, sha256: sha[s.device]! });
      dropped += s.dropped * perBlock;
      d.messages += s.sent * perBlock;
      d.readings += s.sent;
      d.readingsAcked += s.acked;
      d.readingsFailed += s.failed;
      d.bytes += s.bytes;
    }
    return { perDevice: out, dropped };
  }

  /** Messages a second the shard's readings make, every device counted, in simulated time × the time scale. */
  #intendedPerS(): number {
    let perSimulatedS = 0;
    for (const { channel } of this.#channels) perSimulatedS += messagesPerBlock(this.#connection, channel) / blockSeconds(channel);
    return this.#timeScale === 'max' ? perSimulatedS : perSimulatedS * this.#timeScale;
  }

  #intendedMessages(): number {
    let n = 0;
    for (const { channel } of this.#channels) n += blocksBetween(this.#startMs, this.#endMs, blockSeconds(channel) * 1000) * messagesPerBlock(this.#connection, channel);
    return n;
  }
}

/** MQTT messages one block of `channel` makes in this connection's format. */
function messagesPerBlock(connection: DeviceConnection, channel: Channel): number {
  return connection.format.type === 'flat-json' && connection.format.per === 'sample' ? channel.blockSamples : 1;
}

/** Blocks a channel publishes between startMs and endMs: ticks startMs + k·blockMs ≤ endMs − blockMs, as TwinFleet schedules them. */
export function blocksBetween(startMs: number, endMs: number, blockMs: number): number {
  const lastMs = endMs - blockMs;
  if (startMs > lastMs) return 0;
  let n = Math.floor((lastMs - startMs) / blockMs) + 1;
  while (n > 0 && startMs + (n - 1) * blockMs > lastMs) n--;
  while (startMs + n * blockMs <= lastMs) n++;
  return n;
}

function redact(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}
