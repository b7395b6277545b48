import type { CommandV1 } from '../../protocol';
import type { Machine } from '../../twins';
import type { DeviceCommand, ReadingLine } from './line-protocol';

export const FIRMWARE_NAME = 'twinbed-emulate/1';

export interface FirmwareOptions {
  /** The twin whose physics it runs; every channel must have blockSamples 1 (a reading a line). */
  machine: Machine;
  /** How fast its clock runs against true time, ppm: +100 gains 100 µs a second. Its sensors sample on this clock. */
  driftPpm: number;
  /** Monotonic wall ms at power-on: true time 0 of the machine, and its clock's 0. */
  bootWallMs: number;
}

/** What a command did: an ack with the machine's own words, or a nak with the reason. */
export type FirmwareReply = { type: 'ack'; id?: string; action: string; outcome: string } | { type: 'nak'; id?: string; action: string; error: string };

/**
 * The firmware of an emulated device, without I/O: it samples a twin's sensors on its own drifting clock and obeys
 * commands on the twin, as a microcontroller in the machine would. Platform-free; the emulator and the simulated
 * device both drive it.
 */
export class Firmware {
  readonly machine: Machine;
  readonly driftPpm: number;
  readonly bootWallMs: number;
  /** Next sample index of each channel. */
  readonly #next: number[];
  #seq = 0;

  constructor(options: FirmwareOptions) {
    const bad = options.machine.channels.find((c) => c.blockSamples !== 1);
    if (bad) throw new RangeError(`firmware reads one sample at a time; channel ${bad.sensor} has blockSamples ${bad.blockSamples}`);
    this.machine = options.machine;
    this.driftPpm = options.driftPpm;
    this.bootWallMs = options.bootWallMs;
    this.#next = options.machine.channels.map(() => 0);
  }

  /** Its hello: who it is and what it measures. */
  hello(): Record<string, unknown> {
    return {
      device: this.machine.id,
      template: this.machine.template,
      firmware: FIRMWARE_NAME,
      sensors: this.machine.channels.map((c) => ({ sensor: c.sensor, unit: c.unit, rateHz: c.rateHz })),
    };
  }

  /** Its own clock at wall time `wallMs`, ms since power-on. */
  deviceMs(wallMs: number): number {
    return (wallMs - this.bootWallMs) * (1 + this.driftPpm * 1e-6);
  }

  /**
   * Every sample due by `wallMs` on its own clock, one line per sample instant (sensors sampled at the same instant
   * share a line), in time order. Values depend on the seed and the commands only, never on how often it is polled.
   */
  poll(wallMs: number): ReadingLine[] {
    const nowMs = this.deviceMs(wallMs);
    const byTime = new Map<number, Record<string, number>>();
    this.machine.channels.forEach((channel, i) => {
      for (;;) {
        const k = this.#next[i]!;
        const tS = k / channel.rateHz;
        if (tS * 1000 > nowMs) break;
        this.#next[i] = k + 1;
        // The channel reads nominal sensor time; its clockSkewPpm (set to the drift) maps it onto true time.
        const block = channel.next(tS);
        if (block.dropped) continue;
        const key = Math.round(tS * 1e6);
        const line = byTime.get(key) ?? {};
        line[channel.sensor] = block.values[0]!;
        byTime.set(key, line);
      }
    });
    return [...byTime.entries()].sort(([a], [b]) => a - b).map(([us, values]) => ({ t: us / 1000, seq: this.#seq++, values }));
  }

  /** Carries out a command at wall time `wallMs`. `hello` is answered by the caller sending the hello again. */
  command(command: DeviceCommand, wallMs: number): FirmwareReply {
    const id = command.id !== undefined ? { id: command.id } : {};
    if (command.action === 'hello') return { type: 'ack', ...id, action: 'hello', outcome: 'hello sent' };
    const tS = (wallMs - this.bootWallMs) / 1000;
    const asCommand: CommandV1 = { type: 'cmd', v: 1, device: this.machine.id, tsMs: wallMs, id: command.id ?? 'line', action: command.action, args: command.args };
    const outcome = this.machine.command?.(asCommand, tS);
    if (outcome === undefined) return { type: 'nak', ...id, action: command.action, error: `${this.machine.template} does not support "${command.action}"` };
    return { type: 'ack', ...id, action: command.action, outcome };
  }
}
