import { Encoder, encode as cborXEncode } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAny, decodeAs, decodeMessage, DecodeError, encodeMessage, type Message, type MessageType } from '../../protocol/index';
import { applyEdits, byteEdit } from './byte-mutations';
import { decodeOutcome, expectCborReplacesLoneSurrogates } from './decode-outcome';
import { runs, timeoutMs } from './fuzz-settings';
import { anyMessage, MESSAGE_ARBITRARIES, withoutNegativeZero } from './message-arbitraries';

const codecs = ['json', 'cbor'] as const;
const utf8 = new TextEncoder();
/** Plain CBOR as another RFC 8949 writer would send it (no records, no tag on byte strings). */
const plainCbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

/** A value no field of any message should take: wrong types, non-finite and edge numbers, huge and odd containers. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, -0, 2 ** 53 + 2, 2 ** 64, -1, 0.5, '', 'x'.repeat(200), null, true, [], {}, [Number.NaN], { f32: 'AAAA' }, { f32: '!!' }),
  fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => (i === n - 1 ? Number.NaN : i))),
  fc.float32Array({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 8 }),
);

/** A field to change: top-level, or one level down in an object or array field. */
const fieldEdit = (message: Message) =>
  fc.record({
    key: fc.constantFrom(...Object.keys(message), 'extra', '__proto__', 'constructor', 'type', 'v'),
    inner: fc.option(fc.oneof(fc.nat(8), fc.constantFrom('rms', 'extra', '__proto__', 'f32', 'version')), { nil: undefined }),
    value: fc.oneof(hostile, fc.constant(DELETE)),
  });
const DELETE = Symbol('delete');

/** A valid message with one to three fields made wrong, as a plain object (own properties, whatever their names). */
const brokenMessage = anyMessage.chain((message) =>
  fc.array(fieldEdit(message), { minLength: 1, maxLength: 3 }).map((edits) => {
    const copy = structuredClone(message) as Record<string, unknown>;
    for (const { key, inner, value } of edits) {
      // Own properties only: `copy.__proto__` is Object.prototype, which an edit must never reach.
      const field = Object.getOwnPropertyDescriptor(copy, key)?.value as unknown;
      const nested = inner !== undefined && (Array.isArray(field) || (typeof field === 'object' && field !== null && Object.getPrototypeOf(field) === Object.prototype));
      const holder = nested ? (field as Record<PropertyKey, unknown>) : copy;
      const name = nested ? inner : key;
      if (value === DELETE) delete holder[name];
      else Object.defineProperty(holder, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }),
);

/** Encodings a sender might produce of a value; those that cannot encode it (a BigInt in JSON) are left out. */
function encodings(value: unknown): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const encode of [(v: unknown) => plainCbor.encode(v), (v: unknown) => cborXEncode(v), (v: unknown) => utf8.encode(JSON.stringify(v))]) {
    try {
      const bytes = encode(value);
      if (bytes && bytes.length > 0) out.push(bytes);
    } catch {
      // The sender's codec, not ours, refused the value.
    }
  }
  return out;
}

