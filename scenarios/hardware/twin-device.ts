import type { Logger } from 'pino';
import type { CommandV1 } from '../../protocol';
import { monotonicWallMs } from '../../sim';
import type { Machine } from '../../twins';
import { Firmware } from './firmware';
import {
  Listeners,
  zeroDeviceCounters,
  type CommandOutcome,
  type DeviceCounters,
  type DeviceIdentity,
  type DeviceStatus,
  type HardwareDevice,
  type HardwareDeviceEvents,
} from './hardware-device';

export interface TwinDeviceOptions {
  /** A twin with one sample a block on every channel (see emulatedMachine). */
  machine: Machine;
  /** Clock rate error, ppm. Default 0. */
  driftPpm?: number;
  /** Wall ms between polls. Default 10. */
  tickMs?: number;
  logger?: Logger;
}

/**
 * A simulated twin behind the hardware interface, in this process: the firmware the emulator runs, without a line
 * in between. It is the reference the device contract is checked against; `cut()` stands for a pulled cable.
 */
export class TwinDevice implements HardwareDevice {
  readonly device: string;
  readonly transport = 'simulated, in process';
  readonly #o: TwinDeviceOptions;
  readonly #listeners: Listeners<HardwareDeviceEvents>;
  #firmware: Firmware | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #status: DeviceStatus = 'connecting';
  #identity: DeviceIdentity | undefined;
  readonly #counters: DeviceCounters = zeroDeviceCounters();

  constructor(options: TwinDeviceOptions) {
    this.#o = options;
    this.device = options.machine.id;
    this.#listeners = new Listeners((error, event) => options.logger?.error({ err: error, device: this.device, event }, 'a hardware listener failed; the device goes on'));
  }

  async open(): Promise<void> {
    const firmware = new Firmware({ machine: this.#o.machine, driftPpm: this.#o.driftPpm ?? 0, bootWallMs: monotonicWallMs() });
    this.#firmware = firmware;
    const hello = firmware.hello();
    this.#identity = { device: this.device, template: String(hello.template), firmware: String(hello.firmware), sensors: hello.sensors as DeviceIdentity['sensors'] };
    this.#status = 'online';
    this.#listeners.emit('status', { status: 'online', reason: 'simulated', wallMs: monotonicWallMs() });
    this.#listeners.emit('identity', this.#identity);
    this.#timer = setInterval(() => {
      const now = monotonicWallMs();
      for (const line of firmware.poll(now)) {
        this.#counters.lines++;
        this.#counters.readings++;
        this.#listeners.emit('reading', { deviceMs: line.t, seq: line.seq, receivedWallMs: now, values: new Map(Object.entries(line.values)) });
      }
    }, this.#o.tickMs ?? 10);
    this.#timer.unref();
  }

  status(): DeviceStatus {
    return this.#status;
  }

  identity(): DeviceIdentity | undefined {
    return this.#identity;
  }

  counters(): DeviceCounters {
    return structuredClone(this.#counters);
  }

  on<K extends keyof HardwareDeviceEvents>(event: K, listener: HardwareDeviceEvents[K]): () => void {
    return this.#listeners.on(event, listener);
  }

  async command(command: CommandV1): Promise<CommandOutcome> {
    const firmware = this.#firmware;
    let outcome: CommandOutcome;
    if (!firmware || this.#status !== 'online') outcome = { result: 'not sent', outcome: `not sent: ${this.device} is offline` };
    else {
      const reply = firmware.command({ id: command.id, action: command.action, args: command.args ?? {}, json: true }, monotonicWallMs());
      outcome = reply.type === 'ack' ? { result: 'acknowledged', outcome: reply.outcome } : { result: 'refused', outcome: `refused: ${reply.error}` };
    }
    this.#counters.commands[outcome.result]++;
    return outcome;
  }

  /** The link goes, as a cable pulled out would take it. */
  cut(): void {
    this.#stop('link cut');
  }

  async close(): Promise<void> {
    this.#stop('closed by twinbed');
  }

  #stop(reason: string): void {
    clearInterval(this.#timer);
    if (this.#status === 'offline') return;
    this.#status = 'offline';
    this.#listeners.emit('status', { status: 'offline', reason, wallMs: monotonicWallMs() });
  }
}
