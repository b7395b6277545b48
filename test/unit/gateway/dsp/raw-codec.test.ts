import { describe, expect, it } from 'vitest';
import { RawCodecError, RawRing, decodeRawBlock, encodeRawBlock, nodeGzip, type RawEncoding } from '../../../../gateway/dsp/index';
import { RawBlockV1Schema, decodeMessage, encodeMessage } from '../../../../protocol/index';
import { block, noise, sum, tone } from './signals';

const ENCODINGS: RawEncoding[] = ['f32', 'delta-f32', 'delta-f32-gzip'];
const bitsOf = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

describe('raw block codec', () => {
  it('round-trips bit for bit in all three encodings, including −0, subnormals, extremes and sign flips', () => {
    const awkward = Float32Array.of(0, -0, 1.4e-45, -1.4e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1, -1, 0.1, -0.1, 123456.789, -2.5e-20);
    const smooth = Float32Array.from(sum(tone(2, 37, 25_600, 4096), noise(0.001, 4096)));
    for (const values of [awkward, smooth]) {
      for (const encoding of ENCODINGS) {
        const raw = encodeRawBlock(block(9, values, { rateHz: 25_600 }), encoding, nodeGzip);
        expect(RawBlockV1Schema.safeParse(raw).success).toBe(true);
        expect(raw).toMatchObject({ type: 'raw', v: 1, device: 'pump-1', sensor: 'accel', seq: 9, rateHz: 25_600, unit: 'g', samples: values.length, encoding });
        expect(bitsOf(decodeRawBlock(raw, nodeGzip)), encoding).toEqual(bitsOf(values));
      }
    }
  });

  it('stores a number[] block as its float32 values', () => {
    const raw = encodeRawBlock(block(0, [0.1, 1 / 3, 7]), 'delta-f32');
    expect(Array.from(decodeRawBlock(raw))).toEqual(Array.from(Float32Array.of(0.1, 1 / 3, 7)));
  });

  it('writes f32 as little-endian float32 and delta-f32 as wrapping int32 differences of the bit patterns', () => {
    expect(Array.from(encodeRawBlock(block(0, [1]), 'f32').data)).toEqual([0x00, 0x00, 0x80, 0x3f]);
    // 1.0 = 0x3F800000, −1.0 = 0xBF800000: the second delta is 0x80000000, which wraps.
    expect(Array.from(encodeRawBlock(block(0, [1, -1, 1]), 'delta-f32').data)).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0x80, 0, 0, 0, 0x80]);
  });

  it('survives the protocol codecs: a delta-f32-gzip block through CBOR and JSON decodes to the same samples', () => {
    const values = Float32Array.from(tone(1, 50, 25_600, 1024));
    const raw = encodeRawBlock(block(3, values, { rateHz: 25_600 }), 'delta-f32-gzip', nodeGzip);
    for (const codec of ['cbor', 'json'] as const) {
      const back = decodeMessage(encodeMessage(raw, codec));
      expect(back.type).toBe('raw');
      if (back.type !== 'raw') continue;
      expect(bitsOf(decodeRawBlock(back, nodeGzip)), codec).toEqual(bitsOf(values));
    }
  });

  it('makes delta-f32-gzip at least 1.5× smaller than f32 on a smooth signal (and reports what it does on vibration)', () => {
    const n = 25_600;
    // Smooth: 25 ± 0.7 varying over seconds, so neighbours differ by a few ulps and the deltas' high bytes are constant.
    const smooth = Float32Array.from(sum(new Float64Array(n).fill(25), tone(0.5, 0.7, n, n), tone(0.2, 1.9, n, n)));
    // Vibration: two tones and 0.05 g of noise; the noise fills the low bytes of every delta.
    const vibration = Float32Array.from(sum(tone(1, 160.3, n, n), tone(0.5, 3001, n, n), noise(0.05, n)));
    const ratio = (values: Float32Array) => {
      const f32 = encodeRawBlock(block(0, values, { rateHz: n }), 'f32').data.length;
      expect(f32).toBe(4 * n);
      expect(encodeRawBlock(block(0, values, { rateHz: n }), 'delta-f32').data.length).toBe(4 * n);
      return f32 / encodeRawBlock(block(0, values, { rateHz: n }), 'delta-f32-gzip', nodeGzip).data.length;
    };
    const [smoothRatio, vibrationRatio] = [ratio(smooth), ratio(vibration)];
    console.log(`raw codec, f32 ÷ delta-f32-gzip size: smooth ${smoothRatio.toFixed(2)}×, vibration with noise ${vibrationRatio.toFixed(2)}×`);
    expect(smoothRatio).toBeGreaterThanOrEqual(1.5);
  });

  it('throws E_RAW_CODEC for an empty block, a missing gzip, or data that does not hold `samples` values', () => {
    expect(() => encodeRawBlock(block(0, []), 'f32')).toThrow(RawCodecError);
    expect(() => encodeRawBlock(block(0, [1]), 'delta-f32-gzip')).toThrow(/needs a gzip implementation/);
    const raw = encodeRawBlock(block(0, [1, 2, 3]), 'f32');
    expect(() => decodeRawBlock({ ...raw, samples: 4 })).toThrow(/holds 12 bytes of samples, expected 16/);
    const zipped = encodeRawBlock(block(0, [1, 2, 3]), 'delta-f32-gzip', nodeGzip);
    expect(() => decodeRawBlock({ ...zipped, samples: 2 }, nodeGzip)).toThrow(/not valid gzip of at most 8 bytes/);
    expect(() => decodeRawBlock({ ...zipped, data: Uint8Array.of(1, 2, 3) }, nodeGzip)).toThrow(RawCodecError);
  });
});

describe('RawRing', () => {
  it('keeps the blocks that reach into the last preS seconds of event time, oldest first', () => {
    const ring = new RawRing(2);
    // 500-sample blocks at 1 kHz: 0.5 s each.
    for (let seq = 0; seq < 10; seq++) ring.push(block(seq, new Array<number>(500).fill(seq)));
    // The newest ends at 5 s; blocks ending after 3 s are seqs 6 … 9.
    expect(ring.blocks().map((b) => b.seq)).toEqual([6, 7, 8, 9]);
    expect(ring.blocks()[0]!.values).toBeInstanceOf(Float32Array);
    expect(ring.drain().map((b) => b.seq)).toEqual([6, 7, 8, 9]);
    expect(ring.size).toBe(0);
  });

  it('stays bounded over a long stream', () => {
    const ring = new RawRing(1);
    for (let seq = 0; seq < 5000; seq++) ring.push(block(seq, Float32Array.of(seq, seq)));
    // 2 ms blocks: 1 s holds 500.
    expect(ring.size).toBe(500);
    expect(ring.blocks()[0]!.seq).toBe(4500);
  });
});
