import { createHash, type Hash } from 'node:crypto';
import type { Logger } from 'pino';
import { encodeMessage, topics, type CodecName, type TelemetryV1 } from '../protocol';
import { connectMqtt, type MqttClient, type RandomStreams, type Scheduler, type Cancel } from '../sim';
import type { FaultConfig, RotatingMachineConfig } from './machine-config';
import { WindowedPublisher } from './publisher';
import { RotatingMachine } from './rotating-machine';

export interface TwinFleetOptions {
  /** Broker the devices publish to (the gateway's device side). */
  brokerUrl: string;
  site: string;
  twins: readonly RotatingMachineConfig[];
  faults: readonly FaultConfig[];
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
  logger?: Logger;
}

export interface DeviceStats {
  device: string;
  sensor: string;
  sent: number;
  acked: number;
  failed: number;
  bytes: number;
}

interface Twin {
  machine: RotatingMachine;
  client: MqttClient;
  publisher: WindowedPublisher;
  hash: Hash;
  seq: number;
  cancel: Cancel;
}

/** Runs machine twins as MQTT devices: one client each, publishing telemetry blocks on the scheduler. */
export class TwinFleet {
  readonly #options: TwinFleetOptions;
  readonly #twins: Twin[] = [];

  private constructor(options: TwinFleetOptions) {
    this.#options = options;
  }

  static async start(options: TwinFleetOptions): Promise<TwinFleet> {
    const fleet = new TwinFleet(options);
    try {
      for (const config of options.twins) await fleet.#startTwin(config);
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  async #startTwin(config: RotatingMachineConfig): Promise<void> {
    const { site, scheduler, streams, startMs, endMs = Infinity, maxInflight = 64, codec = 'cbor' } = this.#options;
    const machine = new RotatingMachine(config, this.#options.faults, {
      rotor: streams.stream(`${config.id}/rotor`),
      noise: streams.stream(`${config.id}/${config.sensor.id}/noise`),
    });
    const client = await connectMqtt(this.#options.brokerUrl, { clientId: `twinbed-${site}-${config.id}`, clean: true });
    const publisher = new WindowedPublisher(client, maxInflight);
    const { rateHz, blockSamples, id: sensor } = config.sensor;
    const blockMs = (1000 * blockSamples) / rateHz;
    const topic = topics.telemetry(site, config.id, sensor);
    const twin: Twin = { machine, client, publisher, hash: createHash('sha256'), seq: 0, cancel: () => {} };
    twin.cancel = scheduler.every(
      blockMs,
      async (tickMs) => {
        const message: TelemetryV1 = {
          type: 'telemetry',
          v: 1,
          device: config.id,
          sensor,
          seq: twin.seq++,
          tsMs: tickMs,
          rateHz,
          unit: 'g',
          values: machine.nextBlock((tickMs - startMs) / 1000),
        };
        const payload = encodeMessage(message, codec);
        twin.hash.update(topic).update(payload);
        await publisher.send(topic, payload);
      },
      { startMs, endMs: endMs - blockMs },
    );
    this.#twins.push(twin);
    this.#options.logger?.debug({ device: config.id, sensor, blockMs, rateHz }, 'twin started');
  }

  stats(): DeviceStats[] {
    return this.#twins.map(({ machine, publisher }) => ({
      device: machine.config.id,
      sensor: machine.config.sensor.id,
      sent: publisher.sent,
      acked: publisher.acked,
      failed: publisher.failed,
      bytes: publisher.bytes,
    }));
  }

  /** SHA-256 over every topic and payload published, per device in name order: equal hashes, equal telemetry. */
  telemetrySha256(): string {
    const all = createHash('sha256');
    const sorted = [...this.#twins].sort((a, b) => a.machine.config.id.localeCompare(b.machine.config.id));
    for (const twin of sorted) all.update(`${twin.machine.config.id}:${twin.hash.copy().digest('hex')}\n`);
    return all.digest('hex');
  }

  /** Stops producing new blocks. */
  halt(): void {
    for (const twin of this.#twins) twin.cancel();
  }

  /** Waits until every published block is acknowledged (or failed). */
  async drain(): Promise<void> {
    await Promise.all(this.#twins.map((t) => t.publisher.drain()));
  }

  async stop(): Promise<void> {
    this.halt();
    await Promise.all(this.#twins.map((t) => t.client.endAsync()));
  }
}
