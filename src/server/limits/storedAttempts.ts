/**
 * Attempt limits and key lockouts kept in the store (store/attempts.ts), shared by every
 * server process on the database. Each limiter counts under its own scope; keys are hashed
 * with the records key before they reach the database.
 */
import type { AttemptRepo } from '../store/attempts.js';
import type { LookupHasher } from '../store/recordKeys.js';
import type { AttemptLimiter, Reservation } from './attemptLimiter.js';

export interface StoredLimitDeps {
  attempts: AttemptRepo;
  lookup: LookupHasher;
  nowMs: () => number;
}

/** `limit` attempts per key within `windowMs`, under `scope` (e.g. 'sign-in address'). */
export function storedAttemptLimiter(deps: StoredLimitDeps, scope: string, limit: number, windowMs: number): AttemptLimiter {
  const hash = (key: string): string => deps.lookup.attemptKey(scope, key);
  return {
    limit,
    async reserve(key): Promise<Reservation | undefined> {
      const at = deps.nowMs();
      const reserved = await deps.attempts.reserve(scope, hash(key), limit, at - windowMs, at);
      if (!reserved) return undefined;
      let held = true;
      return {
        count: reserved.count,
        async giveBack() {
          if (!held) return;
          held = false;
          await deps.attempts.giveBack(reserved.id);
        },
      };
    },
    reset: (key) => deps.attempts.reset(scope, hash(key)),
  };
}

/** Locks on keys that are not accounts (an unknown username), until a time. */
export interface KeyLocks {
  lock(key: string, untilMs: number): Promise<void>;
  /** When the key's lock ends, while it lasts; undefined when there is none. */
  lockedUntil(key: string): Promise<number | undefined>;
}

export function storedKeyLocks(deps: StoredLimitDeps, scope: string): KeyLocks {
  const hash = (key: string): string => deps.lookup.attemptKey(scope, key);
  return {
    lock: (key, untilMs) => deps.attempts.lock(scope, hash(key), untilMs),
    lockedUntil: (key) => deps.attempts.lockedUntil(scope, hash(key), deps.nowMs()),
  };
}
