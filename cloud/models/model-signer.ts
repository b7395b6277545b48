import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { IdSchema } from '../../protocol';
import { ModelKeyError } from './errors';

/** Bytes of an Ed25519 signature (RFC 8032 §5.1.6). */
const SIGNATURE_BYTES = 64;

/**
 * Signs model files with the cloud's Ed25519 key: the signature covers the exact ONNX bytes a gateway receives, so
 * the gateway checks what it will load, not a re-encoding. `keyId` names the key in the gateways' trusted key list.
 */
export class ModelSigner {
  readonly keyId: string;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject, keyId: string) {
    this.#privateKey = privateKey;
    this.keyId = keyId;
  }

  /** The signer for a PKCS8 PEM private key, as `twinbed model keygen` writes it. */
  static fromPem(privatePem: string, keyId: string): ModelSigner {
    let key: KeyObject;
    try {
      key = createPrivateKey(privatePem);
    } catch (error) {
      throw new ModelKeyError(`the signing key for "${keyId}" is not an unencrypted PEM private key; create one with \`twinbed model keygen --out DIR\``, { cause: error });
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new ModelKeyError(`the signing key for "${keyId}" is ${key.asymmetricKeyType ?? 'not asymmetric'}, models are signed with Ed25519; create one with \`twinbed model keygen --out DIR\``);
    }
    return new ModelSigner(key, checkKeyId(keyId));
  }

  /** A signer with a fresh key: for tests, and for a first start that then persists `privateKeyPem()`. */
  static generate(keyId: string): ModelSigner {
    return new ModelSigner(generateKeyPairSync('ed25519').privateKey, checkKeyId(keyId));
  }

  /**
   * The signer whose Ed25519 private key is these 32 bytes (RFC 8032 §5.1.5 seed): a scenario run derives them from
   * its seed, so the same seed signs with the same key and every signature comes out the same.
   */
  static fromSeed(seed: Uint8Array, keyId: string): ModelSigner {
    if (seed.length !== 32) throw new ModelKeyError(`an Ed25519 key seed is 32 bytes, got ${seed.length}`);
    // PKCS8 PrivateKeyInfo for id-Ed25519 (RFC 8410 §7) around the 32-byte seed.
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    return new ModelSigner(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), checkKeyId(keyId));
  }

  /** SPKI PEM of the public key: what gateways list in `anomaly.trustedKeys`. */
  publicKeyPem(): string {
    return createPublicKey(this.#privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  /** PKCS8 PEM of the private key, to persist a generated signer. A secret: keep it with the cloud only. */
  privateKeyPem(): string {
    return this.#privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  /** Ed25519 signature over exactly `bytes`, base64. */
  sign(bytes: Uint8Array): string {
    return sign(null, bytes, this.#privateKey).toString('base64');
  }
}

/**
 * True when `signature` (base64) is `publicPem`'s Ed25519 signature over exactly `bytes`. False for any other
 * signature, including one that is not 64 bytes of canonical base64; throws only for a key that is not Ed25519.
 */
export function verifyModelSignature(bytes: Uint8Array, signature: string, publicPem: string): boolean {
  const key = ed25519PublicKey(publicPem);
  const raw = Buffer.from(signature, 'base64');
  // Node's decoder skips characters it does not know, so only a canonical encoding counts as this signature.
  if (raw.length !== SIGNATURE_BYTES || raw.toString('base64') !== signature) return false;
  return verify(null, bytes, key, raw);
}

/** The Ed25519 public key in `publicPem`; throws ModelKeyError for anything else. */
export function ed25519PublicKey(publicPem: string, keyId?: string): KeyObject {
  const which = keyId === undefined ? 'the verification key' : `key "${keyId}"`;
  let key: KeyObject;
  try {
    key = createPublicKey(publicPem);
  } catch (error) {
    throw new ModelKeyError(`${which} is not a PEM public key; use the .pub.pem \`twinbed model keygen\` wrote`, { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ModelKeyError(`${which} is ${key.asymmetricKeyType ?? 'not asymmetric'}, models are signed with Ed25519`);
  return key;
}

function checkKeyId(keyId: string): string {
  const parsed = IdSchema.safeParse(keyId);
  if (!parsed.success) throw new ModelKeyError(`key id "${keyId}": ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return keyId;
}
