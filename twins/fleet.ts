import { createHash, type Hash } from 'node:crypto';
import type { Logger } from 'pino';
import { encodeMessage, topics, type CommandV1, type TelemetryV1, type TruthFault, type TruthV1 } from '../protocol';
import { monotonicWallMs, type Cancel, type LinkChannel, type RandomStreams, type Scheduler } from '../sim';
import { blockSeconds, telemetryOf, type Channel } from './channel';
import type { ExternalBlock, ExternalDevice } from './external-device';
import type { Machine } from './machine';
import {
  ConnectGate,
  DeviceConnectionSchema,
  DeviceSession,
  dialectFor,
  sessionConnectFor,
  TransportStats,
  type DeviceConnection,
  type DeviceIdentity,
  type TransportSummary,
} from './transport';

export interface TwinFleetOptions {
  /** Broker the devices publish to when `connection.url` does not say (the embedded gateway's device side). */
  brokerUrl: string;
  /** How devices connect and what they send. Default: twinbed CBOR envelopes on the twinbed topics, MQTT 3.1.1. */
  connection?: DeviceConnection;
  /** Folder that credential and certificate paths in `connection.auth` are relative to. Default: the working folder. */
  baseDir?: string;
  site: string;
  /** Builds the machines; called once at start with the run's random streams. */
  machines: (streams: RandomStreams) => Promise<Machine[]>;
  /**
   * Devices that are not simulated (hardware): each gets a session after the machines', as the device it stands for,
   * and its blocks are published as they come. Their `{index}` follows the machines'. Default none.
   */
  external?: readonly ExternalDevice[];
  /** Each device's position in the whole fleet, for `{index}` (a shard passes the unsharded positions). Default: its order here. */
  indexOf?: (device: string) => number;
  scheduler: Scheduler;
  streams: RandomStreams;
  /** Simulated start of the run, ms since the Unix epoch; fault times count from here. */
  startMs: number;
  /** Simulated end: no block starts at or after it. Default: never. */
  endMs?: number;
  /** Seconds between ground-truth checks; truth is published when it changes. Default 1. */
  truthIntervalS?: number;
  /**
   * Publish ground truth on `twinbed-truth/v1/…` on the device broker (`broker`), or keep it in this process only
   * (`local`: a user's broker sees nothing twinbed's verdicts rest on). Default `broker`.
   */
  truth?: 'broker' | 'local';
  /** Devices that cannot connect: fail the start (`throw`), or count them and run without them (`count`, for load). Default `throw`. */
  onConnectFailure?: 'throw' | 'count';
  /**
   * When a device publishes, as a fraction in [0, 1) of its shortest block period, from its id: every block of every
   * channel of the device goes out that much later, in whole ms. Spread over a fleet, it sends a steady stream
   * instead of a burst at each block boundary; the readings and their order per device stay exactly the same.
   * Default: 0, every device at the start of its blocks.
   */
  phaseOf?: (device: string) => number;
  /** Devices connecting at the same time at start. Default 256. */
  connectConcurrency?: number;
  /** The simulated network between the devices and their broker; readings cross it before they are published. */
  link?: LinkChannel;
  /**
   * Hold the system's commands until releaseCommands(): a run on a virtual clock hands them over at its pipeline
   * barriers, so when a command lands in simulated time does not depend on how fast the machine running it is.
   */
  holdCommands?: boolean;
  /** Where the sessions' connects, acknowledgements and errors are counted, when other devices of the run share it. Default: the fleet's own. */
  stats?: TransportStats;
  logger?: Logger;
}

/** A command a twin received, for latency measurements and reports. */
export interface ReceivedCommand {
  device: string;
  command: CommandV1;
  /** Wall-clock ms (monotonic) when the twin received it. */
  receivedWallMs: number;
  /** Simulated run time (s) at which the twin acted on it. */
  atS: number;
  /** What the machine did, or undefined if it does not support the action. A device outside the simulation fills it in when it answers. */
  outcome: string | undefined;
}

export interface DeviceStats {
  device: string;
  sensor: string;
  qos: 0 | 1;
  /** Blocks published. */
  sent: number;
  /** Blocks whose every message the broker acknowledged (QoS 1) or took (QoS 0). */
  acked: number;
  failed: number;
  /** Blocks the sensor did not deliver (dropout faults). */
  dropped: number;
  /** Payload bytes of the blocks' messages. */
  bytes: number;
}

