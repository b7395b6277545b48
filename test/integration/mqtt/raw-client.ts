import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

type Cmd = Packet['cmd'];
export type PacketOf<C extends Cmd> = Extract<Packet, { cmd: C }>;

/** How long a test waits for a packet or a close before it fails. Generous: a loaded CI machine is slow, not wrong. */
export const WAIT_MS = 5_000;

interface Waiter {
  match: (packet: Packet) => boolean;
  resolve: (packet: Packet) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One MQTT connection over a real TCP socket, byte for byte: the test writes exactly the bytes it wants (hand-made
 * or from mqtt-packet's `generate`), and every packet the server sends is parsed and queued until a test takes it.
 */
export class RawClient {
  readonly #socket: net.Socket;
  readonly #unread: Packet[] = [];
  readonly #waiters = new Set<Waiter>();
  readonly #closed: Promise<void>;
  #isClosed = false;
  #parseError: Error | undefined;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet: Packet) => this.#deliver(packet));
    parser.on('error', (error: Error) => {
      this.#parseError = error;
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
    // A server that closes with unread bytes in its buffer sends RST; the close event follows either way.
    socket.on('error', () => {});
    this.#closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.#isClosed = true;
        for (const waiter of this.#waiters) this.#settle(waiter, new Error(this.#closeReason()));
        resolve();
      });
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, noDelay: true });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Packets received and not yet taken by `next`, oldest first. */
  get unread(): readonly Packet[] {
    return this.#unread;
  }

  send(packet: Packet): void {
    this.#socket.write(mqttPacket.generate(packet));
  }

  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** Writes and resolves once the bytes are handed to the kernel: a test can send a packet in pieces. */
  flush(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.#socket.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  /**
   * Takes the oldest unread packet of type `cmd` (that also passes `match`), waiting for it if none has come yet.
   * Packets of other types stay queued. Rejects when the connection closes first or after `timeoutMs`.
   */
  next<C extends Cmd>(cmd: C, match: (packet: PacketOf<C>) => boolean = () => true, timeoutMs = WAIT_MS): Promise<PacketOf<C>> {
    const matches = (packet: Packet): packet is PacketOf<C> => packet.cmd === cmd && match(packet as PacketOf<C>);
    const index = this.#unread.findIndex(matches);
    if (index >= 0) return Promise.resolve(this.#unread.splice(index, 1)[0] as PacketOf<C>);
    if (this.#isClosed) return Promise.reject(new Error(`no ${cmd}: ${this.#closeReason()}`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: matches,
        resolve: (packet) => resolve(packet as PacketOf<C>),
        reject: (error) => reject(new Error(`no ${cmd}: ${error.message}`)),
        timer: setTimeout(() => this.#settle(waiter, new Error(`none within ${timeoutMs} ms; unread: ${this.#describeUnread()}`)), timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Resolves when the server has closed the connection; rejects if it is still open after `timeoutMs`. */
  closed(timeoutMs = WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the server kept the connection open for ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.#closed, timeout]).finally(() => clearTimeout(timer));
  }

  /** Drops the TCP connection without DISCONNECT, as a crashed client or a cut cable would. */
  async destroy(): Promise<void> {
    this.#socket.destroy();
    await this.#closed;
  }

  #deliver(packet: Packet): void {
    for (const waiter of this.#waiters) {
      if (waiter.match(packet)) {
        this.#waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(packet);
        return;
      }
    }
    this.#unread.push(packet);
  }

  #settle(waiter: Waiter, error: Error): void {
    this.#waiters.delete(waiter);
    clearTimeout(waiter.timer);
    waiter.reject(error);
  }

  #closeReason(): string {
    const parse = this.#parseError ? ` (unparsable bytes from the server: ${this.#parseError.message})` : '';
    return `the connection closed${parse}; unread: ${this.#describeUnread()}`;
  }

  #describeUnread(): string {
    return this.#unread.length === 0 ? 'none' : this.#unread.map((packet) => packet.cmd).join(', ');
  }
}
