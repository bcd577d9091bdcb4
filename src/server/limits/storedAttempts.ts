/**
 * Attempt limits and key lockouts where the store says they belong. A store several server
 * processes share (PostgreSQL) has an attempt repository (store/attempts.ts): limits are
 * counted there, keys hashed with the records key first, so they hold across processes and
 * restarts. A SQLite store's file has one server, so its limits stay in that server's memory,
 * in the in-memory windows and locks (rateLimiter.ts, expiringLocks.ts): counting them in the
 * file cost every hello two transactions on the one connection the whole server waits on.
 * Each limiter counts under its own scope.
 */
import type { AttemptRepo } from '../store/attempts.js';
import type { LookupHasher } from '../store/recordKeys.js';
import type { AttemptLimiter, Reservation } from './attemptLimiter.js';
import { ExpiringLocks } from './expiringLocks.js';
import { SlidingWindowLimiter } from './rateLimiter.js';

export interface LimitDeps {
  /** The shared repository, when the store has one (PostgreSQL). */
  attempts: AttemptRepo | undefined;
  lookup: LookupHasher;
  nowMs: () => number;
}

/** `limit` attempts per key within `windowMs`, under `scope` (e.g. 'sign-in address'). */
export function attemptLimiter(deps: LimitDeps, scope: string, limit: number, windowMs: number): AttemptLimiter {
  const { attempts } = deps;
  if (!attempts) {
    const window = new SlidingWindowLimiter(limit, windowMs, deps.nowMs);
    return {
      limit,
      async reserve(key) {
        const reserved = window.reserve(key);
        return reserved && { count: reserved.count, giveBack: async () => reserved.giveBack() };
      },
      reset: async (key) => window.reset(key),
    };
  }
  const hash = (key: string): string => deps.lookup.attemptKey(scope, key);
  return {
    limit,
    async reserve(key): Promise<Reservation | undefined> {
      const at = deps.nowMs();
      const reserved = await attempts.reserve(scope, hash(key), limit, at - windowMs, at);
      if (!reserved) return undefined;
      let held = true;
      return {
        count: reserved.count,
        async giveBack() {
          if (!held) return;
          held = false;
          await attempts.giveBack(reserved.id);
        },
      };
    },
    reset: (key) => attempts.reset(scope, hash(key)),
  };
}

/** Locks on keys that are not accounts (an unknown username), until a time. */
export interface KeyLocks {
  lock(key: string, untilMs: number): Promise<void>;
  /** When the key's lock ends, while it lasts; undefined when there is none. */
  lockedUntil(key: string): Promise<number | undefined>;
}

export function keyLocks(deps: LimitDeps, scope: string): KeyLocks {
  const { attempts } = deps;
  if (!attempts) {
    const locks = new ExpiringLocks(deps.nowMs);
    return { lock: async (key, untilMs) => locks.lock(key, untilMs), lockedUntil: async (key) => locks.lockedUntil(key) };
  }
  const hash = (key: string): string => deps.lookup.attemptKey(scope, key);
  return {
    lock: (key, untilMs) => attempts.lock(scope, hash(key), untilMs),
    lockedUntil: (key) => attempts.lockedUntil(scope, hash(key), deps.nowMs()),
  };
}