interface ChannelState {
  channel: Channel;
  qos: 0 | 1;
  seq: number;
  dropped: number;
  cancel: Cancel;
}

interface Twin {
  machine: Machine;
  session: DeviceSession;
  hash: Hash;
  channels: ChannelState[];
  truth: string;
}

/** A device outside the simulation, and what the fleet published for it. */
interface External {
  device: ExternalDevice;
  /** None when the device speaks to the system itself (`forward: false`). */
  session: DeviceSession | undefined;
  hash: Hash;
  channels: Map<string, { sensor: string; unit: string; rateHz: number; qos: 0 | 1; seq: number }>;
  /** Its blocks are published one after another, in the order they came. */
  chain: Promise<void>;
}

/** What a session is opened for: a machine, or a device outside the simulation. */
interface SessionEntry {
  device: string;
  index: number;
  sensors: DeviceIdentity['sensors'];
  onCommand: (command: CommandV1) => void;
}

/** Runs machine twins as MQTT devices: one session each, every sensor channel publishing blocks on the scheduler. */
export class TwinFleet {
  readonly #options: TwinFleetOptions;
  readonly #connection: DeviceConnection & { url: string };
  readonly #twins: Twin[] = [];
  readonly #external: External[] = [];
  #halted = false;
  readonly #truthLog: TruthV1[] = [];
  readonly #commands: ReceivedCommand[] = [];
  readonly #held: { machine: Machine; command: CommandV1; receivedWallMs: number }[] = [];
  readonly #stats: TransportStats;
  readonly #failed: { device: string; reason: string }[] = [];
  #cancelTruth: Cancel = () => {};

  private constructor(options: TwinFleetOptions) {
    this.#options = options;
    this.#stats = options.stats ?? new TransportStats();
    const connection = options.connection ?? DeviceConnectionSchema.parse({});
    this.#connection = { ...connection, url: connection.url ?? options.brokerUrl };
  }

