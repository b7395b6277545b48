import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { duplexPair } from '../../../gateway/security/in-process-link';

describe('in-process duplex pair', () => {
  it('carries bytes both ways, in order', async () => {
    const [a, b] = duplexPair();
    const fromA: Buffer[] = [];
    b.on('data', (chunk: Buffer) => fromA.push(chunk));
    a.write('hello ');
    a.write('world');
    b.write('pong');
    const [reply] = (await once(a, 'data')) as [Buffer];
    expect(reply.toString()).toBe('pong');
    expect(Buffer.concat(fromA).toString()).toBe('hello world');
  });

  it('holds the writer while the reader does not read, as a socket would, and loses nothing', async () => {
    const [a, b] = duplexPair();
    const chunk = Buffer.alloc(16 * 1024, 1);
    let writes = 0;
    while (a.write(chunk) && writes < 1000) writes++;
    expect(writes).toBeLessThan(10); // backpressure reached within a few highWaterMarks
    let drained = false;
    a.once('drain', () => (drained = true));
    let bytes = 0;
    b.on('data', (c: Buffer) => (bytes += c.length));
    await once(a, 'drain');
    expect(drained).toBe(true);
    expect(bytes).toBe((writes + 1) * chunk.length);
  });

  it('ends the other side when one side ends, and destroys it when one is destroyed', async () => {
    const [a, b] = duplexPair();
    b.resume();
    a.end();
    await once(b, 'end');
    const [c, d] = duplexPair();
    c.destroy();
    await once(d, 'close');
    expect(d.destroyed).toBe(true);
  });
});
