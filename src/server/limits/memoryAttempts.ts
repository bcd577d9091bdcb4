/**
 * Attempts and key lockouts in this process's memory: the `AttemptRepo` of a SQLite store. A
 * SQLite database belongs to one server process, so its limits have nothing to share, and
 * counting them in the database cost every hello two transactions on the one connection the
 * whole server waits on (the join bench: a group of fifty reached the waiting room ~15 ms later
 * at the median). The semantics are the database's (store/attempts.ts): a sliding window of
 * attempts per key, reserved and counted in one step, given back by id. A restart forgets them;
 * accounts' own lockouts are on record.
 *
 * Keys are whatever an attacker sends, so memory looks after its size: keys are held in the
 * order of their latest attempt and past `maxKeys` the idlest is forgotten (a flood of distinct
 * keys forgives old attempts; it never refuses anyone for someone else's flood); locks alike.
 */
import type { AttemptRepo } from '../store/attempts.js';

/** Far more keys than any real window holds (a clinic's staff, a day's clients). */
export const DEFAULT_MAX_KEYS = 100_000;
export const DEFAULT_MAX_LOCKS = 10_000;

interface Attempt {
  id: number;
  at: number;
}

export function memoryAttempts(maxKeys = DEFAULT_MAX_KEYS, maxLocks = DEFAULT_MAX_LOCKS): AttemptRepo & { readonly keysHeld: number; readonly locksHeld: number } {
  let nextId = 1;
  /** Each key's attempts within its window, keys in the order of their latest attempt. */
  const attempts = new Map<string, Attempt[]>();
  /** Which key an attempt counts against, for giving it back. */
  const keyOf = new Map<number, string>();
  const locks = new Map<string, number>();
  const keyFor = (scope: string, keyHash: string): string => `${scope}\n${keyHash}`;

  const forget = (key: string): void => {
    for (const a of attempts.get(key) ?? []) keyOf.delete(a.id);
    attempts.delete(key);
  };
  /** The key's attempts after `sinceMs`; older ones are forgotten. */
  const recent = (key: string, sinceMs: number): Attempt[] => {
    const list = attempts.get(key) ?? [];
    const kept = list.filter((a) => a.at > sinceMs);
    for (const a of list) if (a.at <= sinceMs) keyOf.delete(a.id);
    return kept;
  };

  return {
    get keysHeld() {
      return attempts.size;
    },
    get locksHeld() {
      return locks.size;
    },
    async reserve(scope, keyHash, limit, sinceMs, atMs) {
      const key = keyFor(scope, keyHash);
      const list = recent(key, sinceMs);
      if (list.length >= limit) {
        attempts.set(key, list);
        return undefined;
      }
      const id = nextId++;
      list.push({ id, at: atMs });
      keyOf.set(id, key);
      // To the back: the map stays in the order of each key's latest attempt.
      attempts.delete(key);
      attempts.set(key, list);
      while (attempts.size > maxKeys) {
        const idlest = attempts.keys().next();
        if (idlest.done === true) break;
        forget(idlest.value);
      }
      return { id, count: list.length };
    },
    async giveBack(id) {
      const key = keyOf.get(id);
      if (key === undefined) return;
      keyOf.delete(id);
      const list = (attempts.get(key) ?? []).filter((a) => a.id !== id);
      if (list.length === 0) attempts.delete(key);
      else attempts.set(key, list);
    },
    async reset(scope, keyHash) {
      forget(keyFor(scope, keyHash));
    },
    async lock(scope, keyHash, untilMs) {
      const key = keyFor(scope, keyHash);
      locks.delete(key);
      locks.set(key, untilMs);
      while (locks.size > maxLocks) {
        const oldest = locks.keys().next();
        if (oldest.done === true) break;
        locks.delete(oldest.value);
      }
    },
    async lockedUntil(scope, keyHash, atMs) {
      const key = keyFor(scope, keyHash);
      const until = locks.get(key);
      if (until === undefined) return undefined;
      if (until <= atMs) {
        locks.delete(key);
        return undefined;
      }
      return until;
    },
    async sweep(beforeMs, atMs) {
      let dropped = 0;
      for (const [key, list] of attempts) {
        const kept = recent(key, beforeMs);
        dropped += list.length - kept.length;
        if (kept.length === 0) attempts.delete(key);
        else attempts.set(key, kept);
      }
      for (const [key, until] of locks) if (until <= atMs) locks.delete(key);
      return dropped;
    },
  };
}
