import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelSlotError, ModelValidationError } from '../../../../gateway/model/errors';
import { ModelSlot } from '../../../../gateway/model/model-slot';
import { sha256Hex } from '../../../../ml/onnx-export';
import { sumOfSquaresModel, withOperatorSwapped } from './custom-graphs';
import { fittedModel, healthyWindows, NAMES } from './fitted-fixture';

const slots: ModelSlot[] = [];
function slotWithWindows(count = 32, options: ConstructorParameters<typeof ModelSlot>[0] = {}): ModelSlot {
  const slot = new ModelSlot(options);
  for (const w of healthyWindows(count, 'recent')) slot.observe(w);
  slots.push(slot);
  return slot;
}
afterEach(async () => {
  await Promise.all(slots.splice(0).map((slot) => slot.close()));
});

async function refusal(promise: Promise<unknown>): Promise<ModelValidationError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelValidationError);
  return error as ModelValidationError;
}

describe('ModelSlot.stage', () => {
  it('stages a twinbed model after every check passes, parity included', async () => {
    const slot = slotWithWindows();
    const { bytes, model } = fittedModel('v1');
    const staged = await slot.stage(bytes, { version: 'v1', sha256: sha256Hex(bytes) });
    expect(staged).toMatchObject({ version: 'v1', format: 'twinbed', features: [...NAMES], threshold: model.threshold });
    expect(staged.checks.map((c) => [c.check, c.ok])).toEqual([
      ['read', true],
      ['sha256', true],
      ['parse', true],
      ['spec', true],
      ['io', true],
      ['shadow', true],
      ['parity', true],
    ]);
    expect(staged.checks.find((c) => c.check === 'shadow')!.detail).toMatch(/^32 recent windows scored, all finite/);
    expect(slot.status()).toMatchObject({ active: null, staged: { version: 'v1' }, lastStage: { version: 'v1', ok: true }, recentWindows: 32 });
  });

  it('refuses a model whose input has another name, giving both names', async () => {
    const slot = slotWithWindows();
    const bytes = sumOfSquaresModel({ d: 4, input: 'x' });
    const error = await refusal(slot.stage(bytes, { version: 'ext-1', inputs: { features: [...NAMES] }, threshold: 5 }));
    expect(error.reasons).toEqual([{ check: 'io', ok: false, detail: 'the model\'s inputs are "x", the spec expects "features"' }]);
    expect(slot.status().staged).toBeNull();
    expect(slot.status().lastStage).toMatchObject({ version: 'ext-1', ok: false });
  });

  it('refuses a model whose input width differs from the declared features', async () => {
    const slot = slotWithWindows();
    const error = await refusal(slot.stage(sumOfSquaresModel({ d: 4, width: 5 }), { version: 'ext-1', inputs: { features: [...NAMES] }, threshold: 5 }));
    expect(error.reasons[0]!.detail).toBe('input "features" has shape [N, 5], expected [N, 4] for the 4 declared features');
  });

  it('refuses a wrong sha256 before parsing, and the active model stays', async () => {
    const slot = slotWithWindows();
    const { bytes } = fittedModel('v1');
    await slot.stage(bytes, { version: 'v1' });
    slot.activate();
    const error = await refusal(slot.stage(fittedModel('v2').bytes, { version: 'v2', sha256: sha256Hex(bytes) }));
    expect(error.code).toBe('E_MODEL_INVALID');
    expect(error.reasons).toHaveLength(1);
    expect(error.reasons[0]!.check).toBe('sha256');
    expect(error.message).toMatch(/sha256: the bytes hash to [0-9a-f]{64}, expected [0-9a-f]{64}: the file is corrupt or not the announced one/);
    expect(error.checks.map((c) => c.check)).toEqual(['read', 'sha256']);
    expect(slot.status().active!.version).toBe('v1');
  });

  it('refuses a model that scores NaN on the recent windows', async () => {
    const slot = slotWithWindows();
    const error = await refusal(slot.stage(sumOfSquaresModel({ d: 4, nan: true }), { version: 'nan', inputs: { features: [...NAMES] }, threshold: 5 }));
    expect(error.reasons).toEqual([
      { check: 'shadow', ok: false, detail: '32 of 32 scores on recent windows are not finite (first: NaN at window 0); the model would blind the detector' },
    ]);
  });

  it('refuses a twinbed model whose graph does not compute what its parameters say', async () => {
    const slot = slotWithWindows();
    const tampered = withOperatorSwapped(fittedModel('v1').bytes, 'residual', 'Add');
    const error = await refusal(slot.stage(tampered, { version: 'v1' }));
    expect(error.reasons[0]!.check).toBe('parity');
    expect(error.reasons[0]!.detail).toMatch(/differ from the TypeScript reference/);
  });

  it('refuses bytes that are not ONNX, an unreadable path, and an external model without a spec', async () => {
    const slot = slotWithWindows();
    expect((await refusal(slot.stage(new TextEncoder().encode('{"not":"onnx"}'), { version: 'x' }))).reasons[0]!.check).toBe('parse');
    const missing = await refusal(slot.stage('/nonexistent/model.onnx', { version: 'x' }));
    expect(missing.reasons[0]!.detail).toBe('cannot read /nonexistent/model.onnx (ENOENT); check the path on the gateway');
    const external = await refusal(slot.stage(sumOfSquaresModel({ d: 4 }), { version: 'x' }));
    expect(external.reasons[0]!.detail).toMatch(/declare `inputs.features`/);
  });

  it('refuses when the recent windows lack the model\'s features, naming them', async () => {
    const slot = new ModelSlot();
    slots.push(slot);
    slot.observe({ rms: 1, peak: 3, crest: 3 });
    const error = await refusal(slot.stage(fittedModel('v1').bytes, { version: 'v1' }));
    expect(error.reasons[0]!.detail).toMatch(/none of the 1 recent windows has every input \(the first lacks level, energy, skew\)/);
  });

  it('stages a file by path and skips the shadow run on a fresh gateway unless required', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'twinbed-slot-'));
    try {
      const file = path.join(dir, 'model.onnx');
      await writeFile(file, fittedModel('v1').bytes);
      const fresh = new ModelSlot();
      slots.push(fresh);
      const staged = await fresh.stage(file, { version: 'v1' });
      expect(staged.checks.find((c) => c.check === 'shadow')).toEqual({ check: 'shadow', ok: true, detail: 'skipped: no recent windows yet' });
      const strict = new ModelSlot({ requireShadowRun: true });
      slots.push(strict);
      expect((await refusal(strict.stage(file, { version: 'v1' }))).reasons[0]!.check).toBe('shadow');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('ModelSlot activate and rollback', () => {
  it('switches versions on activate and returns to the previous one on rollback; a second rollback undoes the first', async () => {
    const slot = slotWithWindows();
    await slot.stage(fittedModel('v1').bytes, { version: 'v1' });
    expect(slot.activate().version).toBe('v1');
    await slot.stage(fittedModel('v2').bytes, { version: 'v2' });
    expect(slot.activate('v2').version).toBe('v2');
    expect(slot.status()).toMatchObject({ active: { version: 'v2' }, previous: { version: 'v1' }, staged: null });
    expect(slot.rollback().version).toBe('v1');
    expect(slot.status()).toMatchObject({ active: { version: 'v1' }, previous: { version: 'v2' } });
    expect(slot.acquire()!.model.version).toBe('v1');
    expect(slot.rollback().version).toBe('v2');
  });

  it('refuses to activate with nothing staged, to roll back with no previous, and to reuse the active version', async () => {
    const slot = slotWithWindows();
    expect(() => slot.activate()).toThrow(expect.objectContaining({ code: 'E_MODEL_NOTHING_STAGED' }));
    await slot.stage(fittedModel('v1').bytes, { version: 'v1' });
    expect(() => slot.activate('v9')).toThrow(/the staged model is v1, not v9/);
    slot.activate();
    expect(() => slot.rollback()).toThrow(ModelSlotError);
    expect(() => slot.rollback()).toThrow(/no previous model to roll back to \(active: v1\)/);
    await expect(slot.stage(fittedModel('v1').bytes, { version: 'v1' })).rejects.toThrow(/version v1 is already the active model/);
  });

  it('lets a window in flight finish on the model it started with; the swapped-out session closes after it', async () => {
    const slot = slotWithWindows();
    const probe = Float32Array.from(NAMES.map((name) => healthyWindows(1, 'probe')[0]![name]!));
    await slot.stage(fittedModel('v1').bytes, { version: 'v1' });
    slot.activate();
    const lease = slot.acquire()!; // a window starts on v1
    await slot.stage(fittedModel('v2').bytes, { version: 'v2' });
    slot.activate(); // v1 becomes previous: still open
    await slot.stage(fittedModel('v3').bytes, { version: 'v3' });
    slot.activate(); // v1 leaves the slot while the window still holds it
    expect(slot.acquire()!.model.version).toBe('v3');
    expect(lease.model.version).toBe('v1');
    expect(Number.isFinite((await lease.model.scoreBatch(probe, 1))[0])).toBe(true);
    lease.release();
    await slot.close();
    await expect(lease.model.scoreBatch(probe, 1)).rejects.toThrow();
  });

  it('compares the active model with its TypeScript reference on the recent windows', async () => {
    const slot = slotWithWindows(64);
    await expect(slot.compare()).rejects.toThrow(expect.objectContaining({ code: 'E_MODEL_NO_ACTIVE' }));
    await slot.stage(fittedModel('v1').bytes, { version: 'v1' });
    slot.activate();
    const parity = await slot.compare();
    expect(parity).toMatchObject({ count: 64, nonFiniteMismatches: 0, withinTolerance: true });
    expect(parity.maxAbsDiff).toBeLessThan(1e-5);

    await slot.stage(sumOfSquaresModel({ d: 4 }), { version: 'ext-1', inputs: { features: [...NAMES] }, threshold: 5 });
    slot.activate();
    await expect(slot.compare()).rejects.toThrow(/model ext-1 is external .* no TypeScript reference/);
  });
});
