import type { Logger } from 'pino';
import { ReasonCodes } from 'mqtt';
import { TwinbedError, type CommandV1, type TelemetryV1 } from '../../protocol';
import { createMqttClient, monotonicWallMs, type MqttClient } from '../../sim';
import type { ConnectGate } from './connect-gate';
import type { Dialect, DeviceIdentity, OutMessage } from './dialect';
import { reasonName, type TransportStats } from './transport-stats';

/** A device that could not connect, or was refused: names the device, the broker and the reason. */
export class DeviceConnectError extends TwinbedError {
  readonly device: string;
  readonly reason: string;

  constructor(device: string, url: string, reason: string, options?: { cause?: unknown }) {
    super('E_DEVICE_CONNECT', `device ${device} could not connect to ${url}: ${reason}`, options);
    this.device = device;
    this.reason = reason;
  }
}

/** Everything a session needs to open its connection, credentials already read from their files. */
export interface SessionConnect {
  url: string;
  protocolVersion: 4 | 5;
  clientId: string;
  keepaliveS: number;
  clean: boolean;
  sessionExpiryS?: number;
  messageExpiryS?: number;
  userProperties: boolean;
  maxInflight: number;
  reconnectPeriodMs: number;
  connectTimeoutMs: number;
  username?: string;
  password?: string;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean };
}

export interface DeviceSessionOptions {
  id: DeviceIdentity;
  connect: SessionConnect;
  dialect: Dialect;
  /** Shared by the fleet's sessions. */
  stats: TransportStats;
  gate: ConnectGate;
  onCommand: (command: CommandV1) => void;
  logger?: Logger;
}

/** Per sensor: blocks handed to the session, acknowledged (every message of the block), failed, and bytes. */
export interface SensorCounts {
  acked: number;
  failed: number;
  bytes: number;
}

/** A reading waiting for its messages' acknowledgements. */
interface PendingBlock {
  counts: SensorCounts;
  remaining: number;
  failed: boolean;
}

/**
 * One device's MQTT session: connects through the fleet's connect gate, keeps a bounded window of unacknowledged
 * QoS 1 messages (so a virtual clock that awaits `publish` runs exactly as fast as the broker acknowledges), holds
 * readings back until the dialect is ready (births sent, primary host online), reconnects, and hands commands that
 * arrive on its subscriptions to the machine.
 */
export class DeviceSession {
  readonly id: DeviceIdentity;
  readonly #o: DeviceSessionOptions;
  readonly #client: MqttClient;
  readonly #counts = new Map<string, SensorCounts>();
  #inflight = 0;
  #born = false;
  #closing = false;
  #attemptStartMs = 0;
  #waiters: (() => void)[] = [];

