/**
 * Clinician sign-in and bearer tokens.
 *
 * Sign-in takes a password and, once a second factor is enrolled, a TOTP code; an account
 * without one cannot sign in (the admin command, which works on the database directly, is
 * the bootstrap path). Failures are counted per username and per remote address: too many
 * for a username lock it (the lock is stored, so it holds across restarts, and even the
 * right password and code do not open it early); too many from an address refuse that
 * address for the window. Every attempt, failure and lockout goes to auth_events.
 *
 * Tokens are 256-bit random, stored as digests, and die 12 h after sign-in or 30 minutes
 * after their last use, whichever is first. Every authenticated request uses the token, and
 * so does every heartbeat of a live session socket opened with it (see liveClinicians.ts):
 * a facilitator in a 90-minute group is not signed out mid-group.
 */
import { ProtocolError, type LoginResponse, type User } from '../../shared/protocol.js';
import { createLogger, errorFields } from '../logger.js';
import { SlidingWindowLimiter } from '../rateLimiter.js';
import type { Clinician } from '../store/clinicians.js';
import type { Store } from '../store/store.js';
import { decoyHash, verifySecret } from './password.js';
import { randomToken, tokenDigest } from './secrets.js';
import { matchTotp } from './totp.js';

const log = createLogger('auth');

export const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;
export const TOKEN_IDLE_MS = 30 * 60 * 1000;

export interface AuthLimits {
  /** Failed sign-ins for one username within `accountWindowMs` that lock it… */
  accountFailures: number;
  accountWindowMs: number;
  /** …for this long. */
  lockoutMs: number;
  /** Failed sign-ins from one address within `addressWindowMs` before RATE_LIMITED. */
  addressFailures: number;
  addressWindowMs: number;
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = {
  accountFailures: 5,
  accountWindowMs: 15 * 60 * 1000,
  lockoutMs: 15 * 60 * 1000,
  // Higher than per account: a clinic's staff may share one NAT address.
  addressFailures: 20,
  addressWindowMs: 15 * 60 * 1000,
};

export interface AuthOptions {
  now?: () => Date;
  limits?: Partial<AuthLimits>;
}

export interface LoginAttempt {
  username: string;
  password: string;
  totp?: string | undefined;
  /** The request's remote address, for the per-address limit and the record. */
  address: string;
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
  logout(token: string, address?: string): boolean;
  /** The active clinician holding this bearer token (the use is recorded); UNAUTHENTICATED otherwise. */
  authenticate(token: string): Clinician;
  /**
   * For a live socket opened with the token of this digest: the clinician while the token
   * is still good (and the check counts as use), undefined once it is not.
   */
  checkLive(tokenHash: string): Clinician | undefined;
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
  const accountFailures = new SlidingWindowLimiter(limits.accountFailures, limits.accountWindowMs, nowMs);
  const addressFailures = new SlidingWindowLimiter(limits.addressFailures, limits.addressWindowMs, nowMs);
  /**
   * Lockouts of usernames that match no account, so that a lockout answer does not tell
   * which usernames exist. Accounts' own lockouts live in the store.
   */
  const phantomLocks = new Map<string, number>();

  const record = (event: string, fields: { subjectId?: string | null; address?: string; detail?: string; actorId?: string }): void => {
    store.audit.record({ event, at: now(), ...fields });
  };

  const lockedUntil = (key: string, clinician: Clinician | undefined): number | undefined => {
    const until = clinician ? (clinician.lockedUntil ? Date.parse(clinician.lockedUntil) : undefined) : phantomLocks.get(key);
    if (until === undefined || until <= nowMs()) {
      if (!clinician) phantomLocks.delete(key);
      return undefined;
    }
    return until;
  };

