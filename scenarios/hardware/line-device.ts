import type { Logger } from 'pino';
import type { CommandV1 } from '../../protocol';
import { monotonicWallMs } from '../../sim';
import type { HardwareBinding } from './hardware-schema';
import {
  Listeners,
  zeroDeviceCounters,
  type CommandOutcome,
  type DeviceCounters,
  type DeviceIdentity,
  type DeviceStatus,
  type HardwareDevice,
  type HardwareDeviceEvents,
  type LineTransport,
} from './hardware-device';
import { LineCodec } from './line-protocol';

export interface LineDeviceOptions {
  binding: HardwareBinding;
  transport: LineTransport;
  logger?: Logger;
  /** Monotonic wall ms. Default: the process's monotonic clock. */
  now?: () => number;
}

interface PendingCommand {
  id: string;
  action: string;
  resolve: (outcome: CommandOutcome) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * A device that speaks the line protocol (line-protocol.ts) over any transport. Offline is a status, never an
 * exception: the link going down, the device saying bye or offline, or no line for `offlineAfterS`.
 */
export class LineDevice implements HardwareDevice {
  readonly device: string;
  readonly transport: string;
  readonly #binding: HardwareBinding;
  readonly #link: LineTransport;
  readonly #codec: LineCodec;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  readonly #listeners: Listeners<HardwareDeviceEvents>;
  readonly #pending: PendingCommand[] = [];
  readonly #counters: DeviceCounters = zeroDeviceCounters();
  #status: DeviceStatus = 'connecting';
  #offlineReason = 'not connected yet';
  #identity: DeviceIdentity | undefined;
  #linkUp = false;
  /** The link has just come up: its first line may be the tail of one sent before. */
  #fresh = false;
  #closing = false;
  #lastLineMs = 0;
  #lastSeq: number | undefined;
  #lastDeviceMs: number | undefined;
  #watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(options: LineDeviceOptions) {
    this.#binding = options.binding;
    this.device = options.binding.device;
    this.#link = options.transport;
    this.transport = options.transport.description;
    this.#codec = new LineCodec(options.binding);
    this.#logger = options.logger;
    this.#now = options.now ?? monotonicWallMs;
    this.#listeners = new Listeners((error, event) => this.#logger?.error({ err: error, device: this.device, event }, 'a hardware listener failed; the device goes on'));
  }

