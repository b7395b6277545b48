import { createHash, type Hash } from 'node:crypto';
import type { Logger } from 'pino';
import type { CommandV1, TelemetryV1, TruthV1 } from '../../protocol';
import { monotonicWallMs, RandomStreams, type Cancel, type LinkChannel, type Scheduler } from '../../sim';
import {
  ConnectGate,
  DeviceSession,
  dialectFor,
  sessionConnectFor,
  TransportStats,
  TwinFleet,
  type DeviceConnection,
  type DeviceIdentity,
  type DeviceStats,
  type ExternalDevice,
  type OutMessage,
  type ReceivedCommand,
  type TransportSummary,
} from '../../twins';
import type { RunFleet } from '../runner';
import { toMs } from './layout';
import { recordedMessage, wirePayload } from './payload';
import type { RecordedChannel, RecordedMessage, Recording } from './recording-reader';

export interface ReplayerOptions {
  recording: Recording;
  /** The channels to publish (device-side ones: telemetry, device messages, ground truth); none of an `external` device's. */
  channels: readonly RecordedChannel[];
  /**
   * Devices bound to hardware (the target's `hardware:`): they publish live, as in a run, in place of their recorded
   * channels, and take the system's commands. Default none.
   */
  external?: readonly ExternalDevice[];
  /** The simulated device link (`twins->edge`) the hardware's readings cross, as in a run. Default: none. */
  link?: LinkChannel;
  /** Where and how the devices connect: the target's `devices:` (URL, client ids, credentials, payload format). */
  connection: DeviceConnection & { url: string };
  /** Credential paths in `connection` are relative to this folder. */
  baseDir: string;
  site: string;
  /** The run's scheduler: each message goes out at its log time on this clock. */
  scheduler: Scheduler;
  startMs: number;
  /** Nothing recorded after this time is published. */
  endMs: number;
  logger?: Logger;
}

interface ReplayDevice {
  session: DeviceSession;
  hash: Hash;
}

interface ReadingStats {
  device: string;
  sensor: string;
  qos: 0 | 1;
  sent: number;
}

const NOT_ACTED_ON = 'not carried out: the device is a recording, whose replayed readings already carry what it did';

/**
 * Publishes a recording's device-side messages into a target as its devices: one MQTT session per recorded device,
 * with the target's client ids, credentials and payload format, each message at its log time on the run's clock (so
 * ×N or as fast as the broker acknowledges). Telemetry goes out through the target's format: into twinbed's own it
 * gives back the bytes that were recorded. Devices bound to hardware publish live beside them, as in a run. It stands
 * in for the fleet of a run (RunFleet), so a replay is judged by the same runner as the run it came from.
 */
export class Replayer implements RunFleet {
  readonly #o: ReplayerOptions;
  readonly #devices = new Map<string, ReplayDevice>();
  readonly #readings = new Map<string, ReadingStats>();
  readonly #stats = new TransportStats();
  readonly #commands: ReceivedCommand[] = [];
  readonly #truth: TruthV1[] = [];
  /** The devices bound to hardware, publishing live: a fleet of no twins (see TwinFleetOptions.external). */
  #live: TwinFleet | undefined;
  #iterator: AsyncGenerator<RecordedMessage> | undefined;
  #cancel: Cancel = () => {};
  #halted = false;
  /** Resolves when the last message due before the end has gone out (or the replay was halted). */
  readonly finished: Promise<void>;
  #finish: () => void = () => {};

