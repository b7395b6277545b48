import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/** Cost parameters for new hashes (RFC 7914 §2): N=2^14, r=8, p=1 costs ~16 MiB and ~50 ms a check. */
export const SCRYPT_DEFAULTS = { N: 16_384, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;

/** `scrypt$N$r$p$salt$hash`, N, r and p in decimal, salt and hash in base64. */
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/**
 * Parses a stored hash, or returns the reason it is unusable. The bounds keep a tampered registry from asking
 * for gigabytes of memory per login.
 */
export function parseScryptHash(text: string): ScryptHash | string {
  const m = FORMAT.exec(text);
  if (!m) return 'expected scrypt$N$r$p$salt$hash with base64 salt and hash (run `twinbed certs` to create one)';
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4]!, 'base64');
  const hash = Buffer.from(m[5]!, 'base64');
  if (!Number.isInteger(Math.log2(N)) || N < 2 ** 10 || N > 2 ** 20) return `N must be a power of two from 1024 to 1048576, got ${N}`;
  if (r < 1 || r > 32) return `r must be 1–32, got ${r}`;
  if (p < 1 || p > 16) return `p must be 1–16, got ${p}`;
  if (salt.length < 16) return `the salt must be at least 16 bytes, got ${salt.length}`;
  if (hash.length < 16 || hash.length > 64) return `the hash must be 16–64 bytes, got ${hash.length}`;
  return { N, r, p, salt, hash };
}

export const ScryptHashSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseScryptHash(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

function derive(secret: string, salt: Buffer, keyBytes: number, { N, r, p }: { N: number; r: number; p: number }): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses above maxmem (32 MiB by default), so allow what the parameters need.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFC'), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes a device secret for the registry; the secret itself is never stored. */
export async function hashSecret(secret: string, params: { N: number; r: number; p: number } = SCRYPT_DEFAULTS): Promise<string> {
  const salt = randomBytes(SCRYPT_DEFAULTS.saltBytes);
  const hash = await derive(secret, salt, SCRYPT_DEFAULTS.keyBytes, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True when `secret` matches `stored`; compares in constant time. A malformed `stored` is a mismatch. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parseScryptHash(stored);
  if (typeof parsed === 'string') return false;
  const candidate = await derive(secret, parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(candidate, parsed.hash);
}

/** A new device secret: 32 random bytes, base64url (43 characters, safe on a command line and in a URL). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
