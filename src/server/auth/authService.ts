/**
 * Clinician sign-in and bearer tokens. Tokens are opaque, random and stored hashed; they
 * expire after TOKEN_TTL_MS. Failed sign-ins are rate-limited per username.
 */
import { ProtocolError, type LoginResponse, type User } from '../../shared/protocol.js';
import { createLogger } from '../logger.js';
import { SlidingWindowLimiter } from '../rateLimiter.js';
import type { Clinician } from '../store/clinicians.js';
import type { Store } from '../store/store.js';
import { decoyHash, verifySecret } from './password.js';
import { randomToken, tokenDigest } from './secrets.js';

const log = createLogger('auth');

export const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;
/** Failed sign-ins per username within LOGIN_WINDOW_MS before RATE_LIMITED. */
export const LOGIN_FAILURE_LIMIT = 10;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

const BAD_CREDENTIALS = 'the username or password is not right';

export interface AuthService {
  login(username: string, password: string): Promise<LoginResponse>;
  logout(token: string): void;
  /** The active clinician holding this bearer token; UNAUTHENTICATED otherwise. */
  authenticate(token: string): Clinician;
}

export function toUser(c: Clinician): User {
  return { id: c.id, username: c.username, displayName: c.displayName, roles: c.roles };
}

export function createAuthService(store: Store, now: () => Date = () => new Date()): AuthService {
  const failures = new SlidingWindowLimiter(LOGIN_FAILURE_LIMIT, LOGIN_WINDOW_MS);

  return {
    async login(username, password) {
      const key = username.toLowerCase();
      if (failures.isBlocked(key)) {
        log.warn('login.rate_limited');
        throw new ProtocolError('RATE_LIMITED', 'too many attempts; try again later');
      }
      const clinician = store.clinicians.byUsername(username);
      // Verify against a decoy for unknown users so timing does not reveal which exist.
      const ok = await verifySecret(password, clinician?.passwordHash ?? (await decoyHash()));
      if (!clinician || !ok || !clinician.active) {
        failures.hit(key);
        log.info('login.failed');
        throw new ProtocolError('UNAUTHENTICATED', BAD_CREDENTIALS);
      }
      const token = randomToken();
      const created = now();
      const expires = new Date(created.getTime() + TOKEN_TTL_MS);
      store.tokens.insert(tokenDigest(token), clinician.id, created, expires);
      log.info('login.ok', { clinicianId: clinician.id });
      return { token, expiresAt: expires.toISOString(), user: toUser(clinician) };
    },

    logout(token) {
      if (store.tokens.revoke(tokenDigest(token))) log.info('logout');
    },

    authenticate(token) {
      const record = store.tokens.byHash(tokenDigest(token));
      if (!record || record.revoked || Date.parse(record.expiresAt) <= now().getTime()) {
        throw new ProtocolError('UNAUTHENTICATED', 'sign in again');
      }
      const clinician = store.clinicians.byId(record.clinicianId);
      if (!clinician || !clinician.active) throw new ProtocolError('UNAUTHENTICATED', 'sign in again');
      return clinician;
    },
  };
}
