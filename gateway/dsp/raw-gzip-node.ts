// The one Node-only file of gateway/dsp: gzip for the raw codec through node:zlib.
import { gunzipSync, gzipSync } from 'node:zlib';
import { DspError } from './errors';
import type { GzipCodec } from './raw-codec';

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
      throw new DspError('E_RAW_CODEC', `raw block data is not valid gzip of at most ${maxBytes} bytes: ${(error as Error).message}`, { cause: error });
    }
  },
};
