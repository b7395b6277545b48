import { StringDecoder } from 'node:string_decoder';
import { SerialPortStream } from '@serialport/stream';
import type { Logger } from 'pino';
import { hangupAwareBinding } from './hangup-binding';
import { HardwareError, type LineHandlers, type LineTransport } from './hardware-device';
import { LineSplitter, MAX_LINE_CHARS } from './line-splitter';

export interface SerialTransportOptions {
  /** The device it carries, for messages. */
  device: string;
  path: string;
  /** Baud. */
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  /** After the port closes, try to open it again every this many ms; 0 never. */
  reopenMs: number;
  logger?: Logger;
}

/**
 * A serial port (or one end of a socat pty pair) as a line transport, with `serialport`. When the port closes under
 * it (a cable pulled, a USB adapter reset, the pty's other end gone) it says so and, with `reopenMs`, keeps trying
 * to open the path again.
 */
export class SerialTransport implements LineTransport {
  readonly description: string;
  readonly #o: SerialTransportOptions;
  #port: SerialPortStream | undefined;
  #handlers: LineHandlers | undefined;
  #splitter: LineSplitter | undefined;
  #reopenTimer: ReturnType<typeof setTimeout> | undefined;
  #closing = false;

  constructor(options: SerialTransportOptions) {
    this.#o = options;
    this.description = `serial ${options.path} @${options.baudRate}`;
  }

  async open(handlers: LineHandlers): Promise<void> {
    this.#handlers = handlers;
    this.#splitter = new LineSplitter(
      (line) => handlers.line(line),
      (chars) => handlers.framingError('line too long', `${chars} characters without a newline (at most ${MAX_LINE_CHARS})`),
    );
    try {
      await this.#openPort();
    } catch (error) {
      // bindings-cpp says `Error: No such file or directory, cannot open PATH`, without an errno code.
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message.replace(/^Error: /, '').replace(/, cannot open .*$/, '');
      throw new HardwareError(
        this.#o.device,
        `cannot open serial port ${this.#o.path} (${code}): check the path (ls /dev/tty*), that nothing else holds it, and that you may open it (the dialout group)`,
        { cause: error },
      );
    }
  }

  async write(line: string): Promise<void> {
    const port = this.#port;
    if (!port?.isOpen) throw new Error(`${this.#o.path} is not open`);
    await new Promise<void>((resolve, reject) => port.write(`${line}\n`, (error) => (error ? reject(error) : resolve())));
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#reopenTimer);
    const port = this.#port;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  #openPort(): Promise<void> {
    const { path, baudRate, dataBits = 8, parity = 'none', stopBits = 1 } = this.#o;
    // Not serialport's own binding as it is: its reads never end once the line hangs up (see hangup-binding.ts).
    const port = new SerialPortStream({ binding: hangupAwareBinding(), path, baudRate, dataBits, parity, stopBits, autoOpen: false });
    const decoder = new StringDecoder('utf8');
    let down = false;
    const lost = (reason: string) => {
      if (down || this.#port !== port) return;
      down = true;
      if (this.#closing) return;
      this.#splitter?.reset();
      this.#handlers?.down(reason);
      this.#scheduleReopen();
    };
    port.on('data', (chunk: Buffer) => this.#splitter?.push(decoder.write(chunk)));
    // `close` comes with a DisconnectedError when the port went away, and without one when we closed it.
    port.on('close', (error?: Error) => lost(error ? `port closed: ${error.message}` : 'port closed'));
    port.on('error', (error: Error) => {
      this.#o.logger?.warn({ device: this.#o.device, path, err: error }, 'serial port error');
      if (!port.isOpen) lost(`${lineGone(error) ? 'port closed' : 'port error'}: ${error.message}`);
    });
    return new Promise<void>((resolve, reject) =>
      port.open((error) => {
        if (error) return reject(error);
        this.#port = port;
        this.#handlers?.up();
        resolve();
      }),
    );
  }

  #scheduleReopen(): void {
    if (this.#closing || this.#o.reopenMs <= 0) return;
    this.#reopenTimer = setTimeout(() => {
      this.#openPort().then(
        () => this.#o.logger?.info({ device: this.#o.device, path: this.#o.path }, 'serial port open again'),
        () => this.#scheduleReopen(),
      );
    }, this.#o.reopenMs);
    this.#reopenTimer.unref();
  }
}

/** A read or write that fails because the other end went away (a pty's peer closed, a USB adapter pulled): the port closed. */
export function lineGone(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? /\b(EIO|EBADF|ENXIO|ENODEV)\b/.exec(error.message)?.[1];
  return code === 'EIO' || code === 'EBADF' || code === 'ENXIO' || code === 'ENODEV';
}
