// A deliberately small, strict RFC 8949 reader written for the tests, sharing no code with cbor-x: if it can
// read our payloads, any conforming CBOR reader can. It accepts definite-length items, text-keyed maps, the
// simple values and floats, and exactly one tag, RFC 8746 tag 85 (little-endian float32 array); anything else
// (cbor-x record extensions, other tags, indefinite lengths) throws.

export interface CborReadResult {
  value: unknown;
  /** Tags seen anywhere in the item, in reading order. */
  tags: number[];
}

export function readCbor(bytes: Uint8Array): CborReadResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tags: number[] = [];
  let pos = 0;

  const need = (n: number) => {
    if (pos + n > bytes.length) throw new Error(`truncated at byte ${pos}`);
  };
  const argument = (info: number): number => {
    if (info < 24) return info;
    const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
    if (size === undefined) throw new Error(`unsupported additional info ${info} at byte ${pos - 1}`);
    need(size);
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + bytes[pos + i]!;
    pos += size;
    return value;
  };
  const item = (): unknown => {
    need(1);
    const initial = bytes[pos++]!;
    const major = initial >> 5;
    const info = initial & 0x1f;
    switch (major) {
      case 0:
        return argument(info);
      case 1:
        return -1 - argument(info);
      case 2: {
        const length = argument(info);
        need(length);
        pos += length;
        return bytes.slice(pos - length, pos);
      }
      case 3: {
        const length = argument(info);
        need(length);
        pos += length;
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(pos - length, pos));
      }
      case 4:
        return Array.from({ length: argument(info) }, item);
      case 5: {
        const length = argument(info);
        const out: Record<string, unknown> = {};
        for (let i = 0; i < length; i++) {
          const key = item();
          if (typeof key !== 'string') throw new Error(`map key ${String(key)} is not a text string`);
          out[key] = item();
        }
        return out;
      }
      case 6: {
        const tag = argument(info);
        tags.push(tag);
        if (tag !== 85) throw new Error(`unexpected tag ${tag}`);
        const content = item();
        if (!(content instanceof Uint8Array) || content.length % 4 !== 0) throw new Error('tag 85 must wrap a byte string of whole float32s');
        const contentView = new DataView(content.buffer, content.byteOffset, content.byteLength);
        return Float32Array.from({ length: content.length / 4 }, (_, i) => contentView.getFloat32(4 * i, true));
      }
      default: {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        if (info === 23) return undefined;
        if (info === 25) return (need(2), (pos += 2), float16(view.getUint16(pos - 2)));
        if (info === 26) return (need(4), (pos += 4), view.getFloat32(pos - 4));
        if (info === 27) return (need(8), (pos += 8), view.getFloat64(pos - 8));
        throw new Error(`unsupported simple value ${info}`);
      }
    }
  };

  const value = item();
  if (pos !== bytes.length) throw new Error(`${bytes.length - pos} trailing bytes`);
  return { value, tags };
}

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