  private constructor(options: DeviceSessionOptions) {
    this.id = options.id;
    this.#o = options;
    const c = options.connect;
    const will = options.dialect.will?.();
    this.#client = createMqttClient(c.url, {
      clientId: c.clientId,
      protocolVersion: c.protocolVersion,
      clean: c.clean,
      keepalive: c.keepaliveS,
      reconnectPeriod: c.reconnectPeriodMs,
      connectTimeoutMs: c.connectTimeoutMs,
      manualConnect: true,
      resubscribe: false,
      // A fleet runs thousands of clients: no debug logger each (mqtt.js makes one per client and calls it ~10 times
      // a message), and keepalive timers on one shared clock instead of a Node timer reset on every PUBACK.
      log: noLog,
      timerVariant: KEEPALIVE_TIMERS,
      ...(c.username !== undefined ? { username: c.username } : {}),
      ...(c.password !== undefined ? { password: c.password } : {}),
      ...(c.tls ? { ...c.tls } : {}),
      ...(c.protocolVersion === 5 && c.sessionExpiryS !== undefined ? { properties: { sessionExpiryInterval: c.sessionExpiryS } } : {}),
      ...(will ? { will: toWill(will) } : {}),
    });
  }

  /** Opens the session; resolves at the first CONNACK with the subscriptions made, rejects if refused or unreachable. */
  static async open(options: DeviceSessionOptions): Promise<DeviceSession> {
    const session = new DeviceSession(options);
    await session.#open();
    return session;
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  /** Per-sensor counts of the readings this session carried. */
  countsFor(sensor: string): SensorCounts {
    return { ...(this.#counts.get(sensor) ?? { acked: 0, failed: 0, bytes: 0 }) };
  }

  async #open(): Promise<void> {
    const { stats, gate, dialect, connect } = this.#o;
    const client = this.#client;
    client.on('reconnect', () => {
      stats.connectAttempts++;
      this.#attemptStartMs = monotonicWallMs();
    });
    client.on('connect', () => {
      stats.connectsEstablished++;
      stats.connectedNow++;
      stats.connectMs.record(monotonicWallMs() - this.#attemptStartMs);
      void this.#online();
    });
    client.on('offline', () => this.#o.logger?.debug({ device: this.id.device }, 'device offline; reconnecting'));
    client.on('message', (topic, payload) => this.#receive(topic, payload));
    // mqtt.js calls a QoS 1 publish back with the PUBLISH it kept, not the PUBACK: a success reason code (MQTT 5,
    // e.g. 0x10 No matching subscribers) is only on the PUBACK itself. Failures (>= 0x80) reach the callback as errors.
    client.on('packetreceive', (packet) => {
      const code = (packet as { reasonCode?: number }).reasonCode;
      if (packet.cmd === 'puback' && code !== undefined && code > 0 && code < 0x80) stats.pubackReason(reasonName(code, ReasonCodes));
    });
    let wasUp = false;
    client.on('connect', () => (wasUp = true));
    client.on('close', () => {
      if (wasUp) {
        wasUp = false;
        stats.connectedNow--;
        stats.disconnects++;
      }
      this.#born = false;
      dialect.disconnected?.();
      // The next CONNECT carries the next will (Sparkplug: NDEATH with the next bdSeq).
      const will = dialect.will?.();
      if (will) client.options.will = toWill(will);
      this.#wake();
    });

    await gate.take();
    stats.connectAttempts++;
    this.#attemptStartMs = monotonicWallMs();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no CONNACK within ${connect.connectTimeoutMs} ms`)), connect.connectTimeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        client.removeListener('connect', ok);
        // With manualConnect, mqtt.js ends a never-connected client before its socket closes, and that close then
        // starts reconnecting, forever: a device counted as failed (onConnectFailure: 'count') kept the process alive.
        client.options.reconnectPeriod = 0;
        client.end(true);
        reject(new DeviceConnectError(this.id.device, redact(connect.url), this.#reasonOf(error), { cause: error }));
      };
      const ok = () => {
        clearTimeout(timer);
        client.removeListener('error', fail);
        client.on('error', (error) => {
          stats.error(this.#reasonOf(error));
          this.#o.logger?.warn({ device: this.id.device, err: error }, 'device connection error');
        });
        resolve();
      };
      client.once('connect', ok);
      client.once('error', fail);
      client.connect();
    });
  }

  /** After each CONNACK: subscribe, then announce the session (births) once the dialect is ready. */
  async #online(): Promise<void> {
    const { dialect } = this.#o;
    if (dialect.subscriptions.length) {
      try {
        const granted = await this.#client.subscribeAsync([...dialect.subscriptions], { qos: 1 });
        for (const g of granted) if (g.qos === 128) this.#o.stats.error(`SUBACK 0x80 refused ${g.topic}`);
      } catch (error) {
        this.#o.stats.error(this.#reasonOf(error as Error));
        return;
      }
    }
    this.#birth();
  }

  #birth(): void {
    const { dialect } = this.#o;
    if (!this.#client.connected || !(dialect.ready?.() ?? true)) return;
    this.#born = true;
    for (const message of dialect.birth?.() ?? []) this.#write(message, undefined);
    this.#wake();
  }

  #receive(topic: string, payload: Buffer): void {
    let inbound;
    try {
      inbound = this.#o.dialect.receive(topic, payload);
    } catch (error) {
      this.#o.stats.error('undecodable command');
      this.#o.logger?.warn({ device: this.id.device, topic, err: error }, 'ignored a message the device could not read');
      return;
    }
    if (inbound.ignored) {
      this.#o.stats.error(`ignored: ${inbound.ignored}`);
      this.#o.logger?.warn({ device: this.id.device, topic, reason: inbound.ignored }, 'ignored a message');
    }
    if (inbound.hostOnline === false) this.#born = false;
    if (inbound.reconnect) {
      // Cut the socket, not DISCONNECT: the broker publishes the will, and mqtt.js reconnects as a new session.
      this.#client.stream?.destroy();
      return;
    }
    if (inbound.rebirth || inbound.hostOnline === true) this.#birth();
    for (const command of inbound.commands ?? []) this.#o.onCommand(command);
  }

  /** The messages that carry one reading, in this device's dialect. */
  encode(block: TelemetryV1, qos: 0 | 1): OutMessage[] {
    return this.#o.dialect.encode(block, qos);
  }

  /** Sends a message outside the readings (ground truth) if connected; not counted, not waited for. */
  send(message: OutMessage): void {
    if (!this.#client.connected) return;
    this.#client.publish(message.topic, Buffer.from(message.payload), { qos: message.qos, retain: message.retain ?? false });
  }

  /**
   * Sends the messages of one reading of `sensor`; resolves once they are all in the window (not acknowledged):
   * await it to get backpressure. They wait while the session is down or not yet announced.
   */
  async publish(messages: readonly OutMessage[], sensor: string): Promise<void> {
    let counts = this.#counts.get(sensor);
    if (!counts) this.#counts.set(sensor, (counts = { acked: 0, failed: 0, bytes: 0 }));
    const block: PendingBlock = { counts, remaining: messages.length, failed: false };
    for (const message of messages) {
      while (this.#inflight >= this.#o.connect.maxInflight || !this.#born) {
        if (this.#closing) throw new DeviceConnectError(this.id.device, redact(this.#o.connect.url), 'the session closed with readings unsent');
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      }
      counts.bytes += message.payload.byteLength;
      this.#write(message, block);
    }
  }

  /** Writes one message now; `block` collects the acknowledgements of a reading's messages. */
  #write(unstamped: OutMessage, block: PendingBlock | undefined): void {
    const { stats, connect } = this.#o;
    const message = this.#o.dialect.stamp?.(unstamped) ?? unstamped;
    this.#inflight++;
    stats.messages++;
    stats.bytes += message.payload.byteLength;
    const startMs = monotonicWallMs();
    const payload = Buffer.from(message.payload.buffer, message.payload.byteOffset, message.payload.byteLength);
    const properties =
      connect.protocolVersion === 5
        ? {
            ...(connect.messageExpiryS !== undefined ? { messageExpiryInterval: connect.messageExpiryS } : {}),
            ...(connect.userProperties && message.userProperties ? { userProperties: message.userProperties } : {}),
          }
        : undefined;
    // [MQTT-4.3.2] QoS 1: mqtt.js keeps the message until PUBACK and resends it after a reconnect.
    this.#client.publish(message.topic, payload, { qos: message.qos, retain: message.retain ?? false, ...(properties ? { properties } : {}) }, (error, packet) => {
      this.#inflight--;
      const code = (packet as { reasonCode?: number } | undefined)?.reasonCode ?? (error as { code?: unknown } | undefined)?.code;
      if (error) {
        stats.failed++;
        stats.error(typeof code === 'number' ? `PUBACK ${reasonName(code, ReasonCodes)}` : this.#reasonOf(error));
        if (block) block.failed = true;
      } else {
        stats.acked++;
        if (message.qos === 1) stats.pubackMs.record(monotonicWallMs() - startMs);
      }
      if (block && --block.remaining === 0) {
        if (block.failed) block.counts.failed++;
        else block.counts.acked++;
      }
      this.#wake();
    });
  }

  /** Resolves when every message handed to the session is acknowledged or failed. */
  async drain(): Promise<void> {
    while (this.#inflight > 0) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Says goodbye as the dialect does (Sparkplug: NDEATH), then DISCONNECTs: a closed session leaves no will behind. */
  async close(): Promise<void> {
    this.#closing = true;
    const death = this.#o.dialect.death?.();
    if (death && this.#client.connected) {
      await new Promise<void>((resolve) => this.#client.publish(death.topic, Buffer.from(death.payload), { qos: death.qos, retain: death.retain ?? false }, () => resolve()));
    }
    this.#wake();
    // A session closed while it was reconnecting must stay closed (see the same line in #open).
    this.#client.options.reconnectPeriod = 0;
    await this.#client.endAsync();
  }

  #wake(): void {
    // Called on every acknowledgement: splice(0) would allocate an empty array each time.
    if (this.#waiters.length === 0) return;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /** A reason as reports count it: `CONNACK 0x05 Not authorized`, `ECONNREFUSED`, or the message. */
  #reasonOf(error: Error): string {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number') return `CONNACK ${reasonName(code, ReasonCodes)}`;
    if (typeof code === 'string') return code;
    return error.message;
  }
}

function noLog(): void {}

/**
 * mqtt.js keepalive timers (`timerVariant`: setInterval semantics) for every session of the process on one Node
 * timer: mqtt.js clears and sets its timer on every PUBACK, a Timeout object and two timer-list operations per
 * message. Due intervals are found by a scan every quarter of the shortest interval (250 ms at most). mqtt.js pings
 * after two intervals of half the keepalive, so a ping goes out by 1.25 × keepalive, inside the 1.5 × keepalive a
 * broker waits [MQTT-3.1.2-24].
 */
class SharedIntervals {
  readonly #entries = new Map<number, { fn: () => void; everyMs: number; dueMs: number }>();
  #nextId = 1;
  #timer: ReturnType<typeof setInterval> | undefined;
  #tickMs = Infinity;

  readonly set = (fn: () => void, everyMs = 0): number => {
    const id = this.#nextId++;
    const every = Math.max(everyMs, 1);
    this.#entries.set(id, { fn, everyMs: every, dueMs: performance.now() + every });
    const tickMs = Math.min(250, Math.max(1, Math.floor(every / 4)));
    if (!this.#timer || tickMs < this.#tickMs) this.#start(tickMs);
    return id;
  };

  readonly clear = (id: number): void => {
    this.#entries.delete(id);
    if (this.#entries.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#tickMs = Infinity;
    }
  };

  #start(tickMs: number): void {
    clearInterval(this.#timer);
    this.#tickMs = tickMs;
    this.#timer = setInterval(() => this.#tick(), tickMs);
    // The sessions' sockets keep the process alive, not their keepalive clock.
    this.#timer.unref();
  }

  #tick(): void {
    const now = performance.now();
    for (const entry of this.#entries.values()) {
      if (entry.dueMs > now) continue;
      entry.dueMs = now + entry.everyMs;
      entry.fn();
    }
  }
}

const KEEPALIVE_TIMERS = new SharedIntervals();

function toWill(message: OutMessage): { topic: string; payload: Buffer; qos: 0 | 1; retain: boolean } {
  return { topic: message.topic, payload: Buffer.from(message.payload), qos: message.qos, retain: message.retain ?? false };
}

function redact(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}
