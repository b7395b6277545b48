import type { Logger } from 'pino';
import type { CommandV1 } from '../../protocol';
import type { Clock } from '../../sim';
import type { ExternalBlock, ExternalDevice } from '../../twins';
import { DriftEstimator } from './drift-estimator';
import type { CommandOutcome, DeviceIdentity, DeviceStatus, HardwareDevice, HardwareReading } from './hardware-device';
import { blockSamplesOf, type HardwareBinding } from './hardware-schema';

/** How a bound device fared in a run: the report's `stats.hardware[device]`. */
export interface HardwareReport {
  /** Where it was: `serial /dev/ttyUSB0 @115200`, `mqtt mqtt://lab:1883 twinbed-hw/pump-1/data`. */
  transport: string;
  /** What its hello said. */
  identity?: DeviceIdentity;
  /** At the end of the run. */
  status: DeviceStatus;
  /** Each time it came online or went offline, and why (`port closed`, `silent for 5 s`, `device status: offline`), at run seconds. */
  events: { atS: number; status: 'online' | 'offline'; reason: string }[];
  lines: number;
  /** Lines that could not be read, by reason. */
  framingErrors: Record<string, number>;
  /** Lines missing by its own counter. */
  lostLines: number;
  /** Times its clock or counter went back (it restarted). */
  restarts: number;
  /** Samples received, and readings (blocks of blockSamples) the run took to publish into the target (none after it halted), by sensor. */
  samples: Record<string, number>;
  published: Record<string, number>;
  /** Its clock's rate error against the run's, ppm, once two seconds of readings tell it. */
  clockDriftPpm?: number;
  /** How far its last timestamp had moved from the run's clock since the first, ms (+: ahead). */
  clockOffsetMs?: number;
  commands: Record<CommandOutcome['result'], number>;
}

export interface BoundDeviceOptions {
  binding: HardwareBinding;
  device: HardwareDevice;
  /** The run's clock (real time for a run with hardware). */
  clock: Clock;
  /** The run's start on that clock. */
  startMs: number;
  logger?: Logger;
}

interface Pending {
  rateHz: number;
  blockSamples: number;
  startMs: number;
  values: number[];
}

/**
 * A physical device standing in for a twin: its readings become blocks on the run's time (the device's own clock,
 * placed on the run's at its first reading, so its drift shows) and its status changes become events of the run.
 */
export class BoundDevice implements ExternalDevice {
  readonly id: string;
  readonly sensors: ExternalDevice['sensors'];
  readonly forward: boolean;
  readonly hardware: HardwareDevice;
  readonly #o: BoundDeviceOptions;
  readonly #pending = new Map<string, Pending>();
  readonly #events: HardwareReport['events'] = [];
  readonly #samples: Record<string, number> = {};
  readonly #published: Record<string, number> = {};
  readonly #drift = new DriftEstimator();
  #emit: ((block: ExternalBlock) => boolean) | undefined;
  #anchor: { deviceMs: number; runMs: number } | undefined;
  #lastDeviceMs: number | undefined;
  #lastSeq: number | undefined;
  #offsetMs: number | undefined;

