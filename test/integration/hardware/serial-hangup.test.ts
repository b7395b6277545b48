import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hangupAwareBinding } from '../../../scenarios/hardware/hangup-binding';
import { ptyPair } from './support';

interface Port {
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

// Once socat has closed the pty pair, read(2) on twinbed's end returns 0 for ever. bindings-cpp's own read answers a
// 0 by reading again, so a read already under way when the pair closed never ends and the port never says it closed
// (the serial run then ended with the device still online). The binding twinbed opens ports with ends that read.
describe('a serial port on a pty pair whose other end has gone', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twinbed-hangup-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ends a read in a hang-up (the stream then reports the port closed) instead of reading again for ever', async () => {
    const pty = await ptyPair(dir);
    const port = (await hangupAwareBinding().open({ path: pty.host, baudRate: 115_200 })) as Port;
    try {
      await pty.close();
      await expect(port.read(Buffer.alloc(64), 0, 64)).rejects.toThrow(/the line hung up/);
    } finally {
      await port.close();
    }
  });
});
