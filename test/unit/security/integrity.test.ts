import { describe, expect, it } from 'vitest';
import { createDeviceEntry, DeviceRegistry } from '../../../gateway/security/device-registry';
import { hmacSha256, IntegrityVerifier } from '../../../gateway/security/integrity';
import { signMessage, type Message, type TelemetryV1 } from '../../../protocol';

const KEY = new Uint8Array(32).fill(42);
const SECRET = 'a-device-secret-0123456789';
const block = (seq: number, sensor = 'accel'): TelemetryV1 => ({
  type: 'telemetry',
  v: 1,
  device: 'pump-1',
  sensor,
  seq,
  tsMs: 1_700_000_000_000 + seq,
  rateHz: 1000,
  unit: 'g',
  values: [0.1, 0.2],
});
const signed = (seq: number, sensor?: string) => signMessage(block(seq, sensor), hmacSha256(KEY));

async function setup(options: { requireHmac?: boolean; replayWindow?: number } = {}) {
  const registry = new DeviceRegistry([
    await createDeviceEntry('pump-1', SECRET, { hmacKey: KEY, requireHmac: options.requireHmac ?? false }),
    await createDeviceEntry('pump-2', SECRET),
  ]);
  return new IntegrityVerifier(registry, options.replayWindow ? { replayWindow: options.replayWindow } : {});
}

function errorOf(run: () => unknown): { code?: string; message?: string } {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected verify() to throw');
}

describe('integrity verifier', () => {
  it('refuses a replayed seq with E_REPLAY and says which stream and where the window stands', async () => {
    const v = await setup();
    v.verify(signed(41));
    v.verify(signed(57));
    expect(errorOf(() => v.verify(signed(41)))).toMatchObject({ code: 'E_REPLAY', message: 'replayed seq 41 for pump-1/accel (highest seen 57, window 1024)' });
  });

  it('refuses a seq older than the window with E_REPLAY, though it was never seen', async () => {
    const v = await setup({ replayWindow: 32 });
    v.verify(signed(2000));
    expect(errorOf(() => v.verify(signed(1968)))).toMatchObject({
      code: 'E_REPLAY',
      message: 'seq 1968 for pump-1/accel is older than the replay window (highest seen 2000, window 32); treated as a replay',
    });
    expect(v.verify(signed(1969))).toMatchObject({ seq: 1969 });
  });

  it('keeps one window per (device, sensor)', async () => {
    const v = await setup();
    v.verify(signed(5, 'accel'));
    expect(v.verify(signed(5, 'temp'))).toMatchObject({ sensor: 'temp', seq: 5 });
    expect([v.highestSeq('pump-1', 'accel'), v.highestSeq('pump-1', 'temp'), v.highestSeq('pump-1', 'x')]).toEqual([5, 5, -1]);
  });

  it('does not let a forged message move the window', async () => {
    const v = await setup();
    const forged = { ...signed(10_000), mac: signMessage(block(10_000), hmacSha256(new Uint8Array(32))).mac };
    expect(errorOf(() => v.verify(forged)).code).toBe('E_BAD_MAC');
    expect(v.highestSeq('pump-1', 'accel')).toBe(-1);
    expect(v.verify(signed(0))).toMatchObject({ seq: 0 });
  });

  it('refuses an unsigned message from a device that must sign with E_UNSIGNED', async () => {
    const v = await setup({ requireHmac: true });
    expect(errorOf(() => v.verify(block(1)))).toMatchObject({
      code: 'E_UNSIGNED',
      message: 'unsigned telemetry from pump-1: the device registry requires signed messages from it (requireHmac: true); wrap it with signMessage()',
    });
    expect(v.verify(signed(1))).toEqual(block(1));
  });

  it('passes unsigned messages from a device that need not sign, unchanged', async () => {
    const v = await setup();
    const message = { ...block(3), device: 'pump-2' };
    expect(v.verify(message)).toBe(message);
  });

  it('refuses signed and unsigned messages from unregistered devices with E_UNKNOWN_DEVICE', async () => {
    const v = await setup();
    expect(errorOf(() => v.verify({ ...block(1), device: 'pump-9' })).code).toBe('E_UNKNOWN_DEVICE');
    expect(errorOf(() => v.verify({ ...signed(1), device: 'pump-9' })).code).toBe('E_UNKNOWN_DEVICE');
  });

  it('refuses a signature from a device with no HMAC key with E_BAD_MAC, saying why', async () => {
    const v = await setup();
    const message = signMessage({ ...block(1), device: 'pump-2' }, hmacSha256(KEY));
    expect(errorOf(() => v.verify(message))).toMatchObject({ code: 'E_BAD_MAC', message: expect.stringContaining('pump-2 has no hmacKey') });
  });

  it('reports a validly signed body that is not a valid message as a DecodeError under body.', async () => {
    const v = await setup();
    const bad = signMessage({ ...block(1), rateHz: -1 } as Message as TelemetryV1, hmacSha256(KEY));
    expect(errorOf(() => v.verify(bad))).toMatchObject({ code: 'E_DECODE', message: expect.stringMatching(/^body\.rateHz: /) });
  });
});
