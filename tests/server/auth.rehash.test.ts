/**
 * Password hashing cost: new passwords at OWASP's scrypt setting, and a password stored at
 * lower parameters rehashed on its owner's next successful sign-in (tests configure lower
 * costs throughout, as `StartOptions.scrypt` does, so the suite stays fast).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthService, type AuthService } from '../../src/server/auth/authService.js';
import { hashSecret, PASSWORD_SCRYPT, verifySecret } from '../../src/server/auth/password.js';
import { base32Encode, newTotpSecret, totp } from '../../src/server/auth/totp.js';
import { setLogLevel } from '../../src/common/logger.js';
import { openStore, type Store } from '../../src/server/store/store.js';

setLogLevel('error');

const OLD = { N: 1024, r: 8, p: 1 };
const CURRENT = { N: 2048, r: 8, p: 1 };
const PASSWORD = 'violet-harbour-teapot';
const ADDRESS = '192.0.2.10';

let dir: string;
let store: Store;
let clock: number;
let auth: AuthService;
let secret: string;
let anaId: string;

const signIn = (password = PASSWORD) => auth.login({ username: 'ana', password, totp: totp(secret, clock), address: ADDRESS });
const storedHash = (): string => store.clinicians.byId(anaId)?.passwordHash ?? '';

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'confidant-rehash-'));
  store = openStore(dir);
  clock = Date.UTC(2026, 10, 24, 9, 0, 0);
  auth = createAuthService(store, { now: () => new Date(clock), scrypt: CURRENT });
  const ana = store.clinicians.create({ username: 'ana', displayName: 'Ana', roles: ['facilitator'], passwordHash: await hashSecret(PASSWORD, OLD) });
  anaId = ana.id;
  const key = newTotpSecret();
  store.clinicians.setTotpSecret(ana.id, key);
  secret = base32Encode(key);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('password hashing parameters', () => {
  it('are OWASP\'s scrypt setting for passwords (N=2^17, r=8, p=1), and new hashes carry them', async () => {
    expect(PASSWORD_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect(await hashSecret('correct horse')).toMatch(/^scrypt\$131072\$8\$1\$/);
  });
});

describe('rehashing on sign-in', () => {
  it('rehashes a password stored below the current parameters, and the next sign-in still works', async () => {
    const before = storedHash();
    await signIn();
    const after = storedHash();
    expect(after).not.toBe(before);
    expect(after.startsWith('scrypt$2048$8$1$')).toBe(true);
    expect(await verifySecret(PASSWORD, after)).toBe(true);
    clock += 30_000;
    expect((await signIn()).user.id).toBe(anaId);
    expect(storedHash()).toBe(after);
  });

  it('leaves the hash alone after a failed sign-in', async () => {
    const before = storedHash();
    await expect(signIn('wrong-password-x')).rejects.toThrow();
    // The right password with a wrong code is a failed sign-in too.
    await expect(auth.login({ username: 'ana', password: PASSWORD, totp: '000000' === totp(secret, clock) ? '111111' : '000000', address: ADDRESS })).rejects.toThrow();
    expect(storedHash()).toBe(before);
  });

  it('does not undo a password reset that lands while the sign-in is rehashing', async () => {
    const signingIn = signIn();
    // An admin resets the password while the old one is being checked and rehashed.
    const reset = await hashSecret('a-brand-new-password', CURRENT);
    store.clinicians.setPasswordHash(anaId, reset);
    await signingIn.catch(() => undefined);
    expect(storedHash()).toBe(reset);
  });
});
