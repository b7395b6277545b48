import net from 'node:net';
import pino, { type Logger } from 'pino';
import type { Clock } from '../clock';
import { listen } from '../listen';
import type { LinkCounters, LinkImpairment, LinkImpairmentInput, LinkModel } from '../link/index';
import { ProxyConnection, type ConnectionInfo } from './connection';
import { DirectionCounters, type DirectionCountersSnapshot } from './counters';
import { ProxyError } from './errors';

/*
 * What the proxy does to MQTT traffic, per direction (`up` client → broker, `down` broker → client):
 * - PUBLISH packets each get the link model's verdict. deliver: written at the model's times (latency, jitter,
 *   bandwidth, reorder), once per copy (duplicate). drop: the PUBLISH disappears and the session stays up; a QoS 1/2
 *   sender resends it only after it reconnects, as MQTT 3.1.1 requires [MQTT-4.4.0-1], so a drop is a real loss to
 *   a client that stays connected. down/partition: the connection is reset. down/stall: see below.
 * - Every other packet (CONNECT, PUBACK, SUBSCRIBE, PINGREQ…) takes the link's fixed latencyMs and nothing else:
 *   no loss, jitter or duplication (TCP would retransmit a lost segment, so losing one would only model a broken
 *   broker), and no bandwidth: bandwidthKbps and queueLimitBytes meter PUBLISH bytes only.
 * - Order: a control packet never overtakes an earlier packet of its direction (a duplicate copy aside: only
 *   DISCONNECT waits for those), and a PUBLISH never overtakes an earlier control packet; PUBLISHes reorder among
 *   themselves only when the model's times say so (jitter, reorder). See ReleaseQueue.
 * - Faults on either link act on the whole connection: partition resets both sockets (RST) and refuses new
 *   connections until it ends; stall stops reading and writing both ways (a FIN waits too), losing nothing, until it
 *   ends; reset (set() with `reset: true`) resets every connection once.
 * - Flow control: a direction that has more than maxQueuedBytes waiting stops reading its sender, as a full TCP
 *   window would, so a long delay cannot make the proxy buffer without bound.
 * Bytes go on exactly as they came, so MQTT v5 properties and anything the proxy does not understand survive.
 */

export type ProxyDirection = 'up' | 'down';

export interface MqttProxyOptions {
  /** Name of the proxy in the control API and the logs. Default `mqtt`. */
  name?: string;
  /** Where clients connect. host default 127.0.0.1; port default 0 (a free one). */
  listen?: { host?: string; port?: number };
  /** The broker behind the proxy. */
  upstream: { host: string; port: number };
  /** The impairment models: `up` client → broker, `down` broker → client. Shared by every connection. */
  links: { up: LinkModel; down: LinkModel };
  /** Time source for verdicts and release timers; a ScaledRealClock with factor 1 for real traffic. */
  clock: Clock;
  /** Default: silent. */
  logger?: Logger;
  /** Bytes queued in one direction of one connection above which the proxy stops reading that sender, as a TCP window would. Default 16 MiB. */
  maxQueuedBytes?: number;
}

export interface LinkCountersSnapshot extends Omit<LinkCounters, 'latencyMs'> {
  latencyMs: ReturnType<LinkCounters['latencyMs']['summary']>;
}

export interface MqttProxyCounters {
  connections: {
    /** Client connections accepted and proxied. */
    accepted: number;
    /** Proxied connections open now. */
    active: number;
    /** Connections refused (reset at once) during a partition. */
    refused: number;
    /** Connections reset by a partition, a reset, resetConnections() or a protocol error. */
    reset: number;
  };
  up: DirectionCountersSnapshot & { link: LinkCountersSnapshot };
  down: DirectionCountersSnapshot & { link: LinkCountersSnapshot };
}

export interface MqttProxy {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** `mqtt://host:port`, for clients. */
  readonly url: string;
  readonly upstream: { host: string; port: number };
  impairments(): Record<ProxyDirection, LinkImpairment>;
  counters(): MqttProxyCounters;
  /** Who is connected now. */
  connections(): ConnectionInfo[];
  /** Replaces the impairment of one direction or both, now; fields left out take their defaults (no impairment). */
  setImpairment(direction: ProxyDirection | 'both', impairment: LinkImpairmentInput): void;
  /** Resets every proxied connection (TCP RST to both ends); returns how many there were. */
  resetConnections(): number;
  /** Stops listening and resets every connection. */
  close(): Promise<void>;
}

/** Starts an MQTT-aware impairment proxy in front of `upstream`; resolves once it listens. */
export async function startMqttProxy(options: MqttProxyOptions): Promise<MqttProxy> {
  const proxy = new MqttProxyServer(options);
  await proxy.listen(options.listen?.host ?? '127.0.0.1', options.listen?.port ?? 0);
  return proxy;
}

