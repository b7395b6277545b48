import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../sim';
import { MqttFramer, packetLength } from '../../sim/proxy/framer';
import { runs, timeoutMs } from './fuzz-settings';
import { packetStream, splitAt } from './mqtt-packets';

interface Framed {
  packets: string[];
  /** The error that stopped the stream, if one did. */
  error: unknown;
  buffered: number;
}

/** Feeds chunks to one framer as a pipe does, stopping at the first error (the connection closes there). */
function frame(chunks: readonly Buffer[]): Framed {
  const framer = new MqttFramer();
  const packets: string[] = [];
  for (const chunk of chunks) {
    try {
      framer.push(chunk, (buf, start, end, header) => {
        expect(header).toBe(buf[start]);
        packets.push(buf.subarray(start, end).toString('base64'));
      });
    } catch (error) {
      return { packets, error, buffered: framer.buffered };
    }
  }
  return { packets, error: undefined, buffered: framer.buffered };
}

const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('MqttFramer, fed any split of a valid packet stream', () => {
  it('yields the same packets, byte for byte and in order, and holds nothing back at the end', { timeout: timeoutMs(20_000) }, () => {
    fc.assert(
      fc.property(packetStream, cuts, (packets, at) => {
        const stream = Buffer.concat(packets);
        const framed = frame(splitAt(stream, at));
        expect(framed.error).toBeUndefined();
        expect(framed.packets).toEqual(packets.map((p) => p.toString('base64')));
        expect(framed.buffered).toBe(0);
      }),
      runs(150, 3000),
    );
  });

  it('yields the same packets delivered one byte at a time', () => {
    fc.assert(
      fc.property(packetStream.filter((packets) => packets.every((p) => p.length < 4096)), (packets) => {
        const stream = Buffer.concat(packets);
        const framed = frame([...stream].map((b) => Buffer.of(b)));
        expect(framed.packets).toEqual(packets.map((p) => p.toString('base64')));
        expect(framed.buffered).toBe(0);
      }),
      runs(40, 1000),
    );
  });
});

describe('MqttFramer, fed garbage', () => {
  /** Garbage alone, or after valid packets (a client that starts well and goes wrong). */
  const garbageStream = fc.tuple(fc.option(packetStream, { nil: undefined }), fc.uint8Array({ minLength: 1, maxLength: 400 })).map(([packets, garbage]) => ({
    valid: packets ?? [],
    bytes: Buffer.concat([...(packets ?? []), Buffer.from(garbage)]),
  }));

  it('fails only with ProxyError E_PROXY_PROTOCOL, saying what was wrong, and the same way however the bytes are split', { timeout: timeoutMs(20_000) }, () => {
    fc.assert(
      fc.property(garbageStream, cuts, ({ valid, bytes }, at) => {
        const whole = frame([bytes]);
        const split = frame(splitAt(bytes, at));
        for (const { error } of [whole, split]) {
          if (error === undefined) continue;
          expect(error).toBeInstanceOf(ProxyError);
          expect((error as ProxyError).code).toBe('E_PROXY_PROTOCOL');
          expect((error as Error).message).toMatch(/^malformed MQTT packet: .+\[MQTT-[\d.]+\]; is the peer speaking MQTT\?$/);
        }
        expect(split.packets).toEqual(whole.packets);
        expect(split.error === undefined).toBe(whole.error === undefined);
        // The valid packets before the garbage always come through.
        expect(whole.packets.slice(0, valid.length)).toEqual(valid.map((p) => p.toString('base64')));
        // What it passed on is the stream's own prefix, each packet as long as its fixed header says.
        const passed = Buffer.concat(whole.packets.map((p) => Buffer.from(p, 'base64')));
        expect(bytes.subarray(0, passed.length).equals(passed)).toBe(true);
        for (const p of whole.packets) {
          const packet = Buffer.from(p, 'base64');
          expect(packetLength(packet, 0, packet.length)).toBe(packet.length);
        }
        if (whole.error === undefined) expect(passed.length + whole.buffered).toBe(bytes.length);
      }),
      runs(400, 10_000),
    );
  });

  it('rejects a packet of the reserved type 0 or with a remaining length over 4 bytes wherever it starts', () => {
    const bad = fc.oneof(
      fc.uint8Array({ maxLength: 20 }).map((tail) => Buffer.from([0x00 | (tail[0] ?? 0) & 0x0f, ...tail])),
      fc.integer({ min: 1, max: 15 }).map((type) => Buffer.from([type << 4, 0x80, 0x80, 0x80, 0x80, 0x01])),
    );
    fc.assert(
      fc.property(fc.option(packetStream, { nil: undefined }), bad, cuts, (packets, garbage, at) => {
        const framed = frame(splitAt(Buffer.concat([...(packets ?? []), garbage]), at));
        expect(framed.error).toBeInstanceOf(ProxyError);
        expect(framed.packets).toHaveLength(packets?.length ?? 0);
      }),
      runs(150, 3000),
    );
  });
});
