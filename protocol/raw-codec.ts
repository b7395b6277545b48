// The raw block codec: a telemetry block's samples as they go up around events, bit for bit. Platform-free: gzip is
// injected (Node: sim's nodeGzip).
import { TwinbedError } from './errors';
import type { RawBlockV1, TelemetryV1 } from './messages';

/** A raw block that cannot be encoded or decoded (`E_RAW_CODEC`); the message says which block and why. */
export class RawCodecError extends TwinbedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_RAW_CODEC', message, options);
  }
}

export type RawEncoding = RawBlockV1['encoding'];

/** gzip (RFC 1952) for the `-gzip` encodings, injected so this codec stays platform-free (Node: `nodeGzip`). */
export interface GzipCodec {
  gzip(data: Uint8Array): Uint8Array;
  /** Must fail rather than produce more than `maxBytes`. */
  gunzip(data: Uint8Array, maxBytes: number): Uint8Array;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reverses the byte order of each 4-byte word in place (only on a big-endian host; the wire is little-endian). */
function toFromLittleEndian(bytes: Uint8Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return bytes;
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i]!;
    const b = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!;
    bytes[i + 1] = bytes[i + 2]!;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
  return bytes;
}

/**
 * Packs a telemetry block's samples for uplink. `f32`: little-endian float32. `delta-f32`: d[i] = b[i] − b[i−1]
 * (b[−1] = 0) on the int32 bit patterns b of the float32 samples, wrapping modulo 2³², little-endian; a smooth
 * signal's neighbours share sign, exponent and high mantissa bits, so the deltas are small and their high bytes
 * repeat. `delta-f32-gzip`: that, gzipped (needs `gzip`). Decoding gives back the float32 samples bit for bit.
 */
export function encodeRawBlock(block: TelemetryV1, encoding: RawEncoding, gzip?: GzipCodec): RawBlockV1 {
  const n = block.values.length;
  if (n === 0) throw new RawCodecError(`${block.device}/${block.sensor} seq ${block.seq} has no samples; there is nothing to uplink`);
  const samples = Float32Array.from(block.values);
  let data: Uint8Array;
  if (encoding === 'f32') {
    data = toFromLittleEndian(new Uint8Array(samples.buffer));
  } else {
    const bits = new Int32Array(samples.buffer);
    let previous = 0;
    for (let i = 0; i < n; i++) {
      const b = bits[i]!;
      bits[i] = (b - previous) | 0;
      previous = b;
    }
    data = toFromLittleEndian(new Uint8Array(bits.buffer));
    if (encoding === 'delta-f32-gzip') data = requireGzip(gzip, encoding).gzip(data);
  }
  return { type: 'raw', v: 1, device: block.device, sensor: block.sensor, seq: block.seq, tsMs: block.tsMs, rateHz: block.rateHz, unit: block.unit, samples: n, encoding, data };
}

/** The float32 samples of a raw block, exactly as encoded; throws RawCodecError when the data does not match `samples`. */
export function decodeRawBlock(raw: Pick<RawBlockV1, 'device' | 'sensor' | 'seq' | 'samples' | 'encoding' | 'data'>, gzip?: GzipCodec): Float32Array {
  const expected = raw.samples * 4;
  let bytes = raw.encoding === 'delta-f32-gzip' ? requireGzip(gzip, raw.encoding).gunzip(raw.data, expected) : raw.data;
  if (bytes.length !== expected) {
    throw new RawCodecError(`raw block ${raw.device}/${raw.sensor} seq ${raw.seq} (${raw.encoding}) holds ${bytes.length} bytes of samples, expected ${expected} for ${raw.samples} samples`);
  }
  // Copy into an aligned buffer we own: the input may be a view at any offset, and is not ours to change.
  bytes = toFromLittleEndian(bytes.slice());
  if (raw.encoding === 'f32') return new Float32Array(bytes.buffer, 0, raw.samples);
  const bits = new Int32Array(bytes.buffer, 0, raw.samples);
  let previous = 0;
  for (let i = 0; i < raw.samples; i++) {
    previous = (previous + bits[i]!) | 0;
    bits[i] = previous;
  }
  return new Float32Array(bits.buffer, 0, raw.samples);
}

function requireGzip(gzip: GzipCodec | undefined, encoding: RawEncoding): GzipCodec {
  if (!gzip) throw new RawCodecError(`encoding ${encoding} needs a gzip implementation; pass nodeGzip (Node) or choose delta-f32`);
  return gzip;
}
