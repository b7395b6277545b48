import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModelKeygen } from '../../../../cli/model-keys';
import { ModelKeyError, ModelSigner, verifyModelSignature } from '../../../../cloud/models';
import { ConfigError } from '../../../../protocol';
import { flipByte } from './memory-model-store';

const BYTES = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) & 0xff);

describe('ModelSigner', () => {
  it('signs the exact bytes: the signature verifies with its public key and fails after one flipped byte', () => {
    const signer = ModelSigner.generate('cloud-1');
    const signature = signer.sign(BYTES);

    expect(Buffer.from(signature, 'base64')).toHaveLength(64);
    expect(verifyModelSignature(BYTES, signature, signer.publicKeyPem())).toBe(true);
    for (const index of [0, 100, BYTES.length - 1]) expect(verifyModelSignature(flipByte(BYTES, index), signature, signer.publicKeyPem())).toBe(false);
    expect(verifyModelSignature(BYTES.subarray(1), signature, signer.publicKeyPem())).toBe(false);
    expect(verifyModelSignature(BYTES, signature, ModelSigner.generate('cloud-2').publicKeyPem())).toBe(false);
  });

  it('reloads from its PKCS8 PEM as the same key (Ed25519 signatures are deterministic)', () => {
    const signer = ModelSigner.generate('cloud-1');
    const reloaded = ModelSigner.fromPem(signer.privateKeyPem(), 'cloud-1');
    expect(reloaded.sign(BYTES)).toBe(signer.sign(BYTES));
    expect(reloaded.publicKeyPem()).toBe(signer.publicKeyPem());
    expect(signer.publicKeyPem()).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
  });

  it('counts only a canonical base64 signature of 64 bytes', () => {
    const signer = ModelSigner.generate('cloud-1');
    const signature = signer.sign(BYTES);
    expect(verifyModelSignature(BYTES, `${signature} `, signer.publicKeyPem())).toBe(false);
    expect(verifyModelSignature(BYTES, `!${signature}`, signer.publicKeyPem())).toBe(false);
    expect(verifyModelSignature(BYTES, signature.slice(0, 40), signer.publicKeyPem())).toBe(false);
    expect(verifyModelSignature(BYTES, '', signer.publicKeyPem())).toBe(false);
  });

  it('refuses keys that are not Ed25519 PEM, and key ids that cannot name a file', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPrivate = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => ModelSigner.fromPem(ecPrivate, 'cloud-1')).toThrow(ModelKeyError);
    expect(() => ModelSigner.fromPem(ecPrivate, 'cloud-1')).toThrow('the signing key for "cloud-1" is ec, models are signed with Ed25519');
    expect(() => ModelSigner.fromPem('not a key', 'cloud-1')).toThrow('is not an unencrypted PEM private key');
    expect(() => verifyModelSignature(BYTES, 'AAAA', ec.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toThrow(ModelKeyError);
    expect(() => ModelSigner.generate('../etc/passwd')).toThrow(ModelKeyError);
  });
});

describe('twinbed model keygen', () => {
  let dir: string;
  const output = () => ({ text: '', write(text: string) { this.text += text; } });
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'twinbed-keygen-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a PKCS8 key (mode 0600) the signer loads and an SPKI key that verifies its signatures, and prints both configs', async () => {
    const out = output();
    const { code, result } = await runModelKeygen({ out: path.join(dir, 'keys'), keyId: 'cloud-2025' }, out);
    expect(code).toBe(0);
    const keyFile = path.join(dir, 'keys', 'cloud-2025.key.pem');
    const pubFile = path.join(dir, 'keys', 'cloud-2025.pub.pem');
    expect(result).toMatchObject({ keyId: 'cloud-2025', privateKeyFile: keyFile, publicKeyFile: pubFile });
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const privatePem = await readFile(keyFile, 'utf8');
    const publicPem = await readFile(pubFile, 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);

    const signer = ModelSigner.fromPem(privatePem, 'cloud-2025');
    expect(verifyModelSignature(BYTES, signer.sign(BYTES), publicPem)).toBe(true);
    expect(signer.publicKeyPem()).toBe(publicPem);

    const pemLines = publicPem.trimEnd().split('\n').map((line) => `          ${line}`);
    expect(out.text).toContain(['    trustedKeys:', '      - id: cloud-2025', '        publicKey: |', ...pemLines].join('\n'));
    expect(out.text).toContain(`    signingKey: ${keyFile}\n    keyId: cloud-2025\n`);
  });

  it('names a key by its public key\'s hash by default, and never overwrites a key', async () => {
    const { result } = await runModelKeygen({ out: path.join(dir, 'default') }, output());
    const der = createPublicKey(result.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(result.keyId).toBe(`model-${createHash('sha256').update(der).digest('hex').slice(0, 8)}`);

    const before = await readFile(result.privateKeyFile, 'utf8');
    const again = await runModelKeygen({ out: path.join(dir, 'default'), keyId: result.keyId }, output()).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConfigError);
    expect((again as ConfigError).message).toBe(`${result.privateKeyFile}: already exists; pick another --key-id, or move the old key away first`);
    expect(await readFile(result.privateKeyFile, 'utf8')).toBe(before);
    await expect(runModelKeygen({ out: dir, keyId: 'no/slash' }, output())).rejects.toThrow(/--key-id: use 1–64 letters/);
  });
});

describe('ModelSigner.fromSeed', () => {
  it('makes the same key from the same 32 bytes, whose signatures verify, and another key from other bytes', () => {
    const Signer = ModelSigner;
    const verifySig = verifyModelSignature;
    const seed = new Uint8Array(32).map((_, i) => i);
    const a = Signer.fromSeed(seed, 'seeded');
    const b = Signer.fromSeed(seed, 'seeded');
    const bytes = new TextEncoder().encode('model bytes');
    expect(a.publicKeyPem()).toBe(b.publicKeyPem());
    expect(a.sign(bytes)).toBe(b.sign(bytes));
    expect(verifySig(bytes, a.sign(bytes), b.publicKeyPem())).toBe(true);
    expect(Signer.fromSeed(seed.map((x) => x + 1), 'other').publicKeyPem()).not.toBe(a.publicKeyPem());
    expect(() => Signer.fromSeed(new Uint8Array(16), 'short')).toThrow(/32 bytes, got 16/);
  });
});
