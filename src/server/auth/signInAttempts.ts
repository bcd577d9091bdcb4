/**
 * The attempts a clinician's password check holds, for sign-in and for unlocking a locked
 * console alike: counted per username and per remote address before the password is checked
 * (limits/attemptLimiter.ts), in the database, so parallel requests spread over any number of
 * server processes cannot get more checks than the limits allow; a failure keeps its count, a
 * success gives it back. Too many for a username lock it (stored on the account; a username
 * that matches no account is locked on record the same way, so a lockout does not tell which
 * usernames exist); too many from an address refuse that address for the window. Every
 * password check waits its turn at the hashing gate (limits/hashingGate.ts).
 */
import { ProtocolError } from '../../shared/protocol.js';
import type { Reservation } from '../limits/attemptLimiter.js';
import type { HashingGate, HashingSlot } from '../limits/hashingGate.js';
import { createLogger } from '../../common/logger.js';
import { attemptLimiter, keyLocks } from '../limits/storedAttempts.js';
import type { Clinician } from '../store/clinicians.js';
import type { Store } from '../store/store.js';
import { decoyHash, type ScryptParams } from './password.js';

const log = createLogger('auth');

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

/** The attempts a password check holds: kept when it fails, given back when it succeeds. */
export interface Held {
  account: Reservation;
  address: Reservation;
  passwordOk: boolean;
}

export type AuditRecorder = (
  event: string,
  fields: { subjectId?: string | null; address?: string; detail?: string; actorId?: string; deviceId?: string | null },
) => Promise<void>;

export interface SignInAttemptsDeps {
  store: Store;
  limits: AuthLimits;
  nowMs: () => number;
  hashing: HashingGate;
  scrypt: ScryptParams;
  record: AuditRecorder;
}

export function createSignInAttempts({ store, limits, nowMs, hashing, scrypt, record }: SignInAttemptsDeps) {
  const stored = { attempts: store.attempts, lookup: store.lookup, nowMs };
  const accountAttempts = attemptLimiter(stored, 'sign-in username', limits.accountFailures, limits.accountWindowMs);
  const addressAttempts = attemptLimiter(stored, 'sign-in address', limits.addressFailures, limits.addressWindowMs);
  /**
   * Lockouts of usernames that match no account, so that a lockout answer does not tell
   * which usernames exist. Accounts' own lockouts live on the account.
   */
  const phantomLocks = keyLocks(stored, 'sign-in username');

  const lockedUntil = async (key: string, clinician: Clinician | undefined): Promise<number | undefined> => {
    const until = clinician ? (clinician.lockedUntil ? Date.parse(clinician.lockedUntil) : undefined) : await phantomLocks.lockedUntil(key);
    return until === undefined || until <= nowMs() ? undefined : until;
  };

  /**
   * Checks `password` against `clinician` (or a decoy, for an unknown username, so timing
   * does not reveal which exist) with every limit taken first: the account's attempt, then
   * a turn at the hashing gate, then the address's attempt (taken only once the turn comes,
   * so a group of people behind one address waiting their turn does not count as guesses).
   * Refusals answer RATE_LIMITED and count nothing.
   */
  const checkPassword = async (
    key: string,
    clinician: Clinician | undefined,
    password: string,
    address: string,
    refused: (scope: 'account' | 'address' | 'busy') => Promise<ProtocolError>,
  ): Promise<Held> => {
    const account = await accountAttempts.reserve(key);
    // Only reachable across processes or when a lock was lifted mid-window: the failure
    // that fills the window locks the account and starts counting afresh.
    if (!account) throw await refused('account');
    let slot: HashingSlot;
    try {
      slot = await hashing.acquire(address);
    } catch (err) {
      await account.giveBack();
      if (err instanceof ProtocolError && err.code === 'RATE_LIMITED') throw await refused('busy');
      throw err;
    }
    try {
      const byAddress = await addressAttempts.reserve(address);
      if (!byAddress) {
        await account.giveBack();
        throw await refused('address');
      }
      const passwordOk = await slot.verify(password, clinician?.passwordHash ?? (await decoyHash(scrypt)));
      return { account, address: byAddress, passwordOk };
    } finally {
      slot.release();
    }
  };

  /** Nothing was guessed wrong: the attempts go back, and the account starts counting afresh. */
  const succeeded = async (key: string, held: Held): Promise<void> => {
    await accountAttempts.reset(key);
    await held.address.giveBack();
  };

  /** Refused for a reason that is no guess (no second factor, one that cannot be read): the attempts go back. */
  const refusedAfterCheck = async (held: Held): Promise<void> => {
    await held.account.giveBack();
    await held.address.giveBack();
  };

  /** Records a failure (its attempts stay counted); locks the username when its window is full (and says so: true). */
  const countFailure = async (key: string, clinician: Clinician | undefined, address: string, held: Held, event: string, reason: string): Promise<boolean> => {
    await record(event, { subjectId: clinician?.id ?? null, address, detail: reason });
    log.info(event, { clinicianId: clinician?.id, reason });
    if (held.account.count >= limits.accountFailures) {
      await accountAttempts.reset(key);
      const until = new Date(nowMs() + limits.lockoutMs);
      if (clinician) {
        await store.clinicians.setLockedUntil(clinician.id, until);
        await record('account.locked', { subjectId: clinician.id, address, detail: `until=${until.toISOString()}` });
        log.warn('account.locked', { clinicianId: clinician.id });
      } else {
        await phantomLocks.lock(key, until.getTime());
        await record('account.locked', { subjectId: null, address, detail: 'unknown-username' });
      }
      return true;
    }
    return false;
  };

  return { lockedUntil, checkPassword, succeeded, refusedAfterCheck, countFailure };
}
