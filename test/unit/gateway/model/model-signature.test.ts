import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bytesToBase64, type CommandV1 } from '../../../../protocol';
import { ModelKeyError, ModelSignatureError } from '../../../../gateway/model/errors';
import { handleModelCommand, type ModelCommandResult } from '../../../../gateway/model/model-command';
import { ModelKeyring, readTrustedKeys, resolveTrustedKeyPaths } from '../../../../gateway/model/model-signature';
import { ModelSlot } from '../../../../gateway/model/model-slot';
import { GatewayConfigSchema, loadGatewayConfig } from '../../../../gateway';
import { fittedModel, healthyWindows } from './fitted-fixture';

const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
/** Ed25519 over the exact bytes, base64: how the cloud signs a model. */
const signed = (bytes: Uint8Array, key: KeyObject) => bytesToBase64(sign(null, bytes, key));

const cloud = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const TRUSTED = [{ id: 'cloud-2026', publicKey: pem(cloud.publicKey) }];

function stage(args: Record<string, unknown>): CommandV1 {
  return { type: 'cmd', v: 1, device: 'gw-1', tsMs: 1_700_000_000_000, id: 'c-stage', action: 'model.stage', args };
}

type Refusal = Extract<ModelCommandResult, { ok: false }>;
const refusal = (result: ModelCommandResult): Refusal => {
  expect(result.ok).toBe(false);
  return result as Refusal;
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'twinbed-model-signature-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const slots: ModelSlot[] = [];
afterEach(async () => {
  for (const slot of slots.splice(0)) await slot.close();
});
/** A slot that has seen healthy windows, trusting `keys`. */
function slotTrusting(keys = TRUSTED): ModelSlot {
  const slot = new ModelSlot({}, new ModelKeyring(keys));
  for (const w of healthyWindows(16, 'signature')) slot.observe(w);
  slots.push(slot);
  return slot;
}

describe('model.stage on a gateway with trusted keys', () => {
  const { bytes } = fittedModel('1.1.0');

  it('accepts a model signed with a trusted key, the signature check first after reading it', async () => {
    const slot = slotTrusting();
    const result = await handleModelCommand(slot, stage({ version: '1.1.0', bytes: bytesToBase64(bytes), signature: signed(bytes, cloud.privateKey), keyId: 'cloud-2026' }));
    expect(result).toMatchObject({ ok: true, model: { version: '1.1.0' }, status: { staged: { version: '1.1.0' } } });
    expect(slot.status().lastStage!.checks.map((c) => [c.check, c.ok])).toEqual([
      ['read', true],
      ['signature', true],
      ['sha256', true],
      ['parse', true],
      ['spec', true],
      ['io', true],
      ['shadow', true],
      ['parity', true],
    ]);
    expect(slot.status().lastStage!.checks[1]!.detail).toBe('Ed25519, verified with key "cloud-2026"');
  });

  it('refuses a copy with one flipped byte, saying the file changed after signing, before parsing it', async () => {
    const slot = slotTrusting();
    const tampered = Uint8Array.from(bytes);
    tampered[tampered.length >> 1]! ^= 0x01;
    const result = refusal(await handleModelCommand(slot, stage({ version: '1.1.0', bytes: bytesToBase64(tampered), signature: signed(bytes, cloud.privateKey), keyId: 'cloud-2026' })));
    expect(result.code).toBe('E_MODEL_SIGNATURE');
    expect(result.error).toBe('model 1.1.0: signature does not verify with key "cloud-2026" — the file was changed after signing, or signed with another key');
    expect(result.reasons).toEqual([{ check: 'signature', ok: false, detail: 'signature does not verify with key "cloud-2026" — the file was changed after signing, or signed with another key' }]);
    // Nothing after the signature ran: the tampered bytes never reached the hash, the ONNX parser or ONNX Runtime.
    expect(result.status.lastStage!.checks.map((c) => c.check)).toEqual(['read', 'signature']);
    expect(result.status.staged).toBeNull();
  });

  it('refuses a model signed with another key under a trusted key id', async () => {
    const result = refusal(await handleModelCommand(slotTrusting(), stage({ version: '1.1.0', bytes: bytesToBase64(bytes), signature: signed(bytes, other.privateKey), keyId: 'cloud-2026' })));
    expect(result).toMatchObject({ code: 'E_MODEL_SIGNATURE', error: expect.stringContaining('does not verify with key "cloud-2026"') });
    expect(result.reasons!.map((r) => [r.check, r.ok])).toEqual([['signature', false]]);
  });

  it('refuses a key id the gateway does not trust, naming the ones it does', async () => {
    const result = refusal(await handleModelCommand(slotTrusting(), stage({ version: '1.1.0', bytes: bytesToBase64(bytes), signature: signed(bytes, other.privateKey), keyId: 'laptop' })));
    expect(result.code).toBe('E_MODEL_SIGNATURE');
    expect(result.error).toBe('model 1.1.0: key "laptop" is not trusted by this gateway (trusted: "cloud-2026"); sign with a trusted key, or add its public key to anomaly.trustedKeys');
    expect(result.reasons!.map((r) => r.check)).toEqual(['signature']);
  });

  it('refuses an unsigned model', async () => {
    const result = refusal(await handleModelCommand(slotTrusting(), stage({ version: '1.1.0', bytes: bytesToBase64(bytes) })));
    expect(result.code).toBe('E_MODEL_SIGNATURE');
    expect(result.error).toMatch(/^model 1\.1\.0: unsigned — this gateway runs only models signed by a trusted key \("cloud-2026"\)/);
    expect(result.reasons!.map((r) => [r.check, r.ok])).toEqual([['signature', false]]);
  });

  it('refuses a signature that is not 64 bytes of base64', async () => {
    const result = refusal(await handleModelCommand(slotTrusting(), stage({ version: '1.1.0', bytes: bytesToBase64(bytes), signature: bytesToBase64(new Uint8Array(32)), keyId: 'cloud-2026' })));
    expect(result).toMatchObject({ code: 'E_MODEL_SIGNATURE', error: expect.stringContaining('the signature is 32 bytes, not the 64 of an Ed25519 signature') });
  });

  it('without a key id, accepts a signature any trusted key verifies, and refuses one none does', async () => {
    const slot = slotTrusting([...TRUSTED, { id: 'cloud-2027', publicKey: pem(other.publicKey) }]);
    const ok = await slot.stage(bytes, { version: 'a', signature: signed(bytes, other.privateKey) });
    expect(ok.checks.find((c) => c.check === 'signature')).toEqual({ check: 'signature', ok: true, detail: 'Ed25519, verified with key "cloud-2027"' });
    const stranger = generateKeyPairSync('ed25519');
    const error = await slot.stage(bytes, { version: 'b', signature: signed(bytes, stranger.privateKey) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelSignatureError);
    expect((error as ModelSignatureError).message).toBe(
      'model b: signature does not verify with any trusted key ("cloud-2026", "cloud-2027") — the file was changed after signing, or signed with a key this gateway does not trust',
    );
  });
});

describe('model.stage on a gateway without trusted keys', () => {
  it('stages an unsigned model as before, with no signature check', async () => {
    const slot = new ModelSlot();
    slots.push(slot);
    const { bytes } = fittedModel('v1');
    const result = await handleModelCommand(slot, stage({ version: 'v1', bytes: bytesToBase64(bytes) }));
    expect(result).toMatchObject({ ok: true, model: { version: 'v1' } });
    expect(slot.status().lastStage!.checks.map((c) => c.check)).not.toContain('signature');
  });
});

describe('trusted keys in the config', () => {
  it('refuses a key that is not PEM, or not Ed25519', () => {
    expect(() => new ModelKeyring([{ id: 'typo', publicKey: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' }])).toThrow(ModelKeyError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => new ModelKeyring([{ id: 'p256', publicKey: pem(ec.publicKey) }])).toThrow('anomaly.trustedKeys "p256": an ec key; models are signed with Ed25519, so give an Ed25519 public key');
  });

  it('takes a key inline or from a .pem file relative to the config file, and refuses a duplicate id', async () => {
    await writeFile(path.join(dir, 'cloud-2027.pem'), pem(other.publicKey));
    const file = path.join(dir, 'gateway.yaml');
    await writeFile(
      file,
      [
        'upstream: { url: mqtt://127.0.0.1:1883 }',
        'anomaly:',
        '  trustedKeys:',
        '    - { id: cloud-2027, publicKey: cloud-2027.pem }',
        '    - id: cloud-2026',
        '      publicKey: |',
        ...TRUSTED[0]!.publicKey.trim().split('\n').map((line) => `        ${line}`),
        '',
      ].join('\n'),
    );
    const config = await loadGatewayConfig(file);
    expect(config.anomaly!.trustedKeys!.map((k) => k.publicKey.startsWith('-----BEGIN') ? 'pem' : k.publicKey)).toEqual([path.join(dir, 'cloud-2027.pem'), 'pem']);
    const keys = await readTrustedKeys(config.anomaly!.trustedKeys!);
    expect(keys.map((k) => [k.id, k.publicKey.trim()])).toEqual([
      ['cloud-2027', pem(other.publicKey).trim()],
      ['cloud-2026', TRUSTED[0]!.publicKey.trim()],
    ]);
    expect(new ModelKeyring(keys).ids).toEqual(['cloud-2027', 'cloud-2026']);

    await expect(readTrustedKeys(resolveTrustedKeyPaths([{ id: 'gone', publicKey: 'gone.pem' }], dir))).rejects.toThrow(/anomaly.trustedKeys "gone": cannot read .*gone\.pem \(ENOENT\)/);
    const duplicate = GatewayConfigSchema.safeParse({ upstream: { url: 'mqtt://127.0.0.1:1883' }, anomaly: { trustedKeys: [...TRUSTED, ...TRUSTED] } });
    expect(duplicate.error?.issues[0]).toMatchObject({ path: ['anomaly', 'trustedKeys', 1, 'id'], message: 'duplicate key id "cloud-2026"; give each trusted key its own id' });
  });
});
