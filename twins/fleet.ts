import { createHash, type Hash } from 'node:crypto';
import type { Logger } from 'pino';
import { decodeAs, encodeMessage, topics, type CodecName, type CommandV1, type TruthFault, type TruthV1 } from '../protocol';
import { connectMqtt, monotonicWallMs, type Cancel, type LinkChannel, type MqttClient, type RandomStreams, type Scheduler } from '../sim';
import { blockSeconds, telemetryOf, type Channel } from './channel';
import type { Machine } from './machine';
import { WindowedPublisher } from './publisher';

export interface TwinFleetOptions {
  /** Broker the devices publish to (the gateway's device side). */
  brokerUrl: string;
  site: string;
  /** Builds the machines; called once at start with the run's random streams. */
  machines: (streams: RandomStreams) => Promise<Machine[]>;
  scheduler: Scheduler;
  streams: RandomStreams;
  /** Simulated start of the run, ms since the Unix epoch; fault times count from here. */
  startMs: number;
  /** Simulated end: no block starts at or after it. Default: never. */
  endMs?: number;
  /** QoS 1 messages a device may have unacknowledged. Default 64. */
  maxInflight?: number;
  /** Payload codec. Default `cbor`. */
  codec?: CodecName;
  /** Seconds between ground-truth checks; truth is published when it changes. Default 1. */
  truthIntervalS?: number;
  /** The simulated network between the devices and their broker; readings cross it before they are published. */
  link?: LinkChannel;
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
  /** What the machine did, or undefined if it does not support the action. */
  outcome: string | undefined;
}

export interface DeviceStats {
  device: string;
  sensor: string;
  qos: 0 | 1;
  /** Blocks published. */
  sent: number;
  acked: number;
  failed: number;
  /** Blocks the sensor did not deliver (dropout faults). */
  dropped: number;
  bytes: number;
}

interface ChannelState {
  channel: Channel;
  seq: number;
  dropped: number;
  cancel: Cancel;
}

interface Twin {
  machine: Machine;
  client: MqttClient;
  publisher: WindowedPublisher;
  hash: Hash;
  channels: ChannelState[];
  truth: string;
}

/** Runs machine twins as MQTT devices: one client each, every sensor channel publishing blocks on the scheduler. */
export class TwinFleet {
  readonly #options: TwinFleetOptions;
  readonly #twins: Twin[] = [];
  readonly #truthLog: TruthV1[] = [];
  readonly #commands: ReceivedCommand[] = [];
  #cancelTruth: Cancel = () => {};

  private constructor(options: TwinFleetOptions) {
    this.#options = options;
  }

