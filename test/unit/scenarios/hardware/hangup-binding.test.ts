import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortStream } from '@serialport/stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hangupAwareBinding } from '../../../../scenarios/hardware/hangup-binding';

// A FIFO stands in for the tty: read(2) on it returns 0 once no writer is left, as a tty does once its line is hung
// up, and EAGAIN while a writer is there with nothing written, as a quiet line does. The inner binding is a fake whose
// port has the fd and poller bindings-cpp's Unix ports have; its own read must never be used.

interface FakePort {
  fd: number | null;
  isOpen: boolean;
  poller: { once(event: 'readable', callback: (error: Error | null) => void): void };
  read(): Promise<never>;
  close(): Promise<void>;
}

describe('hangupAwareBinding', () => {
  let dir: string;
  let fifo: string;
  const fds: number[] = [];
  /** Who waits for the fd to become readable, in order. */
  let waiting: ((error: Error | null) => void)[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'twinbed-hangup-'));
    fifo = join(dir, 'line');
    execFileSync('mkfifo', [fifo]);
    waiting = [];
  });
  afterEach(() => {
    for (const fd of fds.splice(0)) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (flags: number) => {
    const fd = openSync(fifo, flags | constants.O_NONBLOCK);
    fds.push(fd);
    return fd;
  };
  /** The binding over a fake inner one whose port is the FIFO's reading end. */
  const bindingOverFifo = () => {
    const port: FakePort = {
      fd: open(constants.O_RDONLY),
      isOpen: true,
      poller: { once: (_event, callback) => void waiting.push(callback) },
      read: () => Promise.reject(new Error('bindings-cpp read called')),
      close: async () => {
        port.fd = null;
        port.isOpen = false;
      },
    };
    return { port, binding: hangupAwareBinding({ list: async () => [], open: async () => port }) };
  };

  it('reports a read that reaches end of file (the other end hung up) as the port gone, so the stream closes it with that reason', async () => {
    const { binding } = bindingOverFifo();
    const stream = new SerialPortStream({ binding, path: fifo, baudRate: 115_200, autoOpen: false });
    const closed = new Promise<Error | null>((resolve) => stream.once('close', resolve));
    stream.on('data', () => {});
    stream.open();
    const error = await closed;
    expect(error).toMatchObject({ disconnected: true, message: expect.stringMatching(/hung up/) });
    expect(stream.isOpen).toBe(false);
  });

  it('hands over the bytes there are, and waits on the poller while there are none', async () => {
    const { binding } = bindingOverFifo();
    const writer = open(constants.O_WRONLY);
    const port = (await binding.open({ path: fifo, baudRate: 115_200 })) as { read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }> };
    const reading = port.read(Buffer.alloc(64), 0, 64);
    // Nothing written yet: EAGAIN, and the read waits to be told the fd is readable.
    await expect.poll(() => waiting.length).toBe(1);
    writeSync(writer, 'ok\n');
    waiting.shift()!(null);
    const { bytesRead, buffer } = await reading;
    expect(buffer.subarray(0, bytesRead).toString()).toBe('ok\n');
  });

  it('lets a read of a port closed under it end as canceled, which the stream does not take for a disconnect', async () => {
    const { port, binding } = bindingOverFifo();
    const opened = (await binding.open({ path: fifo, baudRate: 115_200 })) as FakePort & { read(buffer: Buffer, offset: number, length: number): Promise<unknown> };
    await port.close();
    await expect(opened.read(Buffer.alloc(8), 0, 8)).rejects.toMatchObject({ canceled: true });
  });

  it('leaves a port without an fd (Windows) as the platform binding made it', async () => {
    const windowsPort = { isOpen: true, read: async () => ({ bytesRead: 1, buffer: Buffer.from('x') }) };
    const binding = hangupAwareBinding({ list: async () => [], open: async () => windowsPort });
    expect(await binding.open({ path: 'COM3', baudRate: 9600 })).toBe(windowsPort);
  });
});
