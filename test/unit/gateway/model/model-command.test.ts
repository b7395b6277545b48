import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToBase64, type CommandV1 } from '../../../../protocol';
import { handleModelCommand } from '../../../../gateway/model/model-command';
import { ModelSlot } from '../../../../gateway/model/model-slot';
import { sha256Hex } from '../../../../ml/onnx-export';
import { fittedModel, healthyWindows } from './fitted-fixture';

function command(action: string, args?: Record<string, unknown>): CommandV1 {
  return { type: 'cmd', v: 1, device: 'gw-1', tsMs: 1_700_000_000_000, id: `c-${action}`, action, ...(args ? { args } : {}) };
}

let dir: string;
let slot: ModelSlot;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'twinbed-model-cmd-'));
  await writeFile(path.join(dir, 'v2.onnx'), fittedModel('v2').bytes);
  slot = new ModelSlot();
  for (const w of healthyWindows(16, 'cmd')) slot.observe(w);
});
afterAll(async () => {
  await slot.close();
  await rm(dir, { recursive: true, force: true });
});

describe('handleModelCommand', () => {
  it('stages base64 bytes, activates, stages a file from the model folder, activates, and rolls back', async () => {
    const { bytes } = fittedModel('v1');
    const staged = await handleModelCommand(slot, command('model.stage', { version: 'v1', bytes: bytesToBase64(bytes), sha256: sha256Hex(bytes) }));
    expect(staged).toMatchObject({ id: 'c-model.stage', action: 'model.stage', ok: true, model: { version: 'v1' }, status: { staged: { version: 'v1' } } });
    expect(await handleModelCommand(slot, command('model.activate', { version: 'v1' }))).toMatchObject({ ok: true, status: { active: { version: 'v1' } } });

    const byPath = await handleModelCommand(slot, command('model.stage', { version: 'v2', path: 'v2.onnx' }), { modelDir: dir });
    expect(byPath).toMatchObject({ ok: true, model: { version: 'v2' } });
    await handleModelCommand(slot, command('model.activate'));
    const rolledBack = await handleModelCommand(slot, command('model.rollback'));
    expect(rolledBack).toMatchObject({ ok: true, model: { version: 'v1' }, status: { active: { version: 'v1' }, previous: { version: 'v2' } } });
    expect(await handleModelCommand(slot, command('model.status'))).toMatchObject({ ok: true, status: { active: { version: 'v1' } } });
  });

  it('returns a refused stage as ok: false with the code and every failed check', async () => {
    const result = await handleModelCommand(slot, command('model.stage', { version: 'v3', bytes: bytesToBase64(fittedModel('v3').bytes), sha256: '0'.repeat(64) }));
    expect(result).toMatchObject({ ok: false, code: 'E_MODEL_INVALID' });
    expect(result.ok === false && result.reasons!.map((r) => r.check)).toEqual(['sha256']);
    expect(result.status.lastStage).toMatchObject({ version: 'v3', ok: false });
  });

  it('refuses a path outside the model folder, and any path when no folder is configured', async () => {
    const outside = await handleModelCommand(slot, command('model.stage', { version: 'v4', path: '../../etc/passwd' }), { modelDir: dir });
    expect(outside).toMatchObject({ ok: false, code: 'E_MODEL_COMMAND', error: expect.stringMatching(/args.path \.\.\/\.\.\/etc\/passwd is outside the model folder/) });
    const off = await handleModelCommand(slot, command('model.stage', { version: 'v4', path: 'v2.onnx' }));
    expect(off).toMatchObject({ ok: false, error: expect.stringMatching(/staging by path is off on this gateway/) });
  });

  it('names the bad argument and refuses unknown actions', async () => {
    expect(await handleModelCommand(slot, command('model.stage', { version: 'v5' }))).toMatchObject({
      ok: false,
      code: 'E_MODEL_COMMAND',
      error: 'model.stage args: give exactly one of path (a file on the gateway) or bytes (base64)',
    });
    expect(await handleModelCommand(slot, command('model.stage', { version: 'v5', bytes: 'AAAA', sha256: 'xyz' }))).toMatchObject({
      ok: false,
      error: 'model.stage args.sha256: expected 64 hex digits',
    });
    expect(await handleModelCommand(slot, command('model.rollback', { force: true }))).toMatchObject({ ok: false, error: expect.stringMatching(/^model.rollback args: /) });
    expect(await handleModelCommand(slot, command('model.delete'))).toMatchObject({
      ok: false,
      error: 'unknown model command "model.delete"; use one of model.stage, model.activate, model.rollback, model.status',
    });
  });
});
