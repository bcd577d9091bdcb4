/**
 * Re-authentication to unlock an idle-locked console: the signed-in clinician's password
 * and code, against the real store with an injected clock. Failures share the sign-in
 * lockout, and every attempt is in the audit log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKEN_IDLE_MS, type AuthService } from '../../src/server/auth/authService.js';
import { tokenDigest } from '../../src/server/auth/secrets.js';
import { totp } from '../../src/server/auth/totp.js';
import { setLogLevel } from '../../src/common/logger.js';
import type { Store } from '../../src/server/store/store.js';
import { ProtocolError } from '../../src/shared/protocol.js';
import { FAST_SCRYPT } from './support/api.js';
import { ANA_PASSWORD as PASSWORD, AUTH_CLOCK_START, codeOf, openAuthWithAna, SIGN_IN_ADDRESS as ADDRESS, type AuthWithAna } from './support/auth.js';

setLogLevel('error');

let bench: AuthWithAna;
let store: Store;
let clock: number;
let auth: AuthService;
let secret: string;
let anaId: string;
let token: string;

const now = (): Date => new Date(clock);
const code = (at = clock): string => totp(secret, at);

const reauth = (overrides: { password?: string; totp?: string | undefined; token?: string } = {}) =>
  auth.reauth(overrides.token ?? token, {
    password: overrides.password ?? PASSWORD,
    totp: 'totp' in overrides ? overrides.totp : code(),
    address: ADDRESS,
  });

beforeEach(async () => {
  clock = AUTH_CLOCK_START;
  bench = await openAuthWithAna('confidant-reauth-', { now, scrypt: FAST_SCRYPT, limits: { accountFailures: 3, lockoutMs: 10 * 60_000, addressFailures: 20 } });
  ({ store, auth, secret, anaId } = bench);
  token = (await auth.login({ username: 'ana', password: PASSWORD, totp: code(), address: ADDRESS })).token;
  clock += 30_000; // the sign-in's code is spent; the next step's is fresh
});

afterEach(() => bench.close());

const events = async () => (await store.audit.list(anaId)).map((e) => [e.event, e.detail ?? null]);

describe('unlocking with the clinician\'s own credentials', () => {
  it('accepts the password and a fresh code, and records it', async () => {
    await expect(reauth()).resolves.toMatchObject({ id: anaId, username: 'ana' });
    expect(await events()).toEqual([
      ['login.ok', null],
      ['reauth.ok', null],
    ]);
  });

  it('refuses a wrong password and a missing code without ending the sign-in', async () => {
    await expect(reauth({ password: 'wrong-password-here' })).rejects.toEqual(new ProtocolError('FORBIDDEN', 'the password or code is not right', { reason: 'unlock-wrong' }));
    await expect(reauth({ totp: undefined })).rejects.toThrow(/6-digit code/);
    expect((await auth.authenticate(token)).id).toBe(anaId);
    expect((await events()).slice(1)).toEqual([
      ['reauth.failed', 'bad-password'],
      ['reauth.failed', 'no-code'],
    ]);
  });

  it('refuses a code already used, the sign-in\'s own included', async () => {
    await expect(reauth({ totp: code(clock - 30_000) })).rejects.toThrow(/already been used/);
    const fresh = code();
    await expect(reauth({ totp: fresh })).resolves.toMatchObject({ id: anaId });
    await expect(reauth({ totp: fresh })).rejects.toThrow(/already been used/);
    expect((await events()).filter(([e]) => e === 'reauth.failed')).toEqual([
      ['reauth.failed', 'code-reused'],
      ['reauth.failed', 'code-reused'],
    ]);
  });

  it('counts failures towards the sign-in lockout, and the locking failure ends the sign-in', async () => {
    expect(await codeOf(reauth({ password: 'wrong-password-1' }))).toBe('FORBIDDEN');
    expect(await codeOf(auth.login({ username: 'ana', password: 'wrong-password-2', totp: code(), address: ADDRESS }))).toBe('UNAUTHENTICATED');
    await expect(reauth({ password: 'wrong-password-3' })).rejects.toThrow(/you have been signed out/);
    await expect(auth.authenticate(token)).rejects.toThrow(ProtocolError);
    expect((await store.tokens.byHash(tokenDigest(token)))?.revoked).toBeTruthy();
    expect((await events()).map(([e]) => e)).toEqual(['login.ok', 'reauth.failed', 'login.failed', 'reauth.failed', 'account.locked', 'logout']);
  });

  it('is refused while the account is locked, even with the right password and code', async () => {
    await store.clinicians.setLockedUntil(anaId, new Date(clock + 60_000));
    expect(await codeOf(reauth())).toBe('RATE_LIMITED');
    expect((await events()).at(-1)).toEqual(['reauth.rate_limited', 'account-locked']);
  });

  it('needs a live token: one that expired or was revoked answers UNAUTHENTICATED', async () => {
    expect(await codeOf(reauth({ token: 'not-a-token' }))).toBe('UNAUTHENTICATED');
    clock += TOKEN_IDLE_MS + 1;
    expect(await codeOf(reauth())).toBe('UNAUTHENTICATED');
  });
});
