import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { MqttFramer, PacketType, packetLength } from '../../../../sim/proxy/framer';
import { splitAt } from '../../../fuzz/mqtt-packets';

/** Feeds `chunks` to a framer and returns each packet it hands on, as its own copy. */
function frame(chunks: readonly Buffer[]): Buffer[] {
  const framer = new MqttFramer();
  const out: Buffer[] = [];
  for (const chunk of chunks) framer.push(chunk, (buf, start, end) => out.push(Buffer.from(buf.subarray(start, end))));
  return out;
}

/** Packets as base64 strings: a readable diff, and far faster to compare than 200 kB buffers byte by byte. */
const b64 = (list: readonly Buffer[]) => list.map((b) => b.toString('base64'));

const v5 = { protocolVersion: 5 } as const;
const packets: Buffer[] = [
  mqttPacket.generate({ cmd: 'connect', clientId: 'c-1', protocolVersion: 5, properties: { sessionExpiryInterval: 60, userProperties: { site: 'a' } } }),
  mqttPacket.generate({ cmd: 'publish', topic: 't/small', payload: Buffer.from('hi'), qos: 0, retain: false, dup: false }, v5),
  // 200 000 bytes of payload: a remaining length of three bytes.
  mqttPacket.generate({ cmd: 'publish', topic: 't/big', payload: Buffer.alloc(200_000, 7), qos: 1, messageId: 9, retain: false, dup: false }, v5),
  mqttPacket.generate({ cmd: 'pingreq' }),
  mqttPacket.generate({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 't/#', qos: 1 }], properties: { userProperties: { k: 'v' } } }, v5),
  mqttPacket.generate({ cmd: 'disconnect' }),
];
const stream = Buffer.concat(packets);

describe('MqttFramer', () => {
  it('hands on several packets that arrive in one chunk, each intact and in order', () => {
    expect(b64(frame([stream]))).toEqual(b64(packets));
  });

  it('reassembles packets split across chunks at every byte of the fixed header and inside the payload', () => {
    const bigStart = packets[0]!.length + packets[1]!.length;
    // Cuts after the type byte and inside the 3-byte remaining length of the big PUBLISH, then inside its payload.
    const cuts = [1, bigStart + 1, bigStart + 2, bigStart + 3, bigStart + 5000, bigStart + 150_000, stream.length - 1];
    expect(b64(frame(splitAt(stream, cuts)))).toEqual(b64(packets));
  });

  it('reassembles a stream delivered one byte at a time', () => {
    const small = Buffer.concat([packets[0]!, packets[1]!, packets[3]!, packets[4]!]);
    const bytes = [...small].map((b) => Buffer.from([b]));
    expect(b64(frame(bytes))).toEqual(b64([packets[0]!, packets[1]!, packets[3]!, packets[4]!]));
  });

  it('passes ranges of the pushed chunk itself for packets inside it, without copying', () => {
    const framer = new MqttFramer();
    const seen: Array<{ same: boolean; type: number }> = [];
    framer.push(stream, (buf, _start, _end, header) => seen.push({ same: buf === stream, type: header >> 4 }));
    expect(seen.map((s) => s.type)).toEqual([PacketType.connect, PacketType.publish, PacketType.publish, PacketType.pingreq, PacketType.subscribe, PacketType.disconnect]);
    expect(seen.every((s) => s.same)).toBe(true);
  });

  it('holds back a partial packet and reports its bytes as buffered', () => {
    const framer = new MqttFramer();
    const out: number[] = [];
    framer.push(packets[2]!.subarray(0, 1000), (_b, start, end) => out.push(end - start));
    expect(out).toEqual([]);
    expect(framer.buffered).toBe(1000);
    framer.push(packets[2]!.subarray(1000), (_b, start, end) => out.push(end - start));
    expect(out).toEqual([packets[2]!.length]);
    expect(framer.buffered).toBe(0);
  });

  it('rejects a remaining length longer than four bytes and the reserved packet type 0', () => {
    expect(() => frame([Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])])).toThrow(/remaining length longer than 4 bytes/);
    expect(() => frame([Buffer.from([0x00, 0x00])])).toThrow(/type 0 is reserved/);
  });
});

describe('packetLength', () => {
  it('reads 1- to 4-byte remaining lengths and says -1 while the header is incomplete', () => {
    expect(packetLength(Buffer.from([0xc0, 0x00]), 0, 2)).toBe(2);
    expect(packetLength(Buffer.from([0x30, 0x7f]), 0, 2)).toBe(2 + 127);
    expect(packetLength(Buffer.from([0x30, 0x80, 0x01]), 0, 3)).toBe(3 + 128);
    expect(packetLength(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), 0, 5)).toBe(5 + 268_435_455);
    expect(packetLength(Buffer.from([0x30, 0x80]), 0, 2)).toBe(-1);
    expect(packetLength(Buffer.from([0x30]), 0, 1)).toBe(-1);
  });
});
