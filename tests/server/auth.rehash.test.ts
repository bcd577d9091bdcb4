/**
 * Password hashing cost: new passwords at OWASP's scrypt setting, and a password stored at
 * lower parameters rehashed on its owner's next successful sign-in (tests configure lower
 * costs throughout, as `StartOptions.scrypt` does, so the suite stays fast).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret, PASSWORD_SCRYPT, verifySecret } from '../../src/server/auth/password.js';
import { totp } from '../../src/server/auth/totp.js';
import { setLogLevel } from '../../src/common/logger.js';
import { FAST_SCRYPT as OLD } from './support/api.js';
import { ANA_PASSWORD as PASSWORD, AUTH_CLOCK_START, openAuthWithAna, SIGN_IN_ADDRESS as ADDRESS, type AuthWithAna } from './support/auth.js';

setLogLevel('error');

const CURRENT = { N: 2048, r: 8, p: 1 };

let bench: AuthWithAna;
let clock: number;

const signIn = (password = PASSWORD) => bench.auth.login({ username: 'ana', password, totp: totp(bench.secret, clock), address: ADDRESS });
const storedHash = async (): Promise<string> => (await bench.store.clinicians.byId(bench.anaId))?.passwordHash ?? '';

beforeEach(async () => {
  clock = AUTH_CLOCK_START;
  bench = await openAuthWithAna('confidant-rehash-', { now: () => new Date(clock), scrypt: CURRENT }, OLD);
});

afterEach(() => bench.close());

describe('password hashing parameters', () => {
  it('are OWASP\'s scrypt setting for passwords (N=2^17, r=8, p=1), and new hashes carry them', async () => {
    expect(PASSWORD_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect(await hashSecret('correct horse')).toMatch(/^scrypt\$131072\$8\$1\$/);
  });
});

describe('rehashing on sign-in', () => {
  it('rehashes a password stored below the current parameters, and the next sign-in still works', async () => {
    const before = await storedHash();
    await signIn();
    const after = await storedHash();
    expect(after).not.toBe(before);
    expect(after.startsWith('scrypt$2048$8$1$')).toBe(true);
    expect(await verifySecret(PASSWORD, after)).toBe(true);
    clock += 30_000;
    expect((await signIn()).user.id).toBe(bench.anaId);
    expect(await storedHash()).toBe(after);
  });

  it('leaves the hash alone after a failed sign-in', async () => {
    const before = await storedHash();
    await expect(signIn('wrong-password-x')).rejects.toThrow();
    // The right password with a wrong code is a failed sign-in too.
    await expect(bench.auth.login({ username: 'ana', password: PASSWORD, totp: '000000' === totp(bench.secret, clock) ? '111111' : '000000', address: ADDRESS })).rejects.toThrow();
    expect(await storedHash()).toBe(before);
  });

  it('does not undo a password reset that lands while the sign-in is rehashing', async () => {
    const signingIn = signIn();
    // An admin resets the password while the old one is being checked and rehashed.
    const reset = await hashSecret('a-brand-new-password', CURRENT);
    await bench.store.clinicians.setPasswordHash(bench.anaId, reset);
    await signingIn.catch(() => undefined);
    expect(await storedHash()).toBe(reset);
  });
});