  /** Counts a failure; locks the username when it reaches the limit (and says so: true). */
  const countFailure = (key: string, clinician: Clinician | undefined, address: string, event: string, reason: string): boolean => {
    addressFailures.hit(address);
    record(event, { subjectId: clinician?.id ?? null, address, detail: reason });
    log.info(event, { clinicianId: clinician?.id, reason });
    if (accountFailures.hit(key) >= limits.accountFailures) {
      accountFailures.reset(key);
      const until = new Date(nowMs() + limits.lockoutMs);
      if (clinician) {
        store.clinicians.setLockedUntil(clinician.id, until);
        record('account.locked', { subjectId: clinician.id, address, detail: `until=${until.toISOString()}` });
        log.warn('account.locked', { clinicianId: clinician.id });
      } else {
        phantomLocks.set(key, until.getTime());
        record('account.locked', { subjectId: null, address, detail: 'unknown-username' });
      }
      return true;
    }
    return false;
  };

  const fail = (key: string, clinician: Clinician | undefined, address: string, reason: string, message = BAD_CREDENTIALS): never => {
    countFailure(key, clinician, address, 'login.failed', reason);
    throw new ProtocolError('UNAUTHENTICATED', message);
  };

  const liveClinician = (tokenHash: string): Clinician | undefined => {
    const token = store.tokens.byHash(tokenHash);
    const t = nowMs();
    if (!token || token.revoked) return undefined;
    if (Date.parse(token.expiresAt) <= t || Date.parse(token.lastUsedAt) + TOKEN_IDLE_MS <= t) return undefined;
    const clinician = store.clinicians.byId(token.clinicianId);
    if (!clinician || !clinician.active) return undefined;
    store.tokens.touch(tokenHash, now());
    return clinician;
  };