  static async start(options: TwinFleetOptions): Promise<TwinFleet> {
    const fleet = new TwinFleet(options);
    try {
      for (const machine of await options.machines(options.streams)) await fleet.#startTwin(machine);
      fleet.#startTruth();
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  async #startTwin(machine: Machine): Promise<void> {
    const { site, scheduler, startMs, endMs = Infinity, maxInflight = 64, codec = 'cbor' } = this.#options;
    const client = await connectMqtt(this.#options.brokerUrl, {
      clientId: `twinbed-${site}-${machine.id}`,
      clean: true,
      // The broker going away (a gateway restart) is routine: mqtt.js reconnects and resends unacknowledged QoS 1.
      onError: (error) => this.#options.logger?.warn({ device: machine.id, err: error }, 'device connection error; reconnecting'),
    });
    const twin: Twin = { machine, client, publisher: new WindowedPublisher(client, maxInflight), hash: createHash('sha256'), channels: [], truth: '' };
    // [MQTT-3.8.4] a device listens on its own cmd topic; the gateway's local actions and the cloud write there.
    client.on('message', (topic, payload) => {
      if (topic !== topics.cmd(site, machine.id)) return;
      let command: CommandV1;
      try {
        command = decodeAs(payload, 'cmd');
      } catch (error) {
        this.#options.logger?.warn({ device: machine.id, err: error }, 'ignored a malformed command');
        return;
      }
      const atS = (this.#options.scheduler.clock.now() - startMs) / 1000;
      this.#commands.push({ device: machine.id, command, receivedWallMs: monotonicWallMs(), atS, outcome: machine.command?.(command, atS) });
    });
    await client.subscribeAsync(topics.cmd(site, machine.id), { qos: 1 });
    for (const channel of machine.channels) {
      const state: ChannelState = { channel, seq: 0, dropped: 0, cancel: () => {} };
      const blockMs = blockSeconds(channel) * 1000;
      const topic = topics.telemetry(site, machine.id, channel.sensor);
      state.cancel = scheduler.every(
        blockMs,
        async (tickMs) => {
          const block = channel.next((tickMs - startMs) / 1000);
          if (block.dropped) {
            state.dropped++;
            return;
          }
          const payload = encodeMessage(telemetryOf(machine.id, channel, block, state.seq++, tickMs), codec);
          twin.hash.update(topic).update(payload);
          const qos = channel.qos ?? 1;
          const link = this.#options.link;
          // Through a simulated link the reading is published when (and as often as) it arrives; the clock awaits
          // each delivery, so backpressure still holds. Without one it is published now.
          if (link) link.send({ bytes: payload.byteLength, qos }, () => twin.publisher.send(topic, payload, qos));
          else await twin.publisher.send(topic, payload, qos);
        },
        { startMs, endMs: endMs - blockMs },
      );
      twin.channels.push(state);
    }
    this.#twins.push(twin);
    this.#options.logger?.debug({ device: machine.id, sensors: machine.channels.map((c) => c.sensor) }, 'twin started');
  }

  /** Ground truth goes out on its own topic tree, from the twin's own client, only when it changes. */
  #startTruth(): void {
    const { site, scheduler, startMs, endMs = Infinity, truthIntervalS = 1 } = this.#options;
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
          twin.client.publish(topics.truth(site, twin.machine.id), Buffer.from(encodeMessage(message, 'json')), { qos: 1, retain: true });
        }
      },
      { startMs, endMs },
    );
  }

  stats(): DeviceStats[] {
    return this.#twins.flatMap(({ machine, publisher, channels }) =>
      channels.map((c) => ({
        device: machine.id,
        sensor: c.channel.sensor,
        qos: c.channel.qos ?? 1,
        sent: c.seq,
        dropped: c.dropped,
        ...publisher.statsFor(c.channel.sensor),
      })),
    );
  }

  /** Commands the twins received, in arrival order. */
  commands(): readonly ReceivedCommand[] {
    return this.#commands;
  }

  /** Ground-truth changes published so far, in time order. */
  truthLog(): readonly TruthV1[] {
    return this.#truthLog;
  }

  /** SHA-256 over every topic and payload published, per device in name order: equal hashes, equal telemetry. */
  telemetrySha256(): string {
    const all = createHash('sha256');
    const sorted = [...this.#twins].sort((a, b) => a.machine.id.localeCompare(b.machine.id));
    for (const twin of sorted) all.update(`${twin.machine.id}:${twin.hash.copy().digest('hex')}\n`);
    return all.digest('hex');
  }

  /** Stops producing new blocks. */
  halt(): void {
    this.#cancelTruth();
    for (const twin of this.#twins) for (const c of twin.channels) c.cancel();
  }

  /** Waits until every published block is acknowledged (or failed). */
  async drain(): Promise<void> {
    await Promise.all(this.#twins.map((t) => t.publisher.drain()));
  }

  async stop(): Promise<void> {
    this.halt();
    await Promise.all(this.#twins.map((t) => t.client.endAsync()));
    for (const twin of this.#twins) twin.machine.dispose?.();
  }
}

/** Truth compares at 1% severity steps, so a slow ramp is published as it grows, not at every tick. */
function truthKey(faults: readonly TruthFault[]): string {
  return faults.map((f) => `${f.fault}/${f.component ?? ''}/${f.sensor ?? ''}/${Math.round(f.severity * 100)}`).join('|');
}
