import { describe, expect, it } from 'vitest';
import { hashSecret, verifySecret } from '../../src/server/auth/password.js';
import { randomToken, tokenDigest } from '../../src/server/auth/secrets.js';

describe('password hashing', () => {
  it('stores scrypt with its parameters and a per-hash salt', async () => {
    const a = await hashSecret('correct horse');
    const b = await hashSecret('correct horse');
    expect(a).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('verifies the right secret and rejects a wrong one', async () => {
    const h = await hashSecret('correct horse');
    expect(await verifySecret('correct horse', h)).toBe(true);
    expect(await verifySecret('correct horsf', h)).toBe(false);
    expect(await verifySecret('', h)).toBe(false);
  });

  it('honours the parameters stored with an older hash', async () => {
    const h = await hashSecret('s3cret', { N: 1024, r: 8, p: 1 });
    expect(h.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifySecret('s3cret', h)).toBe(true);
  });

  it('treats a malformed or absurd stored hash as a mismatch', async () => {
    expect(await verifySecret('x', 'plaintext')).toBe(false);
    expect(await verifySecret('x', 'scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
  });
});

describe('tokens', () => {
  it('are 32 random bytes in base64url and stored as a SHA-256 digest', () => {
    const t = randomToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenDigest(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenDigest(t)).not.toContain(t);
  });
});
