/**
 * Sign-in, lockout and tokens against the real store, with an injected clock: nothing here
 * sleeps, and time moves by assignment.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthService, TOKEN_IDLE_MS, TOKEN_TTL_MS, type AuthService } from '../../src/server/auth/authService.js';
import { hashSecret } from '../../src/server/auth/password.js';
import { tokenDigest } from '../../src/server/auth/secrets.js';
import { totp } from '../../src/server/auth/totp.js';
import { setLogLevel } from '../../src/common/logger.js';
import { databaseOf, openStore, type Store } from '../../src/server/store/store.js';
import { ProtocolError } from '../../src/shared/protocol.js';
import { FAST_SCRYPT } from './support/api.js';
import { ANA_PASSWORD as PASSWORD, AUTH_CLOCK_START, codeOf, openAuthWithAna, SIGN_IN_ADDRESS as ADDRESS, type AuthWithAna } from './support/auth.js';

setLogLevel('error');

let bench: AuthWithAna;
let dir: string;
let store: Store;
let clock: number;
let auth: AuthService;
let secret: string;
let anaId: string;

const now = (): Date => new Date(clock);
const advance = (ms: number): void => {
  clock += ms;
};

function attempt(overrides: { password?: string; totp?: string | undefined; address?: string; username?: string } = {}) {
  return auth.login({
    username: overrides.username ?? 'ana',
    password: overrides.password ?? PASSWORD,
    totp: 'totp' in overrides ? overrides.totp : totp(secret, clock),
    address: overrides.address ?? ADDRESS,
  });
}

beforeEach(async () => {
  clock = AUTH_CLOCK_START;
  bench = await openAuthWithAna('confidant-auth-', { now, scrypt: FAST_SCRYPT, limits: { accountFailures: 3, lockoutMs: 10 * 60_000, addressFailures: 6 } });
  ({ dir, store, auth, secret, anaId } = bench);
});

afterEach(() => bench.close());

describe('two-factor sign-in', () => {
  it('signs in with the password and the current code, and records it', async () => {
    const res = await attempt();
    expect(res.user.username).toBe('ana');
    expect(Date.parse(res.expiresAt)).toBe(clock + TOKEN_TTL_MS);
    expect((await store.audit.list(anaId)).map((e) => e.event)).toEqual(['login.ok']);
  });

  it('matches the username without regard to case', async () => {
    expect(await codeOf(attempt({ username: 'ANA' }))).toBe('OK');
  });

  it('refuses a code that has been used once, even a second later', async () => {
    const code = totp(secret, clock);
    expect(await codeOf(attempt({ totp: code }))).toBe('OK');
    advance(1000);
    await expect(attempt({ totp: code })).rejects.toThrow(/already been used/);
    // …and an older code still inside the window, too.
    expect(await codeOf(attempt({ totp: totp(secret, clock - 30_000) }))).toBe('UNAUTHENTICATED');
    // The next step's code works.
    advance(30_000);
    expect(await codeOf(attempt())).toBe('OK');
  });

  it('refuses a wrong code and a missing one', async () => {
    const wrong = String((Number(totp(secret, clock)) + 1) % 1_000_000).padStart(6, '0');
    await expect(attempt({ totp: wrong })).rejects.toThrow('the username, password or code is not right');
    await expect(attempt({ totp: undefined })).rejects.toThrow(/6-digit code/);
    await expect(attempt({ totp: '' })).rejects.toThrow(/6-digit code/);
    const failures = (await store.audit.list(anaId)).filter((e) => e.event === 'login.failed');
    expect(failures.map((e) => [e.detail, e.address])).toEqual([
      ['bad-code', ADDRESS],
      ['no-code', ADDRESS],
      ['no-code', ADDRESS],
    ]);
  });

  it('refuses a code from two steps away (clock drift beyond one step)', async () => {
    expect(await codeOf(attempt({ totp: totp(secret, clock + 60_000) }))).toBe('UNAUTHENTICATED');
    expect(await codeOf(attempt({ totp: totp(secret, clock - 60_000) }))).toBe('UNAUTHENTICATED');
  });

  it('answers a wrong password, an unknown user and an inactive account alike', async () => {
    const bob = await store.clinicians.create({ username: 'bob', displayName: 'Bob', roles: ['facilitator'], passwordHash: await hashSecret(PASSWORD, FAST_SCRYPT) });
    await store.clinicians.setActive(bob.id, false);
    const messages = await Promise.all(
      [attempt({ password: 'wrong-password-x' }), attempt({ username: 'ghost' }), attempt({ username: 'bob' })].map((p) =>
        p.then(
          () => 'OK',
          (e: Error) => e.message,
        ),
      ),
    );
    expect(new Set(messages)).toEqual(new Set(['the username, password or code is not right']));
  });

  it('refuses an account without a second factor, saying an admin must enrol one', async () => {
    await store.clinicians.create({ username: 'cy', displayName: 'Cy', roles: ['facilitator'], passwordHash: await hashSecret(PASSWORD, FAST_SCRYPT) });
    await expect(attempt({ username: 'cy', totp: '123456' })).rejects.toThrow(/no second factor yet; an admin must enrol one/);
  });

  it('refuses, plainly, a second factor sealed under another records key', async () => {
    const other = openStore(dir, Buffer.alloc(32, 7));
    try {
      const otherAuth = createAuthService(other, { now });
      await expect(
        otherAuth.login({ username: 'ana', password: PASSWORD, totp: totp(secret, clock), address: ADDRESS }),
      ).rejects.toThrow(/records key changed/);
    } finally {
      await other.close();
    }
  });
});

describe('lockout', () => {
  it('locks the account after repeated failures, even against the right password and code, until the window ends', async () => {
    for (let i = 0; i < 3; i++) expect(await codeOf(attempt({ password: 'wrong-password-x' }))).toBe('UNAUTHENTICATED');
    const locked = (await store.clinicians.byId(anaId))?.lockedUntil;
    expect(locked).toBe(new Date(clock + 10 * 60_000).toISOString());
    expect(await codeOf(attempt())).toBe('RATE_LIMITED');
    advance(9 * 60_000);
    await expect(attempt()).rejects.toThrow(/locked until/);
    advance(60_000);
    expect(await codeOf(attempt())).toBe('OK');
    const events = (await store.audit.list(anaId)).map((e) => e.event);
    expect(events.filter((e) => e === 'login.failed')).toHaveLength(3);
    expect(events).toContain('account.locked');
    expect(events.filter((e) => e === 'login.rate_limited')).toHaveLength(2);
  });

  it('counts wrong codes toward the lockout too', async () => {
    for (let i = 0; i < 3; i++) await codeOf(attempt({ totp: '000000' === totp(secret, clock) ? '111111' : '000000' }));
    expect(await codeOf(attempt())).toBe('RATE_LIMITED');
  });

  it('locks an unknown username the same way, so a lockout does not reveal which accounts exist', async () => {
    for (let i = 0; i < 3; i++) await codeOf(attempt({ username: 'ghost' }));
    await expect(attempt({ username: 'ghost' })).rejects.toThrow(/locked until/);
  });

  it('refuses an address after repeated failures across usernames, whatever the account', async () => {
    const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    for (const u of users) expect(await codeOf(attempt({ username: u }))).toBe('UNAUTHENTICATED');
    await expect(attempt()).rejects.toThrow(/from this address/);
    // Another address is not affected.
    expect(await codeOf(attempt({ address: '198.51.100.7' }))).toBe('OK');
    // The window slides on.
    advance(16 * 60_000);
    expect(await codeOf(attempt())).toBe('OK');
  });
});

describe('tokens', () => {
  it('expire 12 hours after sign-in even when used all along', async () => {
    const { token } = await attempt();
    for (let t = 0; t < 12 * 60; t += 20) {
      advance(20 * 60_000);
      if (clock < Date.UTC(2026, 10, 24, 9, 0, 0) + TOKEN_TTL_MS) expect((await auth.authenticate(token)).id).toBe(anaId);
    }
    await expect(auth.authenticate(token)).rejects.toThrow(/sign in again/);
  });

  it('expire after 30 minutes without use, and every use pushes that back', async () => {
    const { token } = await attempt();
    advance(TOKEN_IDLE_MS - 1000);
    expect((await auth.authenticate(token)).id).toBe(anaId);
    advance(TOKEN_IDLE_MS - 1000);
    expect((await auth.authenticate(token)).id).toBe(anaId);
    advance(TOKEN_IDLE_MS);
    await expect(auth.authenticate(token)).rejects.toThrow(ProtocolError);
  });

  it('count a live socket\'s heartbeat as use', async () => {
    const { token } = await attempt();
    for (let i = 0; i < 8; i++) {
      advance(15 * 60_000);
      expect((await auth.checkLive(tokenDigest(token)))?.id).toBe(anaId);
    }
    expect((await auth.authenticate(token)).id).toBe(anaId);
  });

  it('die on sign-out', async () => {
    const { token } = await attempt();
    expect(await auth.logout(token, ADDRESS)).toBe(true);
    await expect(auth.authenticate(token)).rejects.toThrow(/sign in again/);
    expect(await auth.checkLive(tokenDigest(token))).toBeUndefined();
    expect(await auth.logout(token)).toBe(false);
  });

  it('die with their account\'s deactivation', async () => {
    const { token } = await attempt();
    await store.clinicians.setActive(anaId, false);
    await expect(auth.authenticate(token)).rejects.toThrow(ProtocolError);
  });

  it('are stored only as digests', async () => {
    const { token } = await attempt();
    const rows = databaseOf(store).prepare('SELECT token_hash FROM tokens').all() as { token_hash: string }[];
    expect(rows).toEqual([{ token_hash: tokenDigest(token) }]);
  });
});