/** JSON text with one token replaced: numbers by what JSON forbids or cannot hold, strings by hostile escapes. */
const JSON_NUMBER_SWAPS = ['NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '-0', '00', '0x1F', '1.', '.5', '+1', '9007199254740993', '1e-400', '[]', '{}', 'null', '"1"', 'true'];
const JSON_STRING_SWAPS = ['"\\ud800"', '"\\udc00x"', '"\\u0000"', '"\\x41"', '"a\\"', `"${'\\u00e9'.repeat(50)}"`, '"a/b"', '"+"', '"#"', '"$SYS"', '""', '5', 'null', '[1,2]'];
const TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*"/g;

function swapToken(json: string, which: number, swap: number): string {
  const tokens = [...json.matchAll(TOKEN)];
  if (tokens.length === 0) return json;
  const token = tokens[which % tokens.length]!;
  const swaps = token[0].startsWith('"') ? JSON_STRING_SWAPS : JSON_NUMBER_SWAPS;
  return json.slice(0, token.index) + swaps[swap % swaps.length]! + json.slice(token.index + token[0].length);
}

describe('encodeMessage and decodeMessage round-trip every valid message', () => {
  for (const type of Object.keys(MESSAGE_ARBITRARIES) as MessageType[]) {
    it(`${type}, in JSON and in CBOR (every -0 outside a packed block read back as 0)`, () => {
      fc.assert(
        fc.property(MESSAGE_ARBITRARIES[type], (message) => {
          for (const codec of codecs) {
            const bytes = encodeMessage(message, codec);
            expect(decodeMessage(bytes)).toEqual(withoutNegativeZero(message));
            expect(decodeAs(bytes, type).type).toBe(type);
          }
        }),
        runs(60),
      );
    });
  }

  it('keeps a lone surrogate in JSON, and reads it back from CBOR as U+FFFD', () => {
    const lone = fc.string({ unit: fc.oneof(fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), fc.constantFrom('a', '😀')), minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(MESSAGE_ARBITRARIES.deadletter, lone, (letter, reason) => {
        const message = { ...letter, reason };
        expect(decodeMessage(encodeMessage(message, 'json'))).toEqual(withoutNegativeZero(message));
        expectCborReplacesLoneSurrogates(message);
      }),
      runs(100),
    );
  });
});

describe('decodeMessage throws only DecodeError, or returns a message that validates and re-encodes', () => {
  it('on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void decodeOutcome(bytes)), runs(1000));
  });

  it('on arbitrary bytes behind a JSON or CBOR map opening', () => {
    const opening = fc.constantFrom(Uint8Array.of(0x7b), Uint8Array.of(0xef, 0xbb, 0xbf, 0x20, 0x7b), Uint8Array.of(0xa2), Uint8Array.of(0xbf), Uint8Array.of(0xb9, 0xff, 0xff));
    fc.assert(fc.property(opening, fc.uint8Array({ maxLength: 200 }), (head, tail) => void decodeOutcome(Uint8Array.from([...head, ...tail]))), runs(600));
  });

  it('on valid messages with their bytes truncated, flipped, deleted, inserted or repeated', () => {
    fc.assert(
      fc.property(anyMessage, fc.constantFrom(...codecs), fc.array(byteEdit, { minLength: 1, maxLength: 4 }), (message, codec, edits) => {
        void decodeOutcome(applyEdits(encodeMessage(message, codec), edits));
      }),
      runs(600),
    );
  });

  it('on valid messages with fields of the wrong type, NaN, Infinity, huge arrays, missing or extra, in every encoding', () => {
    fc.assert(
      fc.property(brokenMessage, (broken) => {
        for (const bytes of encodings(broken)) void decodeOutcome(bytes);
      }),
      runs(300),
    );
  });

  it('on JSON text with a token swapped for what JSON forbids or a message must not hold', () => {
    fc.assert(
      fc.property(anyMessage, fc.nat(), fc.nat(), (message, which, swap) => {
        const json = new TextDecoder().decode(encodeMessage(message, 'json'));
        void decodeOutcome(utf8.encode(swapToken(json, which, swap)));
      }),
      runs(600),
    );
  });

  it('on any CBOR or JSON value, message-shaped or not', () => {
    const shaped = fc.record({ type: fc.constantFrom<unknown>(...Object.keys(MESSAGE_ARBITRARIES), 'toString', '__proto__', 1), v: fc.constantFrom<unknown>(1, 2, '1', 1.5, null) }).chain((head) =>
      fc.dictionary(fc.string({ maxLength: 10 }), hostile, { maxKeys: 6 }).map((rest) => ({ ...rest, ...head })),
    );
    fc.assert(
      fc.property(fc.oneof(shaped, fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true })), (value) => {
        for (const bytes of encodings(value)) void decodeOutcome(bytes);
      }),
      runs(300),
    );
  });

  it('on nesting deep enough to overflow a recursive parser', { timeout: timeoutMs(20_000) }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 200_000 }), fc.constantFrom('json', 'cbor-array', 'cbor-map'), (depth, kind) => {
        const bytes =
          kind === 'json'
            ? utf8.encode(`{"type":"cmd","v":1,"args":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`)
            : kind === 'cbor-array'
              ? Uint8Array.from([...Array<number>(depth).fill(0x81), 0x01])
              : Uint8Array.from([...Array<number>(depth).fill(0).flatMap(() => [0xa1, 0x61, 0x61]), 0x01]);
        void decodeOutcome(bytes);
      }),
      runs(10, 60),
    );
  });
});

describe('decoding keeps no state between payloads', () => {
  it('a valid message decodes the same after any payload, however malformed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), anyMessage.map((m) => plainCbor.encode(m)), fc.anything().map((v) => cborXEncode(v))), anyMessage, fc.constantFrom(...codecs), (garbage, message, codec) => {
        const bytes = encodeMessage(message, codec);
        const alone = decodeMessage(bytes);
        try {
          decodeMessage(garbage);
        } catch (error) {
          if (!(error instanceof DecodeError)) throw error;
        }
        expect(decodeMessage(bytes)).toEqual(alone);
      }),
      runs(300),
    );
  });
});

describe('decodeAny (payloads of systems that are not twinbed)', () => {
  it('throws only DecodeError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeAny(bytes);
        } catch (error) {
          if (!(error instanceof DecodeError)) throw error;
        }
      }),
      runs(600),
    );
  });
});
