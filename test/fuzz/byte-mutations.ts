import fc from 'fast-check';

/** One edit of a byte string, positions taken modulo its length so any edit applies to any input. */
export type ByteEdit =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'repeat'; at: number; length: number; times: number };

const at = fc.nat();
export const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  // The bytes that start or end CBOR items and JSON tokens are likelier to reach deep code than any byte.
  fc.record({ kind: fc.constant('set' as const), at, value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x00, 0x1b, 0x5b, 0x7b, 0x7d, 0x9f, 0xbf, 0xf9, 0xfa, 0xfb, 0xff, 0x22, 0x5c)) }),
  fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at, length: fc.integer({ min: 1, max: 16 }), times: fc.integer({ min: 2, max: 8 }) }),
);

export function applyEdits(input: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let bytes = input;
  for (const edit of edits) bytes = applyEdit(bytes, edit);
  return bytes;
}

function applyEdit(bytes: Uint8Array, edit: ByteEdit): Uint8Array {
  const n = bytes.length;
  const i = n === 0 ? 0 : edit.at % n;
  const join = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));
  switch (edit.kind) {
    case 'truncate':
      return bytes.slice(0, i);
    case 'flip': {
      const out = bytes.slice();
      if (n > 0) out[i] = out[i]! ^ (1 << edit.bit);
      return out;
    }
    case 'set': {
      const out = bytes.slice();
      if (n > 0) out[i] = edit.value;
      return out;
    }
    case 'delete':
      return join(bytes.subarray(0, i), bytes.subarray(i + edit.length));
    case 'insert':
      return join(bytes.subarray(0, i), edit.bytes, bytes.subarray(i));
    case 'repeat': {
      const part = bytes.subarray(i, i + edit.length);
      return join(bytes.subarray(0, i), ...Array<Uint8Array>(edit.times).fill(part), bytes.subarray(i + edit.length));
    }
  }
}
