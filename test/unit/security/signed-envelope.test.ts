import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256, IntegrityVerifier } from '../../../gateway/security/integrity';
import { createDeviceEntry, DeviceRegistry } from '../../../gateway/security/device-registry';
import { IntegrityError } from '../../../gateway/security/errors';
import { decodeMessage, encodeMessage, encodeSigned, signMessage, type CodecName, type SignedV1, type TelemetryV1 } from '../../../protocol';
import { readCbor } from '../protocol/minimal-cbor';
import { alertEvent, status, telemetryArray, telemetryPacked } from '../protocol/sample-messages';

const KEY = new Uint8Array(32).map((_, i) => i + 1);
const OTHER_KEY = new Uint8Array(32).fill(7);
const SECRET = 'pump-1-secret-0123456789abcdef';

async function verifier(): Promise<IntegrityVerifier> {
  const entry = await createDeviceEntry('pump-1', SECRET, { hmacKey: KEY });
  return new IntegrityVerifier(new DeviceRegistry([entry]));
}

describe('signed envelope', () => {
  it.each<[CodecName, string, TelemetryV1]>([
    ['cbor', 'number[]', telemetryArray],
    ['json', 'number[]', telemetryArray],
    ['cbor', 'Float32Array', telemetryPacked],
    ['json', 'Float32Array', telemetryPacked],
  ])('round-trips telemetry through sign → %s bytes → decode → verify (%s samples)', async (codec, _samples, telemetry) => {
    const wire = encodeSigned(telemetry, hmacSha256(KEY), codec);
    const envelope = decodeMessage(wire);
    expect(envelope).toMatchObject({ type: 'signed', v: 1, device: 'pump-1' });
    expect((await verifier()).verify(envelope)).toEqual(telemetry);
  });

  it('round-trips events and status, which carry no seq', async () => {
    const v = await verifier();
    for (const message of [alertEvent, { ...status, device: 'pump-1' }]) {
      expect(v.verify(decodeMessage(encodeSigned(message, hmacSha256(KEY), 'cbor')))).toEqual(message);
    }
  });

  it('computes mac as HMAC-SHA256 over exactly the body bytes', () => {
    const signed = signMessage(telemetryArray, hmacSha256(KEY), 'json');
    expect(signed.body).toEqual(encodeMessage(telemetryArray, 'json'));
    expect(signed.mac).toBe(createHmac('sha256', KEY).update(signed.body).digest('base64'));
  });

  it('puts the body on the wire as a plain CBOR byte string, and as base64 text in JSON', () => {
    const signed = signMessage(telemetryArray, hmacSha256(KEY), 'cbor');
    const { value, tags } = readCbor(encodeMessage(signed, 'cbor'));
    expect(tags).toEqual([]); // no tag 64: a byte string any RFC 8949 reader takes
    expect(Buffer.from((value as { body: Uint8Array }).body)).toEqual(Buffer.from(signed.body));
    const json = JSON.parse(new TextDecoder().decode(encodeMessage(signed, 'json'))) as { body: string };
    expect(Buffer.from(json.body, 'base64')).toEqual(Buffer.from(signed.body));
  });

  it.each<CodecName>(['cbor', 'json'])('refuses a %s envelope whose body has one flipped bit with E_BAD_MAC', async (codec) => {
    const signed = signMessage(telemetryArray, hmacSha256(KEY), codec);
    const body = signed.body.slice();
    body[body.length - 3]! ^= 0x01;
    const tampered = decodeMessage(encodeMessage({ ...signed, body }, codec));
    const v = await verifier();
    expect(() => v.verify(tampered)).toThrow(IntegrityError);
    expect(() => v.verify(tampered)).toThrow(
      expect.objectContaining({ code: 'E_BAD_MAC', message: 'bad HMAC on a signed message from pump-1: the body was altered or signed with another key' }),
    );
  });

  it('refuses a message signed with another key with E_BAD_MAC', async () => {
    const v = await verifier();
    expect(() => v.verify(signMessage(telemetryArray, hmacSha256(OTHER_KEY)))).toThrow(expect.objectContaining({ code: 'E_BAD_MAC' }));
  });

  it("refuses device A's key signing a message that names device B", async () => {
    const registry = new DeviceRegistry([
      await createDeviceEntry('pump-1', SECRET, { hmacKey: KEY }),
      await createDeviceEntry('pump-2', SECRET, { hmacKey: OTHER_KEY }),
    ]);
    const forged: SignedV1 = { ...signMessage({ ...telemetryArray, device: 'pump-2' }, hmacSha256(KEY)), device: 'pump-1' };
    expect(() => new IntegrityVerifier(registry).verify(forged)).toThrow(expect.objectContaining({ code: 'E_DEVICE_MISMATCH' }));
  });

  it('refuses a MAC function that is not HMAC-SHA256 sized', () => {
    expect(() => signMessage(telemetryArray, () => new Uint8Array(20))).toThrow(/returned 20 bytes, expected 32/);
  });

  it('rejects a JSON body that is not base64 at decode time, naming the field', () => {
    const json = new TextEncoder().encode(JSON.stringify({ type: 'signed', v: 1, device: 'pump-1', mac: 'A'.repeat(43) + '=', body: '***' }));
    expect(() => decodeMessage(json)).toThrow('body: not valid base64');
  });
});