  private constructor(options: ReplayerOptions) {
    this.#o = options;
    this.finished = new Promise((resolve) => (this.#finish = resolve));
  }

  static async start(options: ReplayerOptions): Promise<Replayer> {
    const replayer = new Replayer(options);
    try {
      await replayer.#openSessions();
      if (options.external?.length) replayer.#live = await replayer.#startLive(options.external);
      replayer.#iterator = options.recording.messages(options.channels);
      await replayer.#scheduleNext();
    } catch (error) {
      await replayer.stop();
      throw error;
    }
    return replayer;
  }

  /** One session per device, in the order the devices appear among the channels; sensors declared from their first block. */
  async #openSessions(): Promise<void> {
    const { channels, connection, site, baseDir, scheduler, logger } = this.#o;
    const sensors = new Map<string, DeviceIdentity['sensors'][number][]>();
    for (const channel of channels) {
      const device = deviceOf(channel);
      if (!sensors.has(device)) sensors.set(device, []);
      if (channel.info.role !== 'telemetry' || channel.info.wire !== 'twinbed') continue;
      const first = await firstTelemetry(this.#o.recording, channel);
      if (first) sensors.get(device)!.push({ sensor: first.sensor, unit: first.unit, rateHz: first.rateHz, blockSamples: first.values.length });
    }
    const gate = new ConnectGate(connection.connectRatePerS);
    const files = new Map<string, Promise<Buffer>>();
    let index = 0;
    for (const [device, deviceSensors] of sensors) {
      const id: DeviceIdentity = { site, device, index: index++, sensors: deviceSensors };
      const session = await DeviceSession.open({
        id,
        connect: await sessionConnectFor(connection, id, baseDir, files),
        dialect: dialectFor(connection, id, () => scheduler.clock.now()),
        stats: this.#stats,
        gate,
        onCommand: (command) => this.#onCommand(device, command),
        ...(logger ? { logger } : {}),
      });
      this.#devices.set(device, { session, hash: createHash('sha256') });
    }
  }

  /** The hardware's sessions, numbered after the recorded devices' for `{index}`, counted with theirs. */
  async #startLive(external: readonly ExternalDevice[]): Promise<TwinFleet> {
    const { connection, baseDir, site, scheduler, startMs, endMs, link, logger } = this.#o;
    const forwarded = external.filter((d) => d.forward).map((d) => d.id);
    const firstIndex = this.#devices.size;
    return TwinFleet.start({
      brokerUrl: connection.url,
      connection,
      baseDir,
      site,
      machines: () => Promise.resolve([]),
      external,
      indexOf: (device) => firstIndex + forwarded.indexOf(device),
      scheduler,
      // No twin draws from them: the fleet has none.
      streams: new RandomStreams('replay'),
      startMs,
      endMs,
      stats: this.#stats,
      ...(link ? { link } : {}),
      ...(logger ? { logger } : {}),
    });
  }

  #onCommand(device: string, command: CommandV1): void {
    const atS = (this.#o.scheduler.clock.now() - this.#o.startMs) / 1000;
    this.#commands.push({ device, command, receivedWallMs: monotonicWallMs(), atS, outcome: NOT_ACTED_ON });
  }

  /** Reads the next message and schedules it at its log time; the chain keeps the recorded order, ties included. */
  async #scheduleNext(): Promise<void> {
    if (this.#halted || !this.#iterator) return this.#finish();
    const next = await this.#iterator.next();
    if (next.done) return this.#finish();
    const message = next.value;
    const atMs = toMs(message.logTime);
    if (atMs > this.#o.endMs) return this.#finish();
    this.#cancel = this.#o.scheduler.at(atMs, async () => {
      if (this.#halted) return;
      await this.#publish(message);
      await this.#scheduleNext();
    });
  }

  async #publish({ channel, data }: RecordedMessage): Promise<void> {
    const device = this.#devices.get(deviceOf(channel))!;
    const where = `${this.#o.recording.file} ${channel.topic}`;
    const { info } = channel;
    if (info.role === 'truth') {
      if (info.wire === 'twinbed') this.#truth.push(recordedMessage(info, data, where) as TruthV1);
      device.session.send({ topic: channel.topic, payload: wirePayload(info, data, where), qos: 1, retain: true });
      return;
    }
    let messages: OutMessage[];
    let sensor = info.sensor ?? channel.topic;
    const qos = this.#o.connection.qos ?? (info.qos === 0 ? 0 : 1);
    if (info.role === 'telemetry' && info.wire === 'twinbed') {
      const block = recordedMessage(info, data, where) as TelemetryV1;
      sensor = block.sensor;
      messages = device.session.encode(block, qos);
    } else {
      messages = [{ topic: channel.topic, payload: wirePayload(info, data, where), qos, retain: info.retain }];
    }
    for (const m of messages) device.hash.update(m.topic).update(m.payload);
    if (info.role === 'telemetry') {
      const key = `${deviceOf(channel)}/${sensor}`;
      let stats = this.#readings.get(key);
      if (!stats) this.#readings.set(key, (stats = { device: deviceOf(channel), sensor, qos: messages.some((m) => m.qos === 1) ? 1 : 0, sent: 0 }));
      stats.sent++;
    }
    await device.session.publish(messages, sensor);
  }

  stats(): DeviceStats[] {
    const replayed = [...this.#readings.values()].map((r) => ({ ...r, dropped: 0, ...this.#devices.get(r.device)!.session.countsFor(r.sensor) }));
    return [...replayed, ...(this.#live?.stats() ?? [])];
  }

  transport(): TransportSummary & { devicesFailed: number } {
    return { ...this.#stats.summary(), devicesFailed: this.#live?.transport().devicesFailed ?? 0 };
  }

  /** Commands the system sent the devices, recorded and live, in arrival order. */
  commands(): readonly ReceivedCommand[] {
    const live = this.#live?.commands() ?? [];
    return live.length ? [...this.#commands, ...live].sort((a, b) => a.receivedWallMs - b.receivedWallMs) : this.#commands;
  }

  /** A scenario step cannot act on a recording: what the device did is in its readings already. (The runner sends a step on hardware to the hardware.) */
  applyStep(): string {
    return NOT_ACTED_ON;
  }

  truthLog(): readonly TruthV1[] {
    return this.#truth;
  }

  /** SHA-256 over what each device published (topic and payload, in order), the hardware's too, combined as TwinFleet combines its twins'. */
  telemetrySha256(): string {
    const all = createHash('sha256');
    const replayed = [...this.#devices].map(([device, d]) => [device, d.hash.copy().digest('hex')] as const);
    const devices = [...replayed, ...Object.entries(this.#live?.deviceSha256() ?? {})].sort(([a], [b]) => a.localeCompare(b));
    for (const [device, hash] of devices) all.update(`${device}:${hash}\n`);
    return all.digest('hex');
  }

  halt(): void {
    this.#halted = true;
    this.#cancel();
    this.#live?.halt();
    this.#finish();
  }

  async drain(): Promise<void> {
    await Promise.all([...[...this.#devices.values()].map((d) => d.session.drain()), this.#live?.drain()]);
  }

  async stop(): Promise<void> {
    this.halt();
    await this.#iterator?.return(undefined);
    await Promise.all([...[...this.#devices.values()].map((d) => d.session.close()), this.#live?.stop()]);
  }
}

/** The device a channel belongs to; a message no device claims goes out from one session of its own. */
function deviceOf(channel: RecordedChannel): string {
  return channel.info.device ?? 'recording';
}

async function firstTelemetry(recording: Recording, channel: RecordedChannel): Promise<TelemetryV1 | undefined> {
  for await (const message of recording.messages([channel])) return recordedMessage(channel.info, message.data, `${recording.file} ${channel.topic}`) as TelemetryV1;
  return undefined;
}
