import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, TelemetryV1Schema } from '../../../protocol/index';
import { isPackedTelemetryV1, TELEMETRY_V1_KEYS } from '../../../protocol/telemetry-fast-path';
import { telemetryArray, telemetryPacked } from './sample-messages';

const validId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

/** Packed blocks the schema accepts. */
const validBlock = fc.record({
  type: fc.constant('telemetry'),
  v: fc.constant(1),
  device: validId,
  sensor: validId,
  seq: fc.maxSafeNat(),
  tsMs: finite,
  rateHz: fc.double({ min: 1e-6, noNaN: true, noDefaultInfinity: true }),
  unit: fc.string({ minLength: 1, maxLength: 16 }),
  values: fc.float32Array({ noNaN: true, noDefaultInfinity: true, maxLength: 8 }),
});

const DELETE = Symbol('delete');
/** A value at the edge of some field's rule, or of the wrong type. */
const edgeValue = fc.oneof(
  fc.constantFrom<unknown>(DELETE, undefined, null, true, 0, -0, -1, 1e-7, 1e-6, 1.5, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2, '', 'x'.repeat(17), 'a/b', '-a', 'telemetry', [], [1, 2], {}),
  fc.constantFrom<unknown>(new Float32Array([1, Number.NaN]), new Float32Array([Infinity]), new Float64Array([1]), new Float32Array(0)),
  fc.double(),
  fc.string({ maxLength: 20 }),
);
const mutation = fc.record({ key: fc.constantFrom(...TELEMETRY_V1_KEYS, 'extra', '__proto__'), value: edgeValue });

/** A valid block with up to two fields pushed to or past the edge of their rules, set as own properties as a decoder would. */
const nearBlock = fc.tuple(validBlock, fc.array(mutation, { maxLength: 2 })).map(([valid, mutations]) => {
  const block: Record<string, unknown> = { ...valid, values: valid.values.slice() };
  for (const { key, value } of mutations) {
    if (value === DELETE) delete block[key];
    else Object.defineProperty(block, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return block;
});

describe('the packed telemetry fast path', () => {
  it('knows exactly the fields TelemetryV1Schema has, all of them required', () => {
    const shape = TelemetryV1Schema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
    expect([...TELEMETRY_V1_KEYS].sort()).toEqual(Object.keys(shape).sort());
    for (const key of TELEMETRY_V1_KEYS) expect([key, shape[key]!.safeParse(undefined).success]).toEqual([key, false]);
  });

  it('takes a packed block as a twin publishes it, and leaves a plain number array to the schema', () => {
    const decoded = decodeMessage(encodeMessage(telemetryPacked, 'cbor'));
    expect(isPackedTelemetryV1(decoded as unknown as Record<string, unknown>)).toBe(true);
    expect(decoded).toEqual(telemetryPacked);
    expect(isPackedTelemetryV1({ ...telemetryArray })).toBe(false);
    expect(decodeMessage(encodeMessage(telemetryArray, 'cbor'))).toEqual(telemetryArray);
  });

  it('accepts only blocks the schema accepts and would return unchanged', () => {
    let accepted = 0;
    fc.assert(
      fc.property(nearBlock, (block) => {
        if (!isPackedTelemetryV1(block)) return;
        accepted++;
        const parsed = TelemetryV1Schema.safeParse(block);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toStrictEqual(block);
      }),
      { seed: 20261205, numRuns: 20_000 },
    );
    // The property says something only if the near-misses include blocks that pass.
    expect(accepted).toBeGreaterThan(200);
  });

  it('leaves every block it refuses to the schema, which names the wrong field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...telemetryPacked, seq: 1.5 }, 'seq'],
      [{ ...telemetryPacked, values: new Float32Array([1, Number.NaN]) }, 'values'],
      [{ ...telemetryPacked, rateHz: 0 }, 'rateHz'],
      [{ ...telemetryPacked, colour: 'red' }, 'colour'],
    ];
    for (const [block, field] of cases) {
      expect(isPackedTelemetryV1(block)).toBe(false);
      expect(() => decodeMessage(encodeMessage(block as never, 'cbor'))).toThrow(expect.objectContaining({ field }));
    }
  });
});