class MqttProxyServer implements MqttProxy {
  readonly name: string;
  readonly upstream: { host: string; port: number };
  host = '';
  port = 0;
  url = '';
  readonly #links: { up: LinkModel; down: LinkModel };
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #maxQueuedBytes: number;
  readonly #counters = { up: new DirectionCounters(), down: new DirectionCounters() };
  readonly #connections = new Set<ProxyConnection>();
  readonly #server: net.Server;
  readonly #unsubscribe: Array<() => void>;
  #nextId = 1;
  #accepted = 0;
  #refused = 0;
  #reset = 0;
  #stalled = false;

  constructor(options: MqttProxyOptions) {
    this.name = options.name ?? 'mqtt';
    this.upstream = { host: options.upstream.host, port: options.upstream.port };
    this.#links = options.links;
    this.#clock = options.clock;
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ proxy: this.name });
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 16 * 2 ** 20;
    this.#server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.#accept(socket));
    const onChange = (_impairment: LinkImpairment, _nowMs: number, change: { reason: 'set' | 'reset' }) => this.#linksChanged(change.reason === 'reset');
    this.#unsubscribe = [this.#links.up.onChange(onChange), this.#links.down.onChange(onChange)];
    this.#stalled = this.#links.up.impairment.stall || this.#links.down.impairment.stall;
  }

  async listen(host: string, port: number): Promise<void> {
    const where = await listen(this.#server, port, host).catch((error: NodeJS.ErrnoException) => {
      throw new ProxyError('E_PROXY_LISTEN', `proxy ${this.name} cannot listen on ${host}:${port} (${error.code ?? error.message}); pick another port, or 0 for a free one`, { cause: error });
    });
    this.host = where.host;
    this.port = where.port;
    this.url = `mqtt://${where.urlHost}:${where.port}`;
  }

  impairments(): Record<ProxyDirection, LinkImpairment> {
    return { up: this.#links.up.impairment, down: this.#links.down.impairment };
  }

  counters(): MqttProxyCounters {
    return {
      connections: { accepted: this.#accepted, active: this.#connections.size, refused: this.#refused, reset: this.#reset },
      up: { ...this.#counters.up.snapshot(), link: linkSnapshot(this.#links.up) },
      down: { ...this.#counters.down.snapshot(), link: linkSnapshot(this.#links.down) },
    };
  }

  connections(): ConnectionInfo[] {
    return [...this.#connections].map((connection) => ({ ...connection.info }));
  }

  setImpairment(direction: ProxyDirection | 'both', impairment: LinkImpairmentInput): void {
    const nowMs = this.#clock.now();
    if (direction !== 'down') this.#links.up.set(impairment, nowMs);
    if (direction !== 'up') this.#links.down.set(impairment, nowMs);
    this.#log.info({ direction, impairment: this.impairments() }, 'impairment set');
  }

  resetConnections(): number {
    let count = 0;
    for (const connection of this.#connections) {
      if (connection.aborted) continue;
      connection.abort('reset');
      count++;
    }
    return count;
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of this.#connections) connection.abort('proxy closing');
    this.#connections.clear();
    await closed;
  }

  get #partitioned(): boolean {
    return this.#links.up.impairment.partition || this.#links.down.impairment.partition;
  }

  #accept(socket: net.Socket): void {
    socket.on('error', () => {});
    if (this.#partitioned) {
      this.#refused++;
      socket.resetAndDestroy();
      return;
    }
    this.#accepted++;
    const connection = new ProxyConnection({
      id: this.#nextId++,
      client: socket,
      upstream: this.upstream,
      links: this.#links,
      counters: this.#counters,
      clock: this.#clock,
      maxQueuedBytes: this.#maxQueuedBytes,
      logger: this.#log,
      onClosed: (closed) => {
        this.#connections.delete(closed);
        if (closed.aborted) this.#reset++;
      },
    });
    this.#connections.add(connection);
    if (this.#stalled) connection.hold();
  }

  #linksChanged(reset: boolean): void {
    if (reset) this.resetConnections();
    if (this.#partitioned) {
      for (const connection of this.#connections) connection.abort('partition');
    }
    const stalled = this.#links.up.impairment.stall || this.#links.down.impairment.stall;
    if (stalled === this.#stalled) return;
    this.#stalled = stalled;
    for (const connection of this.#connections) {
      if (stalled) connection.hold();
      else connection.release();
    }
  }
}

function linkSnapshot(link: LinkModel): LinkCountersSnapshot {
  const counters = link.counters();
  return { ...counters, latencyMs: counters.latencyMs.summary() };
}
