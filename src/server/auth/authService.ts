/**
 * Clinician sign-in and bearer tokens.
 *
 * Sign-in takes a password and, once a second factor is enrolled, a TOTP code; an account
 * without one cannot sign in (the admin command, which works on the database directly, is
 * the bootstrap path). The attempts each check holds, per username and per remote address,
 * and the lockouts they lead to are signInAttempts.ts's (even the right password and code do
 * not open a lock early). One account is checked one attempt at a time
 * (limits/oneAtATime.ts), so no number of parallel requests gets more checks than the limits
 * allow, or stalls another address's sign-in behind them. Every attempt, failure and lockout
 * goes to the audit log.
 *
 * Tokens are 256-bit random, stored as digests, and die 12 h after sign-in or 30 minutes
 * after their last use, whichever is first. Every authenticated request uses the token, and
 * so does every heartbeat of a live session socket opened with it (see accounts/liveClinicians.ts):
 * a facilitator in a 90-minute group is not signed out mid-group.
 */
import { ProtocolError, type PlainErrorReason, type LoginResponse, type User } from '../../shared/protocol.js';
import { HashingGate } from '../limits/hashingGate.js';
import { OneAtATime } from '../limits/oneAtATime.js';
import { createLogger, errorFields } from '../../common/logger.js';
import type { Clinician } from '../store/clinicians.js';
import { storageError } from '../store/storageErrors.js';
import type { Store } from '../store/store.js';
import { needsRehash, PASSWORD_SCRYPT, type ScryptParams } from './password.js';
import { randomToken, tokenDigest } from './secrets.js';
import { createSignInAttempts, DEFAULT_AUTH_LIMITS, type AuditRecorder, type AuthLimits, type Held } from './signInAttempts.js';
import { matchTotp } from './totp.js';

const log = createLogger('auth');

export const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;
export const TOKEN_IDLE_MS = 30 * 60 * 1000;

export { DEFAULT_AUTH_LIMITS, type AuthLimits };

export interface AuthOptions {
  now?: () => Date;
  limits?: Partial<AuthLimits>;
  /** Where password checks wait their turn; the server shares one with passcode checks. */
  hashing?: HashingGate;
  /** The current password hashing parameters: stored hashes below them are rehashed at sign-in. */
  scrypt?: ScryptParams;
}

export interface LoginAttempt {
  username: string;
  password: string;
  totp?: string | undefined;
  /** The request's remote address, for the per-address limit and the record. */
  address: string;
  /** The console workstation the sign-in says it comes from, for the record (`X-Confidant-Device`). */
  device?: string | null;
}

export interface ReauthAttempt {
  password: string;
  totp?: string | undefined;
  address: string;
}

export interface AuthService {
  login(attempt: LoginAttempt): Promise<LoginResponse>;
  /**
   * The clinician holding `token` proves it is still them (password, and a code when they
   * have a second factor) to unlock an idle-locked console. Failures count towards the
   * same lockout as sign-ins and answer FORBIDDEN (the sign-in itself is still good); the
   * failure that locks the account also ends this sign-in (UNAUTHENTICATED).
   */
  reauth(token: string, attempt: ReauthAttempt): Promise<User>;
  /** Revokes the token; false if it was not a live one. */
  logout(token: string, address?: string): Promise<boolean>;
  /** The active clinician holding this bearer token (the use is recorded); UNAUTHENTICATED otherwise. */
  authenticate(token: string): Promise<Clinician>;
  /**
   * For a live socket opened with the token of this digest: the clinician while the token
   * is still good (and the check counts as use), undefined once it is not.
   */
  checkLive(tokenHash: string): Promise<Clinician | undefined>;
}

const BAD_CREDENTIALS = 'the username, password or code is not right';
const SIGN_IN_AGAIN = 'sign in again';

export function toUser(c: Clinician): User {
  return { id: c.id, username: c.username, displayName: c.displayName, roles: c.roles };
}