  return {
    async login({ username, password, totp, address }) {
      const key = username.trim().toLowerCase();
      if (addressFailures.isBlocked(address)) {
        record('login.rate_limited', { address, detail: 'address' });
        log.warn('login.rate_limited', { scope: 'address' });
        throw new ProtocolError('RATE_LIMITED', 'too many failed sign-ins from this address; try again later');
      }
      const clinician = store.clinicians.byUsername(key);
      const until = lockedUntil(key, clinician);
      if (until !== undefined) {
        record('login.rate_limited', { subjectId: clinician?.id ?? null, address, detail: 'account-locked' });
        log.warn('login.rate_limited', { scope: 'account', clinicianId: clinician?.id });
        throw new ProtocolError(
          'RATE_LIMITED',
          `too many failed sign-ins; this account is locked until ${new Date(until).toISOString()} (an admin can unlock it)`,
        );
      }
      // Verify against a decoy for unknown users so timing does not reveal which exist.
      const passwordOk = await verifySecret(password, clinician?.passwordHash ?? (await decoyHash()));
      if (!clinician) return fail(key, undefined, address, 'unknown-username');
      if (!passwordOk) return fail(key, clinician, address, 'bad-password');
      // An inactive account answers like a wrong password: nothing to learn from trying.
      if (!clinician.active) return fail(key, clinician, address, 'inactive');

      if (!clinician.totpEnrolled) {
        record('login.refused', { subjectId: clinician.id, address, detail: 'no-second-factor' });
        throw new ProtocolError(
          'UNAUTHENTICATED',
          'this account has no second factor yet; an admin must enrol one (npm run admin -- enrol-totp USERNAME)',
        );
      }
      let secret: Buffer | undefined;
      try {
        secret = store.clinicians.totpSecret(clinician.id);
      } catch (err) {
        // Sealed under another records key: nobody can sign in with it, so say so plainly.
        log.error('totp.unreadable', { clinicianId: clinician.id, ...errorFields(err) });
        record('login.refused', { subjectId: clinician.id, address, detail: 'second-factor-unreadable' });
        throw new ProtocolError('UNAUTHENTICATED', 'the second factor cannot be checked (the server\'s records key changed); an admin must enrol it again');
      }
      if (!secret) throw new ProtocolError('INTERNAL', 'something went wrong on the server');
      const code = totp?.trim() ?? '';
      if (code === '') return fail(key, clinician, address, 'no-code', 'enter the 6-digit code from your authenticator app');
      // Accept any in-window step newer than the last one used, then claim it atomically.
      const step = matchTotp(secret, code, nowMs(), null);
      if (step === undefined) return fail(key, clinician, address, 'bad-code');
      if (!store.clinicians.claimTotpStep(clinician.id, step)) {
        return fail(key, clinician, address, 'code-reused', 'that code has already been used; wait for the next one');
      }

      accountFailures.reset(key);
      const token = randomToken();
      const created = now();
      const expires = new Date(created.getTime() + TOKEN_TTL_MS);
      store.tokens.insert(tokenDigest(token), clinician.id, created, expires);
      record('login.ok', { subjectId: clinician.id, address });
      log.info('login.ok', { clinicianId: clinician.id });
      return { token, expiresAt: expires.toISOString(), user: toUser(clinician) };
    },

    async reauth(token, { password, totp, address }) {
      const hash = tokenDigest(token);
      const clinician = liveClinician(hash);
      if (!clinician) throw new ProtocolError('UNAUTHENTICATED', SIGN_IN_AGAIN);
      const key = clinician.username.trim().toLowerCase();
      if (addressFailures.isBlocked(address)) {
        record('reauth.rate_limited', { subjectId: clinician.id, address, detail: 'address' });
        throw new ProtocolError('RATE_LIMITED', 'too many failed attempts from this address; try again later');
      }
      const until = lockedUntil(key, clinician);
      if (until !== undefined) {
        record('reauth.rate_limited', { subjectId: clinician.id, address, detail: 'account-locked' });
        throw new ProtocolError(
          'RATE_LIMITED',
          `too many failed attempts; this account is locked until ${new Date(until).toISOString()} (an admin can unlock it)`,
        );
      }
      const wrong = (reason: string, message = 'the password or code is not right'): never => {
        if (countFailure(key, clinician, address, 'reauth.failed', reason)) {
          // Someone at this console has been guessing: end the sign-in, so the console
          // signs out and forgets its note keys, rather than leave it locked and signed in.
          store.tokens.revoke(hash);
          record('logout', { subjectId: clinician.id, address, detail: 'reauth-lockout' });
          throw new ProtocolError('UNAUTHENTICATED', 'too many failed attempts to unlock: you have been signed out and this account is locked for now');
        }
        throw new ProtocolError('FORBIDDEN', message);
      };
      if (!(await verifySecret(password, clinician.passwordHash))) return wrong('bad-password');
      if (clinician.totpEnrolled) {
        let secret: Buffer | undefined;
        try {
          secret = store.clinicians.totpSecret(clinician.id);
        } catch (err) {
          log.error('totp.unreadable', { clinicianId: clinician.id, ...errorFields(err) });
          throw new ProtocolError('INTERNAL', 'the second factor cannot be checked (the server\'s records key changed)');
        }
        if (!secret) throw new ProtocolError('INTERNAL', 'something went wrong on the server');
        const code = totp?.trim() ?? '';
        if (code === '') return wrong('no-code', 'enter the 6-digit code from your authenticator app');
        const step = matchTotp(secret, code, nowMs(), null);
        if (step === undefined) return wrong('bad-code');
        if (!store.clinicians.claimTotpStep(clinician.id, step)) {
          return wrong('code-reused', 'that code has already been used; wait for the next one');
        }
      }
      accountFailures.reset(key);
      record('reauth.ok', { subjectId: clinician.id, address });
      log.info('reauth.ok', { clinicianId: clinician.id });
      return toUser(clinician);
    },

    logout(token, address) {
      const hash = tokenDigest(token);
      const clinicianId = store.tokens.byHash(hash)?.clinicianId;
      if (!store.tokens.revoke(hash)) return false;
      record('logout', { subjectId: clinicianId ?? null, ...(address ? { address } : {}) });
      log.info('logout', { clinicianId });
      return true;
    },

    authenticate(token) {
      const clinician = liveClinician(tokenDigest(token));
      if (!clinician) throw new ProtocolError('UNAUTHENTICATED', SIGN_IN_AGAIN);
      return clinician;
    },

    checkLive: (tokenHash) => liveClinician(tokenHash),
  };
}
