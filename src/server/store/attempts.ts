/**
 * Attempts at a guessable secret and the lockouts they lead to, on record (migration 9): the
 * store's side of limits/storedAttempts.ts. A reservation is one transaction: lock the key,
 * then count its attempts within the window and insert one more only if that count is under
 * the limit. SQLite's transaction holds the file's write lock; PostgreSQL's holds the key's
 * row lock, and its next statement counts what was committed up to then, so reservations
 * against one key from several processes take turns and none is counted twice or missed. Keys arrive already hashed (`keyHash`): no typed username or
 * address is ever stored.
 */
import type { Sql } from './sql.js';

export interface StoredReservation {
  /** The attempt's row, for giving it back. */
  id: number;
  /** Attempts counted against the key within the window, this one included. */
  count: number;
}

export interface AttemptRepo {
  /** Counts one attempt unless `limit` are already counted since `sinceMs`; undefined then. */
  reserve(scope: string, keyHash: string, limit: number, sinceMs: number, atMs: number): Promise<StoredReservation | undefined>;
  /** Uncounts one attempt. */
  giveBack(id: number): Promise<void>;
  /** Forgets the key's attempts. */
  reset(scope: string, keyHash: string): Promise<void>;
  /** Locks the key (not an account) until `untilMs`. */
  lock(scope: string, keyHash: string, untilMs: number): Promise<void>;
  /** When the key's lock ends, if it is still locked at `atMs`. */
  lockedUntil(scope: string, keyHash: string, atMs: number): Promise<number | undefined>;
  /** Drops attempts older than `beforeMs`, ended locks and keys with neither; returns the attempts dropped. */
  sweep(beforeMs: number, atMs: number): Promise<number>;
}

export function createAttemptRepo(sql: Sql): AttemptRepo {
  return {
    // Two statements in one transaction: the first takes the key's row lock (an upsert locks
    // the row it lands on, in both databases); the second, run after the lock, counts what is
    // committed within the window and inserts only under the limit, with the count it makes.
    // Old attempts are left to the sweep; the count looks only inside the window.
    reserve: (scope, keyHash, limit, sinceMs, atMs) =>
      sql.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO attempt_keys (scope, key_hash) VALUES (?, ?)
           ON CONFLICT (scope, key_hash) DO UPDATE SET key_hash = excluded.key_hash`,
          [scope, keyHash],
        );
        const row = await tx.one<{ id: number; counted: number }>(
          `INSERT INTO attempts (scope, key_hash, at_ms, counted)
           SELECT ?, ?, ?, recent.n + 1
             FROM (SELECT count(*) AS n FROM attempts WHERE scope = ? AND key_hash = ? AND at_ms > ?) AS recent
            WHERE recent.n < ?
           RETURNING id, counted`,
          [scope, keyHash, atMs, scope, keyHash, sinceMs, limit],
        );
        return row ? { id: Number(row.id), count: Number(row.counted) } : undefined;
      }),
    async giveBack(id) {
      await sql.run(`DELETE FROM attempts WHERE id = ?`, [id]);
    },
    async reset(scope, keyHash) {
      await sql.run(`DELETE FROM attempts WHERE scope = ? AND key_hash = ?`, [scope, keyHash]);
    },
    async lock(scope, keyHash, untilMs) {
      await sql.run(
        `INSERT INTO key_locks (scope, key_hash, until_ms) VALUES (?, ?, ?)
         ON CONFLICT (scope, key_hash) DO UPDATE SET until_ms = excluded.until_ms`,
        [scope, keyHash, untilMs],
      );
    },
    async lockedUntil(scope, keyHash, atMs) {
      const row = await sql.one<{ until_ms: number }>(`SELECT until_ms FROM key_locks WHERE scope = ? AND key_hash = ? AND until_ms > ?`, [
        scope,
        keyHash,
        atMs,
      ]);
      return row ? Number(row.until_ms) : undefined;
    },
    sweep: (beforeMs, atMs) =>
      sql.transaction(async (tx) => {
        const dropped = await tx.run(`DELETE FROM attempts WHERE at_ms <= ?`, [beforeMs]);
        await tx.run(`DELETE FROM key_locks WHERE until_ms <= ?`, [atMs]);
        await tx.run(
          `DELETE FROM attempt_keys WHERE NOT EXISTS
             (SELECT 1 FROM attempts a WHERE a.scope = attempt_keys.scope AND a.key_hash = attempt_keys.key_hash)`,
        );
        return dropped;
      }),
  };
}