export function createAuthService(store: Store, options: AuthOptions = {}): AuthService {
  const now = options.now ?? (() => new Date());
  const limits: AuthLimits = { ...DEFAULT_AUTH_LIMITS, ...options.limits };
  const nowMs = (): number => now().getTime();
  const scrypt = options.scrypt ?? PASSWORD_SCRYPT;
  const hashing = options.hashing ?? new HashingGate();
  const checking = new OneAtATime();
  const record: AuditRecorder = async (event, fields) => {
    await store.audit.record({ event, at: now(), ...fields });
  };

  const { lockedUntil, checkPassword, succeeded, refusedAfterCheck, countFailure } = createSignInAttempts({
    store,
    limits,
    nowMs,
    hashing,
    scrypt,
    record,
  });

  /**
   * A clinician's password checked out and the sign-in succeeded: if its hash is below the
   * current parameters, replace it (at the gate like any hash). A failure here costs the
   * clinician nothing: the next sign-in tries again.
   */
  const rehashIfOld = async (clinician: Clinician, password: string, address: string): Promise<void> => {
    if (!needsRehash(clinician.passwordHash, scrypt)) return;
    try {
      const slot = await hashing.acquire(address);
      let fresh: string;
      try {
        fresh = await slot.hash(password, scrypt);
      } finally {
        slot.release();
      }
      // Compare-and-set: a password reset that landed meanwhile wins. Not audited: the
      // password is the same, only its storage got stronger.
      if (await store.clinicians.replacePasswordHash(clinician.id, clinician.passwordHash, fresh)) {
        log.info('password.rehashed', { clinicianId: clinician.id, N: scrypt.N, r: scrypt.r, p: scrypt.p });
      }
    } catch (err) {
      log.warn('password.rehash_failed', { clinicianId: clinician.id, ...errorFields(err) });
    }
  };

  const liveClinician = async (tokenHash: string): Promise<Clinician | undefined> => {
    const token = await store.tokens.byHash(tokenHash);
    const t = nowMs();
    if (!token || token.revoked) return undefined;
    if (Date.parse(token.expiresAt) <= t || Date.parse(token.lastUsedAt) + TOKEN_IDLE_MS <= t) return undefined;
    const clinician = await store.clinicians.byId(token.clinicianId);
    if (!clinician || !clinician.active) return undefined;
    await store.tokens.touch(tokenHash, now());
    return clinician;
  };

  /**
   * The authenticator code, after the password passed: it must match a step in the window
   * newer than the last one used, and that step is claimed atomically, so a code works once.
   * `fail` counts and refuses a wrong or missing code; `unreadable` refuses when the secret is
   * sealed under another records key (each caller says so in its own words).
   */
  const checkSecondFactor = async (
    clinician: Clinician,
    held: Held,
    totp: string | undefined,
    fail: (reason: string, message?: string, why?: PlainErrorReason) => Promise<never>,
    unreadable: () => Promise<never>,
  ): Promise<void> => {
    let secret: Buffer | undefined;
    try {
      secret = await store.clinicians.totpSecret(clinician.id);
    } catch (err) {
      if (storageError(err)) throw err;
      await refusedAfterCheck(held);
      log.error('totp.unreadable', { clinicianId: clinician.id, ...errorFields(err) });
      return await unreadable();
    }
    if (!secret) throw new ProtocolError('INTERNAL', 'something went wrong on the server', { reason: 'server-failed' });
    const code = totp?.trim() ?? '';
    if (code === '') return await fail('no-code', 'enter the 6-digit code from your authenticator app', 'code-missing');
    const step = matchTotp(secret, code, nowMs(), null);
    if (step === undefined) return await fail('bad-code');
    if (!(await store.clinicians.claimTotpStep(clinician.id, step))) return await fail('code-reused', 'that code has already been used; wait for the next one', 'code-reused');
  };

  /** The account's one check at a time; RATE_LIMITED while another is in flight. */
  const claimAccount = async (key: string, onBusy: () => Promise<void>): Promise<() => void> => {
    const release = checking.claim(key);
    if (!release) {
      await onBusy();
      throw new ProtocolError('RATE_LIMITED', 'another attempt for this account is being checked; try again in a moment', { reason: 'sign-in-busy' });
    }
    return release;
  };

  return {
    async login({ username, password, totp, address, device = null }) {
      const key = username.trim().toLowerCase();
      const release = await claimAccount(key, async () => {
        await record('login.rate_limited', { address, detail: 'account-busy' });
        log.warn('login.rate_limited', { scope: 'account-busy' });
      });
      try {
        const clinician = await store.clinicians.byUsername(key);
        const until = await lockedUntil(key, clinician);
        if (until !== undefined) {
          await record('login.rate_limited', { subjectId: clinician?.id ?? null, address, detail: 'account-locked' });
          log.warn('login.rate_limited', { scope: 'account', clinicianId: clinician?.id });
          throw new ProtocolError(
            'RATE_LIMITED',
            `too many failed sign-ins; this account is locked until ${new Date(until).toISOString()} (an admin can unlock it)`,
            { reason: 'sign-in-locked', params: { until: new Date(until).toISOString() } },
          );
        }
        const held = await checkPassword(key, clinician, password, address, async (scope) => {
          await record('login.rate_limited', { subjectId: clinician?.id ?? null, address, detail: scope === 'busy' ? 'hashing-busy' : scope });
          log.warn('login.rate_limited', { scope });
          return new ProtocolError(
            'RATE_LIMITED',
            scope === 'address'
              ? 'too many failed sign-ins from this address; try again later'
              : scope === 'busy'
                ? 'too many sign-ins at once; try again in a moment'
                : 'too many failed sign-ins for this account; try again later',
            { reason: scope === 'busy' ? 'sign-in-busy' : 'sign-in-too-many' },
          );
        });
        const fail = async (reason: string, message = BAD_CREDENTIALS, why: PlainErrorReason = 'sign-in-not-recognised'): Promise<never> => {
          await countFailure(key, clinician, address, held, 'login.failed', reason);
          throw new ProtocolError('UNAUTHENTICATED', message, { reason: why });
        };
        if (!clinician) return await fail('unknown-username');
        if (!held.passwordOk) return await fail('bad-password');
        // An inactive account answers like a wrong password: nothing to learn from trying.
        if (!clinician.active) return await fail('inactive');

        if (!clinician.totpEnrolled) {
          await refusedAfterCheck(held);
          await record('login.refused', { subjectId: clinician.id, address, detail: 'no-second-factor' });
          throw new ProtocolError(
            'UNAUTHENTICATED',
            'this account has no second factor yet; an admin must enrol one (npm run admin -- enrol-totp USERNAME)',
            { reason: 'no-second-factor' },
          );
        }
        await checkSecondFactor(clinician, held, totp, fail, async () => {
          // Sealed under another records key: nobody can sign in with it, so say so plainly.
          await record('login.refused', { subjectId: clinician.id, address, detail: 'second-factor-unreadable' });
          throw new ProtocolError('UNAUTHENTICATED', 'the second factor cannot be checked (the server\'s records key changed); an admin must enrol it again', {
            reason: 'second-factor-unreadable',
          });
        });

        await succeeded(key, held);
        await rehashIfOld(clinician, password, address);
        const token = randomToken();
        const created = now();
        const expires = new Date(created.getTime() + TOKEN_TTL_MS);
        await store.tokens.insert(tokenDigest(token), clinician.id, created, expires);
        await record('login.ok', { subjectId: clinician.id, address, deviceId: device });
        log.info('login.ok', { clinicianId: clinician.id });
        return { token, expiresAt: expires.toISOString(), user: toUser(clinician) };
      } finally {
        release();
      }
    },

    async reauth(token, { password, totp, address }) {
      const hash = tokenDigest(token);
      const clinician = await liveClinician(hash);
      if (!clinician) throw new ProtocolError('UNAUTHENTICATED', SIGN_IN_AGAIN, { reason: 'sign-in-again' });
      const key = clinician.username.trim().toLowerCase();
      const release = await claimAccount(key, async () => {
        await record('reauth.rate_limited', { subjectId: clinician.id, address, detail: 'account-busy' });
      });
      try {
        const until = await lockedUntil(key, clinician);
        if (until !== undefined) {
          await record('reauth.rate_limited', { subjectId: clinician.id, address, detail: 'account-locked' });
          throw new ProtocolError(
            'RATE_LIMITED',
            `too many failed attempts; this account is locked until ${new Date(until).toISOString()} (an admin can unlock it)`,
            { reason: 'sign-in-locked', params: { until: new Date(until).toISOString() } },
          );
        }
        const held = await checkPassword(key, clinician, password, address, async (scope) => {
          await record('reauth.rate_limited', { subjectId: clinician.id, address, detail: scope === 'busy' ? 'hashing-busy' : scope });
          return new ProtocolError(
            'RATE_LIMITED',
            scope === 'address'
              ? 'too many failed attempts from this address; try again later'
              : scope === 'busy'
                ? 'too many attempts at once; try again in a moment'
                : 'too many failed attempts for this account; try again later',
            { reason: scope === 'busy' ? 'sign-in-busy' : 'sign-in-too-many' },
          );
        });
        const wrong = async (reason: string, message = 'the password or code is not right', why: PlainErrorReason = 'unlock-wrong'): Promise<never> => {
          if (await countFailure(key, clinician, address, held, 'reauth.failed', reason)) {
            // Someone at this console has been guessing: end the sign-in, so the console
            // signs out and forgets its note keys, rather than leave it locked and signed in.
            await store.tokens.revoke(hash);
            await record('logout', { subjectId: clinician.id, address, detail: 'reauth-lockout' });
            throw new ProtocolError('UNAUTHENTICATED', 'too many failed attempts to unlock: you have been signed out and this account is locked for now', {
              reason: 'unlock-locked-out',
            });
          }
          throw new ProtocolError('FORBIDDEN', message, { reason: why });
        };
        if (!held.passwordOk) return await wrong('bad-password');
        if (clinician.totpEnrolled) {
          await checkSecondFactor(clinician, held, totp, wrong, async () => {
            throw new ProtocolError('INTERNAL', 'the second factor cannot be checked (the server\'s records key changed)', { reason: 'second-factor-unreadable' });
          });
        }
        await succeeded(key, held);
        await record('reauth.ok', { subjectId: clinician.id, address });
        log.info('reauth.ok', { clinicianId: clinician.id });
        return toUser(clinician);
      } finally {
        release();
      }
    },

    async logout(token, address) {
      const hash = tokenDigest(token);
      const clinicianId = (await store.tokens.byHash(hash))?.clinicianId;
      if (!(await store.tokens.revoke(hash))) return false;
      await record('logout', { subjectId: clinicianId ?? null, ...(address ? { address } : {}) });
      log.info('logout', { clinicianId });
      return true;
    },

    async authenticate(token) {
      const clinician = await liveClinician(tokenDigest(token));
      if (!clinician) throw new ProtocolError('UNAUTHENTICATED', SIGN_IN_AGAIN, { reason: 'sign-in-again' });
      return clinician;
    },

    checkLive: (tokenHash) => liveClinician(tokenHash),
  };
}
