import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret, parseScryptHash, verifySecret } from '../../../gateway/security/scrypt-secret';

describe('device secrets hashed with scrypt', () => {
  it('stores scrypt$16384$8$1$salt$hash with a 16-byte salt and a 32-byte key that an independent scrypt reproduces', async () => {
    const stored = await hashSecret('correct horse battery staple');
    const [name, N, r, p, salt, hash] = stored.split('$');
    expect([name, N, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(32);
    const again = scryptSync('correct horse battery staple', Buffer.from(salt!, 'base64'), 32, { N: 16_384, r: 8, p: 1 });
    expect(again.toString('base64')).toBe(hash);
  });

  it('verifies the right secret and refuses a one-character change and an empty one', async () => {
    const stored = await hashSecret('s3cret-for-pump-1');
    expect(await verifySecret('s3cret-for-pump-1', stored)).toBe(true);
    expect(await verifySecret('s3cret-for-pump-2', stored)).toBe(false);
    expect(await verifySecret('', stored)).toBe(false);
  });

  it('salts each hash, so the same secret never hashes the same twice', async () => {
    expect(await hashSecret('same')).not.toBe(await hashSecret('same'));
  });

  it('treats a malformed or tampered stored hash as a mismatch instead of throwing', async () => {
    expect(await verifySecret('x', 'plain-text-secret')).toBe(false);
    expect(await verifySecret('x', 'scrypt$16384$8$1$AAAA$AAAA')).toBe(false); // salt and hash too short
  });

  it.each([
    ['scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', /power of two/],
    ['scrypt$2147483648$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', /power of two from 1024/],
    ['scrypt$16384$64$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', /r must be/],
    ['bcrypt$10$abc', /expected scrypt\$N\$r\$p\$salt\$hash/],
  ])('refuses cost parameters a tampered registry could use to exhaust memory: %s', (text, reason) => {
    expect(parseScryptHash(text)).toMatch(reason);
  });

  it('generates 256-bit URL-safe secrets', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });
});