  async open(): Promise<void> {
    await this.#link.open({
      line: (text, sensor) => this.#line(text, sensor),
      status: (body) => this.#statusBody(body),
      framingError: (reason, detail) => this.#framingError(reason, detail),
      up: () => {
        this.#linkUp = true;
        this.#fresh = true;
        this.#askHello();
      },
      down: (reason) => {
        this.#linkUp = false;
        this.#offline(reason);
      },
    });
    const everyMs = Math.min(1000, this.#binding.offlineAfterS * 250);
    this.#watchdog = setInterval(() => {
      if (this.#status === 'online' && this.#now() - this.#lastLineMs > this.#binding.offlineAfterS * 1000) this.#offline(`silent for ${this.#binding.offlineAfterS} s`);
    }, everyMs);
    this.#watchdog.unref?.();
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
    const done = (outcome: CommandOutcome) => {
      this.#counters.commands[outcome.result]++;
      return outcome;
    };
    // Offline is known (its link is down, it said so, or it went silent): a command would go nowhere, so it is not sent.
    if (!this.#linkUp || this.#closing || this.#status === 'offline') return done({ result: 'not sent', outcome: `not sent: ${this.device} is offline (${this.#offlineReason})` });
    try {
      await this.#link.write(this.#codec.command(command));
    } catch (error) {
      return done({ result: 'not sent', outcome: `not sent: ${(error as Error).message}` });
    }
    const waitMs = this.#binding.ackTimeoutMs;
    if (waitMs === 0) return done({ result: 'unanswered', outcome: `sent over ${this.transport} (not waiting for an answer)` });
    return done(
      await new Promise<CommandOutcome>((resolve) => {
        const pending: PendingCommand = {
          id: command.id,
          action: command.action,
          resolve,
          timer: setTimeout(() => {
            this.#pending.splice(this.#pending.indexOf(pending), 1);
            resolve({ result: 'unanswered', outcome: `sent over ${this.transport}; no answer within ${waitMs} ms` });
          }, waitMs),
        };
        this.#pending.push(pending);
      }),
    );
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#watchdog);
    for (const p of this.#pending.splice(0)) {
      clearTimeout(p.timer);
      p.resolve({ result: 'unanswered', outcome: `sent over ${this.transport}; the link closed before an answer` });
    }
    await this.#link.close();
    this.#linkUp = false;
    this.#offline('closed by twinbed');
  }

  #line(text: string, sensor: string | undefined): void {
    this.#counters.lines++;
    const parsed = this.#codec.parse(text, sensor);
    const fresh = this.#fresh;
    this.#fresh = false;
    switch (parsed.kind) {
      case 'skip':
        return;
      case 'error':
        // Opened in the middle of a line, the first one is a tail: not an error of the device.
        if (fresh) this.#logger?.debug({ device: this.device, detail: parsed.detail }, 'dropped the first line after the link came up');
        else this.#framingError(parsed.reason, parsed.detail);
        return;
      case 'meta':
        this.#alive('lines arriving');
        this.#meta(parsed.type, parsed.body);
        return;
      case 'reading': {
        this.#alive('lines arriving');
        const { seq, deviceMs } = parsed;
        let restarted = false;
        if (seq !== undefined && this.#lastSeq !== undefined) {
          if (seq > this.#lastSeq + 1) this.#counters.lostLines += seq - this.#lastSeq - 1;
          else if (seq <= this.#lastSeq) restarted = true;
        }
        if (deviceMs !== undefined && this.#lastDeviceMs !== undefined && deviceMs < this.#lastDeviceMs) restarted = true;
        if (restarted) this.#counters.restarts++;
        this.#lastSeq = seq ?? this.#lastSeq;
        this.#lastDeviceMs = deviceMs ?? this.#lastDeviceMs;
        this.#counters.readings++;
        this.#listeners.emit('reading', { deviceMs, seq, receivedWallMs: this.#now(), values: parsed.values });
      }
    }
  }

  /**
   * Asks who is there whenever the link comes up: a device's hello may have gone out before twinbed opened the port.
   * Not counted among the commands; a device that does not know `hello` may ignore it.
   */
  #askHello(): void {
    const hello: CommandV1 = { type: 'cmd', v: 1, device: this.device, tsMs: 0, id: 'hello', action: 'hello' };
    this.#link.write(this.#codec.command(hello)).catch((error: unknown) => this.#logger?.debug({ device: this.device, err: error }, 'could not ask for a hello'));
  }

  #meta(type: string, body: Record<string, unknown>): void {
    switch (type) {
      case 'hello':
        this.#hello(body);
        return;
      case 'ack':
      case 'nak': {
        const index = this.#matchPending(body);
        if (index < 0) {
          this.#logger?.debug({ device: this.device, body }, 'an answer to no pending command');
          return;
        }
        const [pending] = this.#pending.splice(index, 1);
        clearTimeout(pending!.timer);
        pending!.resolve(
          type === 'ack'
            ? { result: 'acknowledged', outcome: typeof body.outcome === 'string' ? body.outcome : 'acknowledged' }
            : { result: 'refused', outcome: `refused: ${typeof body.error === 'string' ? body.error : 'no reason given'}` },
        );
        return;
      }
      case 'status':
        this.#statusBody(body);
        return;
      case 'bye':
        this.#offline(`the device said bye${typeof body.reason === 'string' ? ` (${body.reason})` : ''}`);
    }
  }

  #statusBody(body: Record<string, unknown>): void {
    if (typeof body.device === 'string') this.#hello(body);
    if (body.status === 'offline') this.#offline(`device status: offline${typeof body.reason === 'string' ? ` (${body.reason})` : ''}`);
    else if (body.status === 'online') this.#alive('device status: online');
  }

  #hello(body: Record<string, unknown>): void {
    const identity: DeviceIdentity = { device: typeof body.device === 'string' ? body.device : this.device };
    if (typeof body.template === 'string') identity.template = body.template;
    if (typeof body.firmware === 'string') identity.firmware = body.firmware;
    if (Array.isArray(body.sensors)) {
      identity.sensors = body.sensors
        .filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null && typeof (s as { sensor?: unknown }).sensor === 'string')
        .map((s) => ({ sensor: s.sensor as string, ...(typeof s.unit === 'string' ? { unit: s.unit } : {}), ...(typeof s.rateHz === 'number' ? { rateHz: s.rateHz } : {}) }));
    }
    if (identity.device !== this.device) this.#logger?.warn({ device: this.device, says: identity.device }, 'the device says it is another device');
    this.#identity = identity;
    this.#listeners.emit('identity', identity);
  }

  /** The id's answer, else the oldest pending command of the same action, else the oldest (text commands carry no id). */
  #matchPending(body: Record<string, unknown>): number {
    if (typeof body.id === 'string') {
      const byId = this.#pending.findIndex((p) => p.id === body.id);
      if (byId >= 0) return byId;
    }
    const byAction = this.#pending.findIndex((p) => p.action === body.action);
    return byAction >= 0 ? byAction : this.#pending.length ? 0 : -1;
  }

  #framingError(reason: string, detail: string): void {
    const counts = this.#counters.framingErrors;
    counts[reason] = (counts[reason] ?? 0) + 1;
    // The first of each reason at warn, so a wrong mapping is seen at once; the rest are counted.
    if (counts[reason] === 1) this.#logger?.warn({ device: this.device, reason, detail }, 'a line the device sent could not be read');
  }

  #alive(reason: string): void {
    this.#lastLineMs = this.#now();
    if (this.#status === 'online' || this.#closing) return;
    this.#status = 'online';
    this.#listeners.emit('status', { status: 'online', reason, wallMs: this.#now() });
  }

  #offline(reason: string): void {
    this.#offlineReason = reason;
    if (this.#status === 'offline') return;
    // A link that never carried a line was never online: going down is still news.
    this.#status = 'offline';
    this.#listeners.emit('status', { status: 'offline', reason, wallMs: this.#now() });
  }
}
