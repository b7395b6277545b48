// gzip for the raw block codec (protocol/raw-codec.ts) through node:zlib: the gateway encodes with it, the web decodes.
import { gunzipSync, gzipSync } from 'node:zlib';
import { RawCodecError, type GzipCodec } from '../protocol';

/** GzipCodec on node:zlib; gunzip stops at `maxBytes` of output, so a crafted block cannot inflate without bound. */
export const nodeGzip: GzipCodec = {
  gzip: (data) => {
    const out = gzipSync(data);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  },
  gunzip: (data, maxBytes) => {
    try {
      const out = gunzipSync(data, { maxOutputLength: Math.max(1, maxBytes + 1) });
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (error) {
      throw new RawCodecError(`raw block data is not valid gzip of at most ${maxBytes} bytes: ${(error as Error).message}`, { cause: error });
    }
  },
};