  constructor(options: BoundDeviceOptions) {
    this.#o = options;
    const { binding, device } = options;
    this.id = binding.device;
    this.hardware = device;
    this.forward = binding.mqtt?.forward ?? true;
    this.sensors = Object.entries(binding.sensors).map(([sensor, s]) => ({ sensor, unit: s.unit, rateHz: s.rateHz, blockSamples: blockSamplesOf(s) }));
    for (const s of this.sensors) this.#pending.set(s.sensor, { rateHz: s.rateHz, blockSamples: s.blockSamples, startMs: 0, values: [] });
    device.on('status', (change) => {
      this.#events.push({ atS: this.#atS(), status: change.status, reason: change.reason });
      // What it sent before it went is real: those samples go out as a short block rather than not at all.
      if (change.status === 'offline') this.#flushAll();
      options.logger?.info({ device: this.id, status: change.status, reason: change.reason }, 'hardware status');
    });
    device.on('reading', (reading) => this.#reading(reading));
  }

  start(emit: (block: ExternalBlock) => boolean): void {
    this.#emit = emit;
  }

  async command(command: CommandV1): Promise<string> {
    return (await this.hardware.command(command)).outcome;
  }

  report(): HardwareReport {
    const counters = this.hardware.counters();
    const identity = this.hardware.identity();
    const drift = this.#drift.ppm();
    return {
      transport: this.hardware.transport,
      ...(identity ? { identity } : {}),
      status: this.hardware.status(),
      events: [...this.#events],
      lines: counters.lines,
      framingErrors: counters.framingErrors,
      lostLines: counters.lostLines,
      restarts: counters.restarts,
      samples: { ...this.#samples },
      published: { ...this.#published },
      ...(drift !== undefined ? { clockDriftPpm: Math.round(drift) } : {}),
      ...(this.#offsetMs !== undefined ? { clockOffsetMs: Math.round(this.#offsetMs) } : {}),
      commands: counters.commands,
    };
  }

  #reading(reading: HardwareReading): void {
    for (const sensor of reading.values.keys()) this.#samples[sensor] = (this.#samples[sensor] ?? 0) + 1;
    const nowMs = this.#o.clock.now();
    const { deviceMs, seq } = reading;
    const onDeviceClock = this.#o.binding.time.clock === 'device' && deviceMs !== undefined;
    const restarted = (deviceMs !== undefined && this.#lastDeviceMs !== undefined && deviceMs < this.#lastDeviceMs) || (seq !== undefined && this.#lastSeq !== undefined && seq <= this.#lastSeq);
    const lostLines = seq !== undefined && this.#lastSeq !== undefined && seq > this.#lastSeq + 1;
    // Samples either side of a restart or of lost lines are not contiguous: the blocks so far go out as they are.
    if (restarted || lostLines) this.#flushAll();
    if (restarted) {
      this.#anchor = undefined;
      this.#drift.reset();
    }
    this.#lastDeviceMs = deviceMs ?? this.#lastDeviceMs;
    this.#lastSeq = seq ?? this.#lastSeq;
    let tsMs = nowMs;
    if (onDeviceClock) {
      this.#anchor ??= { deviceMs, runMs: nowMs };
      tsMs = this.#anchor.runMs + (deviceMs - this.#anchor.deviceMs);
      this.#offsetMs = tsMs - nowMs;
      this.#drift.add(reading.receivedWallMs, deviceMs);
    }
    if (!this.#emit) return;
    for (const [sensor, value] of reading.values) {
      const pending = this.#pending.get(sensor);
      if (pending) this.#push(sensor, pending, tsMs, value, onDeviceClock);
    }
  }

  #push(sensor: string, pending: Pending, tsMs: number, value: number, onDeviceClock: boolean): void {
    const periodMs = 1000 / pending.rateHz;
    // On the device's clock a sample must follow the last one by a period; one that does not starts a new block.
    if (onDeviceClock && pending.values.length > 0 && Math.abs(tsMs - (pending.startMs + pending.values.length * periodMs)) > periodMs / 2) this.#flush(sensor, pending);
    if (pending.values.length === 0) pending.startMs = tsMs;
    pending.values.push(value);
    if (pending.values.length >= pending.blockSamples) this.#flush(sensor, pending);
  }

  #flushAll(): void {
    for (const [sensor, pending] of this.#pending) this.#flush(sensor, pending);
  }

  #flush(sensor: string, pending: Pending): void {
    if (pending.values.length === 0) return;
    const values = Float32Array.from(pending.values);
    pending.values = [];
    if (this.#emit?.({ sensor, tsMs: pending.startMs, values })) this.#published[sensor] = (this.#published[sensor] ?? 0) + 1;
  }

  #atS(): number {
    return Math.round(this.#o.clock.now() - this.#o.startMs) / 1000;
  }
}

/** One line for a terminal: `hardware pump-1 (serial /dev/ttyUSB0 @115200): offline at 6.0 s (port closed); 604 lines, …`. */
export function formatHardwareLine(device: string, report: HardwareReport): string {
  const last = report.events.at(-1);
  const status = last ? `${last.status} since ${last.atS.toFixed(1)} s (${last.reason})` : report.status;
  const framing = Object.entries(report.framingErrors);
  const c = report.commands;
  const commands = Object.entries(c).filter(([, n]) => n > 0).map(([what, n]) => `${n} ${what}`);
  return (
    `hardware ${device} (${report.transport}): ${status}; ${report.lines} lines` +
    (framing.length ? `, framing errors: ${framing.map(([reason, n]) => `${reason} ×${n}`).join(', ')}` : ', no framing errors') +
    (report.lostLines ? `, ${report.lostLines} lost` : '') +
    (report.clockDriftPpm !== undefined ? `; clock ${report.clockDriftPpm >= 0 ? '+' : ''}${report.clockDriftPpm} ppm` : '') +
    (commands.length ? `; commands: ${commands.join(', ')}` : '')
  );
}
