import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { LinkModel } from '../link/index';
import type { DirectionCounters } from './counters';
import { ProxyError } from './errors';
import { PacketType } from './framer';
import { Pipe } from './pipe';

/** Who is on a proxied connection, from the client's CONNECT. */
export interface ConnectionInfo {
  /** Sequence number of the connection within its proxy, from 1. */
  id: number;
  /** `host:port` of the client. */
  client: string;
  /** Client identifier from CONNECT; empty until it has been read. */
  clientId: string;
  /** 3 (MQTT 3.1), 4 (3.1.1) or 5, from CONNECT; 0 until it has been read. */
  protocolVersion: number;
}

export interface ConnectionOptions {
  id: number;
  client: net.Socket;
  upstream: { host: string; port: number };
  links: { up: Pick<LinkModel, 'impairment' | 'transmit'>; down: Pick<LinkModel, 'impairment' | 'transmit'> };
  counters: { up: DirectionCounters; down: DirectionCounters };
  clock: Clock;
  maxQueuedBytes: number;
  logger: Logger;
  /** Called once both sockets are closed. */
  onClosed(connection: ProxyConnection): void;
}

/**
 * One client connection and its upstream twin: two Pipes, `up` (client → broker) and `down` (broker → client).
 * Sockets are half-open aware, so a FIN travels behind the data queued before it, as it would on a real link.
 */
export class ProxyConnection {
  readonly info: ConnectionInfo;
  readonly #client: net.Socket;
  readonly #upstream: net.Socket;
  readonly #up: Pipe;
  readonly #down: Pipe;
  readonly #log: Logger;
  readonly #onClosed: (connection: ProxyConnection) => void;
  #open = 2;
  #aborted = false;

  constructor(options: ConnectionOptions) {
    const client = options.client;
    this.#client = client;
    this.#log = options.logger;
    this.#onClosed = options.onClosed;
    this.info = { id: options.id, client: `${client.remoteAddress}:${client.remotePort}`, clientId: '', protocolVersion: 0 };
    client.setNoDelay(true);
    // Writes before the upstream connects are buffered by the socket, so the client's CONNECT is not held up here.
    this.#upstream = net.connect({ host: options.upstream.host, port: options.upstream.port, noDelay: true, allowHalfOpen: true });
    const common = { clock: options.clock, maxQueuedBytes: options.maxQueuedBytes };
    const events = (direction: 'up' | 'down') => ({
      partition: () => this.abort('partition'),
      stall: () => this.hold(),
      error: (error: Error) => {
        this.#log.warn({ connection: this.info, direction, err: error }, 'closing a connection that is not speaking MQTT');
        this.abort('protocol error');
      },
    });
    this.#up = new Pipe({
      ...common,
      from: client,
      to: this.#upstream,
      link: options.links.up,
      counters: options.counters.up,
      events: { ...events('up'), first: (packet) => this.#connect(packet) },
    });
    this.#down = new Pipe({ ...common, from: this.#upstream, to: client, link: options.links.down, counters: options.counters.down, events: events('down') });

    this.#upstream.on('error', (error) => {
      this.#log.warn({ connection: this.info, err: new ProxyError('E_PROXY_UPSTREAM', `upstream ${options.upstream.host}:${options.upstream.port}: ${error.message}`, { cause: error }) }, 'upstream socket failed');
      this.abort('upstream error');
    });
    client.on('error', (error) => {
      this.#log.debug({ connection: this.info, err: error }, 'client socket failed');
      this.abort('client error');
    });
    this.#upstream.on('close', () => this.#closed(this.#down, this.#up, client));
    client.on('close', () => this.#closed(this.#up, this.#down, this.#upstream));
  }

  /** True once the connection was reset rather than closed by its peers. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** Packets waiting in both directions. */
  get queued(): number {
    return this.#up.queued + this.#down.queued;
  }

  /** Holds both directions (a stall): nothing is written, nothing is read, nothing is lost. */
  hold(): void {
    this.#up.hold();
    this.#down.hold();
  }

  release(): void {
    this.#up.release();
    this.#down.release();
  }

  /** Resets both sockets (TCP RST): the client and the broker each see the connection drop, data in flight is lost. */
  abort(reason: string): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#log.info({ connection: this.info, reason }, 'connection reset');
    this.#up.close();
    this.#down.close();
    reset(this.#client);
    reset(this.#upstream);
  }

  #connect(packet: Buffer): void {
    if (packet[0]! >> 4 !== PacketType.connect) {
      this.#log.warn({ connection: this.info }, 'closing a connection whose first packet is not CONNECT [MQTT-3.1.0-1]');
      this.abort('protocol error');
      return;
    }
    // mqtt-packet reads the version from CONNECT itself; the pipes frame by the fixed header, which v3.1.1 and v5 share.
    const parser = mqttPacket.parser();
    parser.on('packet', (connect: mqttPacket.Packet) => {
      if (connect.cmd !== 'connect') return;
      this.info.clientId = connect.clientId;
      this.info.protocolVersion = connect.protocolVersion ?? 4;
    });
    parser.on('error', (error: Error) => this.#log.warn({ connection: this.info, err: error }, 'CONNECT does not parse; forwarding it for the broker to refuse'));
    parser.parse(packet);
    this.#log.debug({ connection: this.info }, 'client connected');
  }

  /** One socket is fully closed: drop what was queued towards it, and close the other once what it sent has gone out. */
  #closed(towardsClosed: Pipe, fromClosed: Pipe, other: net.Socket): void {
    towardsClosed.close();
    fromClosed.endInput();
    if (--this.#open === 0) {
      fromClosed.close();
      this.#onClosed(this);
      return;
    }
    // The other side's pipe ends it once its queue has drained; if the peer then keeps its half open, do not linger.
    if (other.writableFinished) other.destroy();
    else other.once('finish', () => other.destroy());
  }
}

function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  // resetAndDestroy needs an open handle; a socket still connecting has none, and destroy() is all it can do.
  if (socket.readyState === 'open' || socket.readyState === 'readOnly' || socket.readyState === 'writeOnly') socket.resetAndDestroy();
  else socket.destroy();
}
