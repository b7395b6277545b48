import { TwinbedError, type CommandV1 } from '../../protocol';

/** A device that could not be reached or opened: names it, its transport and what to check. */
export class HardwareError extends TwinbedError {
  readonly device: string;

  constructor(device: string, message: string, options?: { cause?: unknown }) {
    super('E_HARDWARE', `hardware ${device}: ${message}`, options);
    this.device = device;
  }
}

/** Who a device says it is (its hello). */
export interface DeviceIdentity {
  device: string;
  template?: string;
  firmware?: string;
  /** Its sensors as it declares them. */
  sensors?: { sensor: string; unit?: string; rateHz?: number }[];
}

/** One line of samples, as the device took them. */
export interface HardwareReading {
  /** The device's clock at the samples, ms; undefined for a device without one (stamped on receipt). */
  deviceMs: number | undefined;
  /** Its line counter, when it sends one. */
  seq: number | undefined;
  /** Monotonic wall ms when twinbed read it. */
  receivedWallMs: number;
  /** Values by sensor name, in the sensor's unit. */
  values: ReadonlyMap<string, number>;
}

export type DeviceStatus = 'connecting' | 'online' | 'offline';

/** A change of status, and why: `port closed`, `silent for 5 s`, `device status: offline`. */
export interface StatusChange {
  status: 'online' | 'offline';
  reason: string;
  /** Monotonic wall ms. */
  wallMs: number;
}

/** What became of a command. */
export interface CommandOutcome {
  /** `acknowledged` (the device said what it did), `refused` (it said no), `unanswered` (sent, no answer in time), `not sent` (the link was down). */
  result: 'acknowledged' | 'refused' | 'unanswered' | 'not sent';
  /** The device's words, or twinbed's account. */
  outcome: string;
}

/** Counts of what a device sent, for reports. */
export interface DeviceCounters {
  lines: number;
  readings: number;
  /** Lines that could not be read, by reason (`not JSON`, `wrong column count`, `garbled bytes`, `line too long`, …). */
  framingErrors: Record<string, number>;
  /** Lines missing by the device's own counter (seq gaps). */
  lostLines: number;
  /** Times its counter or clock went back: it restarted. */
  restarts: number;
  commands: Record<CommandOutcome['result'], number>;
}

/** Every counter of a device at zero: where a device starts. */
export function zeroDeviceCounters(): DeviceCounters {
  return { lines: 0, readings: 0, framingErrors: {}, lostLines: 0, restarts: 0, commands: { acknowledged: 0, refused: 0, unanswered: 0, 'not sent': 0 } };
}

/** Events of a device, each name mapped to its listener (as MQTT.js types its client's events). */
export interface HardwareDeviceEvents {
  reading: (reading: HardwareReading) => void;
  status: (change: StatusChange) => void;
  identity: (identity: DeviceIdentity) => void;
}

/**
 * A physical device (or a stand-in for one) as twinbed drives it: readings and status come in, commands go out. The
 * contract is test/integration/hardware/device-contract.ts, which the simulated twin, the emulator on a pty pair and
 * the emulator on MQTT all pass.
 */
export interface HardwareDevice {
  readonly device: string;
  /** Where it is, for reports: `serial /dev/ttyUSB0 @115200`, `mqtt mqtt://lab:1883 twinbed-hw/pump-1/data`. */
  readonly transport: string;
  /** Opens the link (port, broker connection); rejects with a HardwareError if it cannot. Readings follow when the device sends them. */
  open(): Promise<void>;
  status(): DeviceStatus;
  /** What its hello said, once it has said it. */
  identity(): DeviceIdentity | undefined;
  counters(): DeviceCounters;
  /** Sends a command; resolves with what became of it. Never rejects: an offline device is an outcome, not an error. */
  command(command: CommandV1): Promise<CommandOutcome>;
  /** Listens for an event; returns the function that stops listening. A listener that throws is logged and the others still run. */
  on<K extends keyof HardwareDeviceEvents>(event: K, listener: HardwareDeviceEvents[K]): () => void;
  /** Closes the link; the device is then offline (`closed by twinbed`). */
  close(): Promise<void>;
}

/**
 * The byte pipe under a line device: a serial port, a broker. It delivers whole lines and says when it goes up or
 * down; it knows nothing of what the lines mean.
 */
export interface LineTransport {
  readonly description: string;
  open(handlers: LineHandlers): Promise<void>;
  /** Writes one line (the newline is added). Rejects if the link is down. */
  write(line: string): Promise<void>;
  close(): Promise<void>;
}

export interface LineHandlers {
  /** A whole line; `sensor` when it came on that sensor's own topic. */
  line(text: string, sensor?: string): void;
  /** A status the transport itself carries (an MQTT status topic, the device's will). */
  status(body: Record<string, unknown>): void;
  /** Bytes that could not form a line, by reason (`line too long`). */
  framingError(reason: string, detail: string): void;
  /** The link is up (port open, broker connected). */
  up(): void;
  /** The link went down, and why. */
  down(reason: string): void;
}

/** Typed listeners; one that throws is reported through `onError` and the rest still run. */
export class Listeners<E extends { [K in keyof E]: (...args: never[]) => void }> {
  readonly #map = new Map<keyof E, Set<(...args: never[]) => void>>();
  readonly #onError: (error: unknown, event: keyof E) => void;

  constructor(onError: (error: unknown, event: keyof E) => void) {
    this.#onError = onError;
  }

  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    let set = this.#map.get(event);
    if (!set) this.#map.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    for (const listener of this.#map.get(event) ?? []) {
      try {
        (listener as (...a: Parameters<E[K]>) => void)(...args);
      } catch (error) {
        this.#onError(error, event);
      }
    }
  }
}