  static async start(options: TwinFleetOptions): Promise<TwinFleet> {
    const fleet = new TwinFleet(options);
    try {
      const machines = await options.machines(options.streams);
      let sessions: (DeviceSession | undefined)[];
      try {
        sessions = await fleet.#openSessions(
          machines.map((machine, i) => ({
            device: machine.id,
            index: options.indexOf?.(machine.id) ?? i,
            sensors: machine.channels.map((c) => ({ sensor: c.sensor, unit: c.unit, rateHz: c.rateHz, blockSamples: c.blockSamples })),
            onCommand: (command) => fleet.#onCommand(machine, command),
          })),
        );
      } catch (error) {
        for (const machine of machines) machine.dispose?.();
        throw error;
      }
      // Schedules are made in machine order once every session is open: a virtual clock breaks ties by insertion order.
      machines.forEach((machine, i) => {
        const session = sessions[i];
        if (session) fleet.#startTwin(machine, session);
        else machine.dispose?.();
      });
      fleet.#startTruth();
      await fleet.#startExternal(options.external ?? [], machines.length);
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  async #openSessions(entries: readonly SessionEntry[]): Promise<(DeviceSession | undefined)[]> {
    const { site, logger, onConnectFailure = 'throw', connectConcurrency = 256 } = this.#options;
    const gate = new ConnectGate(this.#connection.connectRatePerS);
    const files = new Map<string, Promise<Buffer>>();
    const sessions: (DeviceSession | undefined)[] = new Array(entries.length);
    const opened: DeviceSession[] = [];
    let next = 0;
    // The failure of the first device in fleet order, whichever failed first in time: the same run, the same message.
    const first: { failure?: { index: number; error: unknown } } = {};
    const keepFirst = (index: number, error: unknown) => {
      if (first.failure === undefined || index < first.failure.index) first.failure = { index, error };
    };
    const worker = async () => {
      while (next < entries.length && first.failure === undefined) {
        const i = next++;
        const entry = entries[i]!;
        const id: DeviceIdentity = { site, device: entry.device, index: entry.index, sensors: entry.sensors };
        try {
          const session = await DeviceSession.open({
            id,
            connect: await sessionConnectFor(this.#connection, id, this.#options.baseDir ?? process.cwd(), files),
            dialect: dialectFor(this.#connection, id, () => this.#options.scheduler.clock.now()),
            stats: this.#stats,
            gate,
            onCommand: entry.onCommand,
            ...(logger ? { logger } : {}),
          });
          sessions[i] = session;
          opened.push(session);
        } catch (error) {
          if (onConnectFailure === 'throw') keepFirst(i, error);
          this.#failed.push({ device: entry.device, reason: (error as Error).message });
          this.#stats.error((error as { reason?: string }).reason ?? (error as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(connectConcurrency, entries.length) }, worker));
    if (first.failure !== undefined) {
      await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
      throw first.failure.error;
    }
    return sessions;
  }

  #onCommand(machine: Machine, command: CommandV1): void {
    if (this.#options.holdCommands) this.#held.push({ machine, command, receivedWallMs: monotonicWallMs() });
    else this.#act(machine, command, monotonicWallMs());
  }

  #act(machine: Machine, command: CommandV1, receivedWallMs: number): void {
    const atS = (this.#options.scheduler.clock.now() - this.#options.startMs) / 1000;
    this.#commands.push({ device: machine.id, command, receivedWallMs, atS, outcome: machine.command?.(command, atS) });
  }

  /**
   * Hands the held commands to their twins now, in an order that does not depend on how they arrived: the fleet's
   * device order, then event time, then id. Returns how many.
   */
  releaseCommands(): number {
    if (this.#held.length === 0) return 0;
    const order = new Map(this.#twins.map((t, i) => [t.machine.id, i]));
    const held = this.#held.splice(0).sort((a, b) => order.get(a.machine.id)! - order.get(b.machine.id)! || a.command.tsMs - b.command.tsMs || (a.command.id < b.command.id ? -1 : a.command.id > b.command.id ? 1 : 0));
    for (const { machine, command, receivedWallMs } of held) this.#act(machine, command, receivedWallMs);
    return held.length;
  }

  /** Commands from the system the twins (and the devices outside the simulation) have received, held or acted on. */
  systemCommandsReceived(): number {
    return this.#commands.length + this.#held.length;
  }

  /** Sessions for the devices outside the simulation that the fleet speaks for, then their blocks flow. */
  async #startExternal(devices: readonly ExternalDevice[], firstIndex: number): Promise<void> {
    const forwarded = devices.filter((d) => d.forward);
    const sessions = await this.#openSessions(
      forwarded.map((device, i) => ({ device: device.id, index: this.#options.indexOf?.(device.id) ?? firstIndex + i, sensors: device.sensors, onCommand: (command) => this.#onExternalCommand(device, command) })),
    );
    for (const device of devices) {
      const session = device.forward ? sessions[forwarded.indexOf(device)] : undefined;
      const qos = this.#connection.qos ?? 1;
      const state: External = {
        device,
        session,
        hash: createHash('sha256'),
        channels: new Map(device.sensors.map((s) => [s.sensor, { sensor: s.sensor, unit: s.unit, rateHz: s.rateHz, qos, seq: 0 }])),
        chain: Promise.resolve(),
      };
      this.#external.push(state);
      if (session) device.start((block) => this.#publishExternal(state, session, block));
    }
  }

  #publishExternal(state: External, session: DeviceSession, block: ExternalBlock): boolean {
    const channel = state.channels.get(block.sensor);
    if (this.#halted || !channel) return false;
    const telemetry: TelemetryV1 = { type: 'telemetry', v: 1, device: state.device.id, sensor: channel.sensor, seq: channel.seq++, tsMs: block.tsMs, rateHz: channel.rateHz, unit: channel.unit, values: block.values };
    const messages = session.encode(telemetry, channel.qos);
    let qos: 0 | 1 = 0;
    for (const m of messages) {
      if (m.qos === 1) qos = 1;
      state.hash.update(m.topic).update(m.payload);
    }
    channel.qos = qos;
    const link = this.#options.link;
    // In arrival order, one after another: the session's window gives backpressure, the device is not held up by it.
    state.chain = state.chain.then(() =>
      link
        ? link.send({ bytes: messages.reduce((n, m) => n + m.payload.byteLength, 0), qos }, () => session.publish(messages, channel.sensor))
        : session.publish(messages, channel.sensor),
    ).catch((error: unknown) => this.#options.logger?.warn({ device: state.device.id, err: error }, 'a hardware reading could not be published'));
    return true;
  }

  #onExternalCommand(device: ExternalDevice, command: CommandV1): void {
    const atS = (this.#options.scheduler.clock.now() - this.#options.startMs) / 1000;
    const received: ReceivedCommand = { device: device.id, command, receivedWallMs: monotonicWallMs(), atS, outcome: undefined };
    this.#commands.push(received);
    void device.command(command).then((outcome) => (received.outcome = outcome));
  }

  #startTwin(machine: Machine, session: DeviceSession): void {
    const { scheduler, startMs, endMs = Infinity } = this.#options;
    const twin: Twin = { machine, session, hash: createHash('sha256'), channels: [], truth: '' };
    const offsetMs = this.#offsetMs(machine);
    for (const channel of machine.channels) {
      const state: ChannelState = { channel, qos: this.#connection.qos ?? channel.qos ?? 1, seq: 0, dropped: 0, cancel: () => {} };
      const blockMs = blockSeconds(channel) * 1000;
      state.cancel = scheduler.every(
        blockMs,
        async (_atMs, tick) => {
          // The block's start computed as the scheduler computes an unshifted tick, so a phase never changes a bit of it.
          const tickMs = startMs + tick * blockMs;
          if (tickMs > endMs - blockMs) return;
          const block = channel.next((tickMs - startMs) / 1000);
          if (block.dropped) {
            state.dropped++;
            return;
          }
          const messages = session.encode(telemetryOf(machine.id, channel, block, state.seq++, tickMs), state.qos);
          // A dialect may carry readings at another QoS than asked (Sparkplug DDATA is QoS 0): count them as sent.
          let qos: 0 | 1 = 0;
          for (const m of messages) {
            if (m.qos === 1) qos = 1;
            twin.hash.update(m.topic).update(m.payload);
          }
          state.qos = qos;
          const link = this.#options.link;
          // Through a simulated link the reading is published when (and as often as) it arrives; the clock awaits
          // each delivery, so backpressure still holds. Without one it is published now.
          if (link) link.send({ bytes: messages.reduce((n, m) => n + m.payload.byteLength, 0), qos }, () => session.publish(messages, channel.sensor));
          else await session.publish(messages, channel.sensor);
        },
        // Shifted, the last tick is found by the unshifted test above: rounding must not add or lose one.
        { startMs: startMs + offsetMs, endMs: offsetMs === 0 ? endMs - blockMs : endMs - blockMs + offsetMs + blockMs / 2 },
      );
      twin.channels.push(state);
    }
    this.#twins.push(twin);
    this.#options.logger?.debug({ device: machine.id, sensors: machine.channels.map((c) => c.sensor) }, 'twin started');
  }

  /**
   * One offset for all of a machine's channels, so its blocks keep their order (a device's hash covers the order).
   * Whole ms: added to a whole-ms start, it moves every tick by the same amount, rounding and ties included.
   */
  #offsetMs(machine: Machine): number {
    const phase = this.#options.phaseOf?.(machine.id) ?? 0;
    if (!(phase >= 0 && phase < 1)) throw new RangeError(`phaseOf(${machine.id}) must be in [0, 1), got ${phase}`);
    if (phase === 0 || machine.channels.length === 0) return 0;
    return Math.floor(phase * Math.min(...machine.channels.map((c) => blockSeconds(c) * 1000)));
  }

  /** Ground truth goes out on its own topic tree, from the twin's own connection, only when it changes. */
  #startTruth(): void {
    const { site, scheduler, startMs, endMs = Infinity, truthIntervalS = 1, truth = 'broker' } = this.#options;
    this.#cancelTruth = scheduler.every(
      truthIntervalS * 1000,
      (tickMs) => {
        for (const twin of this.#twins) {
          const faults = twin.machine.truthAt((tickMs - startMs) / 1000);
          const key = truthKey(faults);
          if (key === twin.truth) continue;
          twin.truth = key;
          const message: TruthV1 = { type: 'truth', v: 1, device: twin.machine.id, tsMs: tickMs, faults };
          this.#truthLog.push(message);
          if (truth === 'broker') twin.session.send({ topic: topics.truth(site, twin.machine.id), payload: encodeMessage(message, 'json'), qos: 1, retain: true });
        }
      },
      { startMs, endMs },
    );
  }

  stats(): DeviceStats[] {
    const twins = this.#twins.flatMap(({ machine, session, channels }) =>
      channels.map((c) => ({ device: machine.id, sensor: c.channel.sensor, qos: c.qos, sent: c.seq, dropped: c.dropped, ...session.countsFor(c.channel.sensor) })),
    );
    const external = this.#external.flatMap(({ device, session, channels }) =>
      session ? [...channels.values()].map((c) => ({ device: device.id, sensor: c.sensor, qos: c.qos, sent: c.seq, dropped: 0, ...session.countsFor(c.sensor) })) : [],
    );
    return [...twins, ...external];
  }

  /** What the connections did: connects, PUBACK latency, errors by reason, bytes. */
  transport(): TransportSummary & { devicesFailed: number } {
    return { ...this.#stats.summary(), devicesFailed: this.#failed.length };
  }

  /** Devices that could not connect (with `onConnectFailure: 'count'`), and why. */
  failedDevices(): readonly { device: string; reason: string }[] {
    return this.#failed;
  }

  /** Readings a second the fleet is meant to publish: blocks a second, over every running channel. */
  intendedBlocksPerS(): number {
    let rate = 0;
    for (const twin of this.#twins) for (const c of twin.channels) rate += 1 / blockSeconds(c.channel);
    return rate;
  }

  /**
   * Carries out a scenario step on a twin now, at simulated time: a command from the test itself, not from the
   * system under test, so it is not among `commands()`. Returns what the machine did, or undefined. `atS` (default:
   * now) is the run time the machine is told, so a demo control acts at the time its recorded step will replay at.
   */
  applyStep(device: string, command: CommandV1, atS?: number): string | undefined {
    const twin = this.#twins.find((t) => t.machine.id === device);
    if (!twin) return undefined;
    return twin.machine.command?.(command, atS ?? (this.#options.scheduler.clock.now() - this.#options.startMs) / 1000);
  }

  /** Commands the twins received, in arrival order. */
  commands(): readonly ReceivedCommand[] {
    return this.#commands;
  }

  /** Ground-truth changes published so far, in time order. */
  truthLog(): readonly TruthV1[] {
    return this.#truthLog;
  }

  /** SHA-256 over every reading's topic and payload, per device in name order: equal hashes, equal telemetry. */
  telemetrySha256(): string {
    const all = createHash('sha256');
    for (const [device, hash] of Object.entries(this.deviceSha256()).sort(([a], [b]) => a.localeCompare(b))) all.update(`${device}:${hash}\n`);
    return all.digest('hex');
  }

  /** SHA-256 over each device's readings (topics and payloads, in publishing order), by device. */
  deviceSha256(): Record<string, string> {
    return Object.fromEntries([
      ...this.#twins.map((t) => [t.machine.id, t.hash.copy().digest('hex')]),
      ...this.#external.filter((e) => e.session).map((e) => [e.device.id, e.hash.copy().digest('hex')]),
    ]);
  }

  /** Stops producing new blocks (and publishing those of devices outside the simulation). */
  halt(): void {
    this.#halted = true;
    this.#cancelTruth();
    for (const twin of this.#twins) for (const c of twin.channels) c.cancel();
  }

  /** Waits until every published block is acknowledged (or failed). */
  async drain(): Promise<void> {
    await Promise.all(this.#external.map((e) => e.chain));
    await Promise.all([...this.#twins.map((t) => t.session.drain()), ...this.#external.map((e) => e.session?.drain())]);
  }

  async stop(): Promise<void> {
    this.halt();
    await Promise.all([...this.#twins.map((t) => t.session.close()), ...this.#external.map((e) => e.session?.close())]);
    for (const twin of this.#twins) twin.machine.dispose?.();
  }
}

/** Truth compares at 1% severity steps, so a slow ramp is published as it grows, not at every tick. */
function truthKey(faults: readonly TruthFault[]): string {
  return faults.map((f) => `${f.fault}/${f.component ?? ''}/${f.sensor ?? ''}/${Math.round(f.severity * 100)}`).join('|');
}
