import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from '../../../protocol/index';

describe('bytesToBase64 / base64ToBytes', () => {
  it('agree with Node’s Buffer on every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = bytesToBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(base64ToBytes(text)).toEqual(bytes);
  });

  it('round-trip blocks larger than the 32 KiB chunk used to build the string', () => {
    const bytes = Uint8Array.from({ length: 3 * 0x8000 + 5 }, (_, i) => (i * 31 + 7) & 0xff);
    const text = bytesToBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(Buffer.from(base64ToBytes(text)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('encode only the bytes a subarray views', () => {
    expect(bytesToBase64(new Uint8Array([0xff, 0x01, 0x02, 0xff]).subarray(1, 3))).toBe('AQI=');
  });

  it('handle the empty block and padding lengths', () => {
    expect(bytesToBase64(new Uint8Array(0))).toBe('');
    expect(base64ToBytes('')).toEqual(new Uint8Array(0));
    expect(bytesToBase64(new Uint8Array([1]))).toBe('AQ==');
    expect(bytesToBase64(new Uint8Array([1, 2]))).toBe('AQI=');
    expect(base64ToBytes('AQIDBA==')).toEqual(new Uint8Array([1, 2, 3, 4]));
  });
});
