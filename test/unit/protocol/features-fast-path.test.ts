import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, FeaturesV2Schema } from '../../../protocol/index';
import { FEATURES_V2_KEYS, isPlainFeaturesV2 } from '../../../protocol/features-fast-path';
import { featuresV2 } from './sample-messages';

const validId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const positive = fc.double({ min: Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true });

/** Windows the schema accepts, with every optional field present or not. */
const validWindow = fc.record(
  {
    type: fc.constant('features'),
    v: fc.constant(2),
    device: validId,
    sensor: validId,
    seq: fc.maxSafeNat(),
    blocks: fc.integer({ min: 1, max: 1000 }),
    tsMs: finite,
    windowMs: positive,
    unit: fc.string({ minLength: 1, maxLength: 16 }),
    features: fc
      .tuple(fc.record({ rms: finite, peak: finite, crest: finite }), fc.dictionary(fc.string({ maxLength: 12 }), finite, { maxKeys: 4 }))
      .map(([named, extra]) => ({ ...extra, ...named })),
    gateway: validId,
    model: fc.record({ version: fc.string({ minLength: 1, maxLength: 128 }), score: finite, threshold: positive }),
  },
  { requiredKeys: ['type', 'v', 'device', 'sensor', 'seq', 'tsMs', 'windowMs', 'unit', 'features'] },
);

const DELETE = Symbol('delete');
/** A value at the edge of some field's rule, or of the wrong type. */
const edgeValue = fc.oneof(
  fc.constantFrom<unknown>(DELETE, undefined, null, true, 0, -0, -1, 1.5, 2, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2, '', 'x'.repeat(17), 'x'.repeat(129), 'a/b', '-a', '2', [], {}, 'features'),
  fc.double(),
  fc.string({ maxLength: 20 }),
);
const mutation = fc.record({
  path: fc.constantFrom(
    ...Object.keys(FEATURES_V2_KEYS),
    'extra',
    '__proto__',
    'features.rms',
    'features.crest',
    'features.kurtosis',
    'features.__proto__',
    'features.constructor',
    'model.version',
    'model.score',
    'model.threshold',
    'model.extra',
  ),
  value: edgeValue,
});

/** Sets (or deletes) one field as an own property, the way a decoder builds an object, whatever its name. */
function mutate(window: Record<string, unknown>, { path, value }: { path: string; value: unknown }): void {
  const [head, tail] = path.split('.') as [string, string | undefined];
  let target = window;
  let key = head;
  if (tail !== undefined) {
    const inner = window[head];
    if (typeof inner !== 'object' || inner === null) return;
    target = inner as Record<string, unknown>;
    key = tail;
  }
  if (value === DELETE) delete target[key];
  else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A valid window with up to two fields pushed to or past the edge of their rules. */
const nearWindow = fc.tuple(validWindow, fc.array(mutation, { maxLength: 2 })).map(([valid, mutations]) => {
  const window = structuredClone(valid) as Record<string, unknown>;
  for (const m of mutations) mutate(window, m);
  return window;
});

describe('the feature window fast path', () => {
  it('knows exactly the fields FeaturesV2Schema has, and which of them are required', () => {
    const shape = FeaturesV2Schema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
    expect(Object.keys(FEATURES_V2_KEYS).sort()).toEqual(Object.keys(shape).sort());
    for (const [key, required] of Object.entries(FEATURES_V2_KEYS)) expect([key, !shape[key]!.safeParse(undefined).success]).toEqual([key, required]);
  });

  it('accepts a window as the gateway sends it, so the cloud skips the schema copy', () => {
    const decoded = decodeMessage(encodeMessage(featuresV2, 'cbor'));
    expect(isPlainFeaturesV2({ ...featuresV2 })).toBe(true);
    expect(decoded).toEqual(featuresV2);
  });

  it('accepts only windows the schema accepts and would return unchanged', () => {
    let accepted = 0;
    fc.assert(
      fc.property(nearWindow, (window) => {
        if (!isPlainFeaturesV2(window)) return;
        accepted++;
        const parsed = FeaturesV2Schema.safeParse(window);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toStrictEqual(window);
      }),
      { seed: 20261205, numRuns: 20_000 },
    );
    // The property says something only if the near-misses include windows that pass.
    expect(accepted).toBeGreaterThan(200);
  });

  it('leaves every window it refuses to the schema, which names the wrong field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...featuresV2, seq: 1.5 }, 'seq'],
      [{ ...featuresV2, features: { ...featuresV2.features, peak: Number.NaN } }, 'features.peak'],
      [{ ...featuresV2, model: { ...featuresV2.model, threshold: 0 } }, 'model.threshold'],
      [{ ...featuresV2, colour: 'red' }, 'colour'],
    ];
    for (const [window, field] of cases) {
      expect(isPlainFeaturesV2(window)).toBe(false);
      expect(() => decodeMessage(encodeMessage(window as never, 'json'))).toThrow(expect.objectContaining({ field }));
    }
  });
});
