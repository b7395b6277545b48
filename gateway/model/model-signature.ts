import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { base64ToBytes } from '../../protocol';
import { ModelKeyError, ModelSignatureError, type ValidationCheck } from './errors';

// Ed25519 (RFC 8032) over the exact bytes of the ONNX file: what is verified is what ONNX Runtime would load.

/** An Ed25519 signature is 64 bytes (RFC 8032 §5.1.6). */
const SIGNATURE_BYTES = 64;

export const TrustedKeySchema = z
  .object({
    id: z.string().min(1).max(128).describe('Name of the key, as a signed model names it in `keyId`, e.g. `cloud-2026`. Required.'),
    publicKey: z
      .string()
      .min(1)
      .describe('Ed25519 public key: inline PEM (SPKI, `-----BEGIN PUBLIC KEY-----`), or the path of a .pem file, relative to the file that declares it. Required.'),
  })
  .strict();

export const TrustedKeysSchema = z.array(TrustedKeySchema).superRefine((keys, ctx) => {
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    if (seen.has(key.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate key id "${key.id}"; give each trusted key its own id` });
    seen.add(key.id);
  });
});

export type TrustedKey = z.output<typeof TrustedKeySchema>;

/** A `publicKey` value that is the key itself rather than the path of a file holding it. */
export function isPem(value: string): boolean {
  return value.trimStart().startsWith('-----BEGIN');
}

/** Key file paths resolved against `dir` (the config file's folder); inline PEM stays as it is. */
export function resolveTrustedKeyPaths(keys: readonly TrustedKey[], dir: string): TrustedKey[] {
  return keys.map((key) => (isPem(key.publicKey) ? key : { ...key, publicKey: path.resolve(dir, key.publicKey) }));
}

/** Every key as PEM text: the .pem files the config names are read. */
export async function readTrustedKeys(keys: readonly TrustedKey[]): Promise<TrustedKey[]> {
  return Promise.all(
    keys.map(async (key) => {
      if (isPem(key.publicKey)) return key;
      try {
        return { ...key, publicKey: await readFile(key.publicKey, 'utf8') };
      } catch (error) {
        const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new ModelKeyError(`anomaly.trustedKeys "${key.id}": cannot read ${key.publicKey} (${why}); give the path of its .pem file, or the PEM itself`, { cause: error });
      }
    }),
  );
}

/** Where the signature of a model configured at start lives: beside the file, `<model>.sig`, base64. */
export function signatureFileOf(model: string): string {
  return `${model}.sig`;
}

/**
 * A model file from the config, on a gateway with trusted keys: reads its signature from beside it and checks it
 * against `bytes` (the file as read). Returns the signature for staging; a missing signature file or a signature
 * no trusted key verifies throws ModelSignatureError, and the gateway does not start.
 */
export async function verifyModelFile(model: string, bytes: Uint8Array, keyring: ModelKeyring, version: string): Promise<string> {
  const sigFile = signatureFileOf(model);
  const refuse = (detail: string): never => {
    throw new ModelSignatureError(version, [{ check: 'signature', ok: false, detail }]);
  };
  const text = await readFile(sigFile, 'utf8').catch((error: NodeJS.ErrnoException) =>
    refuse(`no signature file ${sigFile} (${error.code ?? error.message}); with anomaly.trustedKeys set, put the model's Ed25519 signature there, base64`),
  );
  const signature = text.trim();
  const check = keyring.check(bytes, signature, undefined);
  if (!check.ok) refuse(check.detail);
  return signature;
}

/** The Ed25519 public keys a gateway accepts models from, by id. Empty: models are not signature-checked. */
export class ModelKeyring {
  readonly #keys = new Map<string, KeyObject>();

  /** Parses each key's PEM; throws ModelKeyError for a duplicate id, a key that is not PEM, or one that is not Ed25519. */
  constructor(keys: readonly TrustedKey[] = []) {
    for (const { id, publicKey } of keys) {
      if (this.#keys.has(id)) throw new ModelKeyError(`anomaly.trustedKeys: duplicate key id "${id}"; give each trusted key its own id`);
      let key: KeyObject;
      try {
        key = createPublicKey(publicKey);
      } catch (error) {
        throw new ModelKeyError(`anomaly.trustedKeys "${id}": not a PEM public key (${(error as Error).message}); expect -----BEGIN PUBLIC KEY----- (SPKI)`, { cause: error });
      }
      if (key.asymmetricKeyType !== 'ed25519') {
        throw new ModelKeyError(`anomaly.trustedKeys "${id}": an ${key.asymmetricKeyType ?? 'unknown'} key; models are signed with Ed25519, so give an Ed25519 public key`);
      }
      this.#keys.set(id, key);
    }
  }

  get size(): number {
    return this.#keys.size;
  }

  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  /**
   * The `signature` check of a model's bytes. Without `keyId`, any trusted key that verifies the signature will do
   * (a model file from the config has only its signature beside it).
   */
  check(bytes: Uint8Array, signature: string | undefined, keyId: string | undefined): ValidationCheck {
    const refuse = (detail: string): ValidationCheck => ({ check: 'signature', ok: false, detail });
    const trusted = this.ids.map((id) => `"${id}"`).join(', ');
    if (signature === undefined) {
      return refuse(`unsigned — this gateway runs only models signed by a trusted key (${trusted}); send the file's Ed25519 signature as args.signature (base64) and args.keyId`);
    }
    let tag: Uint8Array;
    try {
      tag = base64ToBytes(signature.trim());
    } catch {
      return refuse('the signature is not valid base64; send the Ed25519 signature of the file, base64-encoded');
    }
    if (tag.length !== SIGNATURE_BYTES) {
      return refuse(`the signature is ${tag.length} bytes, not the ${SIGNATURE_BYTES} of an Ed25519 signature; send the signature of the file, base64-encoded`);
    }
    if (keyId !== undefined) {
      const key = this.#keys.get(keyId);
      if (!key) return refuse(`key "${keyId}" is not trusted by this gateway (trusted: ${trusted}); sign with a trusted key, or add its public key to anomaly.trustedKeys`);
      if (verify(null, bytes, key, tag)) return { check: 'signature', ok: true, detail: `Ed25519, verified with key "${keyId}"` };
      return refuse(`signature does not verify with key "${keyId}" — the file was changed after signing, or signed with another key`);
    }
    for (const [id, key] of this.#keys) {
      if (verify(null, bytes, key, tag)) return { check: 'signature', ok: true, detail: `Ed25519, verified with key "${id}"` };
    }
    return refuse(`signature does not verify with any trusted key (${trusted}) — the file was changed after signing, or signed with a key this gateway does not trust`);
  }
}
