import type { Logger } from 'pino';
import type { CommandV1 } from '../../protocol';
import type { Clock } from '../../sim';
import { BoundDevice, type HardwareReport } from './bound-device';
import type { HardwareDevice } from './hardware-device';
import type { HardwareBinding } from './hardware-schema';
import { LineDevice } from './line-device';
import { MqttTransport } from './mqtt-transport';
import { SerialTransport } from './serial-transport';

export interface OpenHardwareOptions {
  /** The run's clock and start: events are reported in run seconds, readings placed on its time. */
  clock: Clock;
  startMs: number;
  /** The broker an `mqtt:` binding without a url talks to: the target's device broker. */
  defaultUrl: string;
  logger?: Logger;
  /** Makes the device for a binding. Default: a line device on its serial port or broker. */
  deviceFor?: (binding: HardwareBinding) => HardwareDevice;
}

/** The devices a run binds to hardware, open, with their report and the way to command them. */
export class HardwareSet {
  readonly devices: readonly BoundDevice[];

  constructor(devices: readonly BoundDevice[]) {
    this.devices = devices;
  }

  get size(): number {
    return this.devices.length;
  }

  has(device: string): boolean {
    return this.devices.some((d) => d.id === device);
  }

  /** Sends a command (a scenario step) to a bound device; resolves with what it said it did. */
  command(device: string, command: CommandV1): Promise<string> {
    const bound = this.devices.find((d) => d.id === device);
    return bound ? bound.command(command) : Promise.resolve(`${device} is not bound to hardware`);
  }

  /** Each device's figures and status events, by device. */
  report(): Record<string, HardwareReport> {
    return Object.fromEntries(this.devices.map((d) => [d.id, d.report()]));
  }

  async close(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.hardware.close()));
  }
}

/** Opens every bound device (ports, broker connections); if one cannot be opened, closes the others and throws its HardwareError. */
export async function openHardware(bindings: readonly HardwareBinding[] | undefined, options: OpenHardwareOptions): Promise<HardwareSet> {
  const deviceFor = options.deviceFor ?? ((binding: HardwareBinding) => lineDeviceFor(binding, options.defaultUrl, options.logger));
  const devices = (bindings ?? []).map((binding) => new BoundDevice({ binding, device: deviceFor(binding), clock: options.clock, startMs: options.startMs, ...(options.logger ? { logger: options.logger } : {}) }));
  const opened = await Promise.allSettled(devices.map((d) => d.hardware.open()));
  const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    await Promise.all(devices.map((d) => d.hardware.close().catch(() => undefined)));
    throw failed.reason;
  }
  return new HardwareSet(devices);
}

/** A binding's device: the line protocol on its serial port, or on its broker. */
export function lineDeviceFor(binding: HardwareBinding, defaultUrl: string, logger?: Logger): LineDevice {
  const log = logger ? { logger: logger.child({ layer: 'hardware', device: binding.device }) } : {};
  const transport = binding.serial
    ? new SerialTransport({ device: binding.device, ...binding.serial, ...log })
    : new MqttTransport({
        device: binding.device,
        url: binding.mqtt!.url ?? defaultUrl,
        topic: binding.mqtt!.topic,
        commandTopic: binding.mqtt!.commandTopic,
        statusTopic: binding.mqtt!.statusTopic,
        clientId: binding.mqtt!.clientId,
        qos: binding.mqtt!.qos,
        ...(binding.mqtt!.username !== undefined ? { username: binding.mqtt!.username } : {}),
        ...(binding.mqtt!.password !== undefined ? { password: binding.mqtt!.password } : {}),
        ...log,
      });
  return new LineDevice({ binding, transport, ...log });
}
