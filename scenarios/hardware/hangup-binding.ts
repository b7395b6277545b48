import { read } from 'node:fs';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';

const readAsync = promisify(read);

/**
 * A serialport binding, as far as this needs one: it opens a path and gives a port (bindings-interface's
 * BindingInterface, whose own types do not resolve under `moduleResolution: Bundler`: its exports map has none).
 */
interface SerialBinding {
  list(): Promise<unknown[]>;
  open(options: { path: string; baudRate: number }): Promise<unknown>;
}

/** What a port's read resolves with: at least one byte (bindings-interface, BindingPortInterface.read). */
interface ReadResult {
  buffer: Buffer;
  bytesRead: number;
}

/** A bindings-cpp Unix port (LinuxPortBinding, DarwinPortBinding): a non-blocking fd and a poller that says when it is readable. */
interface UnixPort {
  readonly fd: number | null;
  readonly isOpen: boolean;
  readonly poller: { once(event: 'readable', callback: (error: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<ReadResult>;
}

/**
 * Taken by `@serialport/stream` as the port gone: it closes the port and emits `close` with a DisconnectedError that
 * carries this message, as for any read error without `canceled` (bindings-interface, BindingPortInterface.read).
 */
class LineHungUpError extends Error {}

/** What a read throws when the port was closed under it: the stream lets it pass (bindings-interface). */
class CanceledError extends Error {
  readonly canceled = true;
}

/**
 * serialport's own binding, except that on Unix a read that reaches end of file reports the port gone. bindings-cpp 13
 * reads again at once when read(2) returns 0 bytes (node_modules/@serialport/bindings-cpp/dist/unix-read.js), and a
 * tty returns 0 for ever once its line is hung up (the other end of a pty pair closed, a USB adapter reset), so the
 * port spins on read() in the thread pool and never says it closed. Which way a port learns of the hang-up is a race:
 * waiting on the poller it gets POLLERR ("bad file descriptor"), mid-hang-up a read gets EIO, and both are reported;
 * but a read that starts after it (lines streaming in, the poller has just said readable) gets the 0. Windows ports
 * have no fd: left as is.
 */
export function hangupAwareBinding(binding: SerialBinding = SerialPort.binding): SerialBinding {
  return {
    list: () => binding.list(),
    open: async (options) => {
      const port = await binding.open(options);
      if (isUnixPort(port)) port.read = (buffer, offset, length) => readUntilHangup(port, buffer, offset, length);
      return port;
    },
  };
}

function isUnixPort(port: unknown): port is UnixPort {
  return typeof port === 'object' && port !== null && 'fd' in port && 'poller' in port;
}

/** bindings-cpp's unixRead, but a 0-byte read is the end of the line, not a reason to read again. */
async function readUntilHangup(port: UnixPort, buffer: Buffer, offset: number, length: number): Promise<ReadResult> {
  for (;;) {
    const fd = port.fd;
    if (fd === null) throw new CanceledError('Port is not open');
    let bytesRead: number;
    try {
      ({ bytesRead } = await readAsync(fd, buffer, offset, length, null));
    } catch (error) {
      // Closed by twinbed while the read was under way (EBADF): not news.
      if (!port.isOpen) throw new CanceledError('Port is not open', { cause: error });
      const code = (error as NodeJS.ErrnoException).code;
      // EIO and the rest end the line: the stream closes the port with the error's message.
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw error;
      // Nothing to read yet: wait until there is. A hang-up wakes it with an error (POLLERR), which ends the line.
      await new Promise<void>((resolve, reject) => port.poller.once('readable', (err) => (err ? reject(err) : resolve())));
      continue;
    }
    if (bytesRead > 0) return { buffer, bytesRead };
    if (!port.isOpen) throw new CanceledError('Port is not open');
    // [read(2)] 0 bytes is end of file; a non-blocking tty with more to come says EAGAIN instead.
    throw new LineHungUpError('the line hung up (end of file: its other end closed)');
  }
}
