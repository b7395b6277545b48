import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';

// Valid MQTT control packets of every type, v3.1.1 or v5, as mqtt-packet writes them: the bytes a framer must pass on.

const topic = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((t) => !t.includes('+') && !t.includes('#') && !t.includes('\u0000'));
const messageId = fc.integer({ min: 1, max: 65_535 });
const qos = fc.constantFrom(0 as const, 1 as const, 2 as const);
/** Mostly small payloads; sometimes large enough for a 3- or 4-byte remaining length (≥ 16 384, ≥ 2 097 152). */
const payload = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 20 },
  { arbitrary: fc.integer({ min: 16_384, max: 300_000 }).map((n) => new Uint8Array(n).fill(n & 0xff)), weight: 2 },
  { arbitrary: fc.constant(new Uint8Array(2_097_152).fill(7)), weight: 1 },
);

function packetFor(version: 4 | 5): fc.Arbitrary<mqttPacket.Packet> {
  const reasonCode = version === 5 ? fc.constantFrom(0, 0x10, 0x80, 0x87) : fc.constant(undefined);
  const v5Props = version === 5 ? fc.option(fc.record({ userProperties: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }) }), { nil: undefined }) : fc.constant(undefined);
  const withProps = <T extends object>(packet: T, properties: unknown): T => (properties ? { ...packet, properties } : packet);
  const arbitraries: fc.Arbitrary<mqttPacket.Packet>[] = [
    fc.record({ clientId: fc.string({ maxLength: 23 }), keepalive: fc.integer({ min: 0, max: 65_535 }), clean: fc.boolean() }).map((c) => ({ cmd: 'connect' as const, protocolVersion: version, ...c, clean: c.clean || c.clientId === '' })),
    fc.record({ sessionPresent: fc.boolean(), code: fc.constantFrom(0, 1, 5) }).map(({ sessionPresent, code }) =>
      version === 5 ? { cmd: 'connack' as const, sessionPresent, reasonCode: code === 0 ? 0 : 0x87 } : { cmd: 'connack' as const, sessionPresent, returnCode: code },
    ),
    fc.tuple(topic, payload, qos, messageId, fc.boolean(), fc.boolean(), v5Props).map(([t, p, q, id, retain, dup]) => ({
      cmd: 'publish' as const,
      topic: t,
      payload: Buffer.from(p),
      qos: q,
      retain,
      dup: q > 0 && dup,
      ...(q > 0 ? { messageId: id } : {}),
    })),
    ...(['puback', 'pubrec', 'pubrel', 'pubcomp'] as const).map((cmd) => fc.tuple(messageId, reasonCode).map(([id, code]) => ({ cmd, messageId: id, ...(code ? { reasonCode: code } : {}) }) as mqttPacket.Packet)),
    fc.tuple(messageId, fc.array(fc.record({ topic, qos }), { minLength: 1, maxLength: 4 }), v5Props).map(([id, subscriptions, props]) => withProps({ cmd: 'subscribe' as const, messageId: id, subscriptions }, props)),
    fc.tuple(messageId, fc.array(fc.constantFrom(0, 1, 2, 128), { minLength: 1, maxLength: 4 })).map(([id, granted]) => ({ cmd: 'suback' as const, messageId: id, granted })),
    fc.tuple(messageId, fc.array(topic, { minLength: 1, maxLength: 4 })).map(([id, unsubscriptions]) => ({ cmd: 'unsubscribe' as const, messageId: id, unsubscriptions })),
    messageId.map((id): mqttPacket.Packet => (version === 5 ? { cmd: 'unsuback', messageId: id, granted: [0] } : ({ cmd: 'unsuback', messageId: id } as mqttPacket.Packet))),
    fc.constant({ cmd: 'pingreq' as const }),
    fc.constant({ cmd: 'pingresp' as const }),
    fc.constant({ cmd: 'disconnect' as const }),
  ];
  if (version === 5) arbitraries.push(fc.constantFrom(0, 0x18, 0x19).map((code) => ({ cmd: 'auth' as const, reasonCode: code, properties: { authenticationMethod: 'm' } })));
  return fc.oneof(...arbitraries);
}

/** A stream of whole packets of one protocol version, each as its own bytes. */
export const packetStream: fc.Arbitrary<Buffer[]> = fc
  .constantFrom(4 as const, 5 as const)
  .chain((version) => fc.array(packetFor(version), { minLength: 1, maxLength: 12 }).map((packets) => packets.map((p) => mqttPacket.generate(p, { protocolVersion: version }))))
  // mqtt-packet writes nothing for a packet it will not encode (a reason code its version lacks): leave those out.
  .map((packets) => packets.filter((p) => p.length > 0))
  .filter((packets) => packets.length > 0);

/** Splits `bytes` at the given offsets (taken modulo its length, sorted, deduplicated); empty chunks included. */
export function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of at) {
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  out.push(bytes.subarray(from));
  return out;
}
