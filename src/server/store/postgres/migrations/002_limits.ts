/**
 * PostgreSQL migration 2: the limits several server processes must share, which until now
 * each process held in memory (limits/rateLimiter.ts, limits/expiringLocks.ts). Keys are
 * what the limiter already uses, prefixed by the limiter's name (`signin:user:alice`), so one
 * table serves every limit. Times are epoch milliseconds (bigint), as the limiters count them.
 *
 * - attempt_counters: a fixed window per key, opened by the first attempt after the last one
 *   ended. Reserving is one statement in both dialects (an upsert whose update is conditional:
 *   no row comes back when the window is full, and nothing is counted):
 *
 *     INSERT INTO attempt_counters (key, attempts, window_ends_at) VALUES (?, 1, ?)   -- key, now + window
 *     ON CONFLICT (key) DO UPDATE SET
 *       attempts = CASE WHEN attempt_counters.window_ends_at <= ? THEN 1              -- now
 *                       ELSE attempt_counters.attempts + 1 END,
 *       window_ends_at = CASE WHEN attempt_counters.window_ends_at <= ? THEN excluded.window_ends_at   -- now
 *                             ELSE attempt_counters.window_ends_at END
 *     WHERE attempt_counters.window_ends_at <= ? OR attempt_counters.attempts < ?    -- now, limit
 *     RETURNING attempts, window_ends_at
 *
 *   Giving an attempt back names the window it was counted in, so a give-back after the
 *   window rolled over takes nothing from the next one:
 *     UPDATE attempt_counters SET attempts = attempts - 1 WHERE key = ? AND window_ends_at = ? AND attempts > 0
 *   Reset: DELETE FROM attempt_counters WHERE key = ?
 *   Sweep: DELETE FROM attempt_counters WHERE window_ends_at <= ?
 *
 *   A fixed window is coarser than the in-memory sliding one (up to twice the limit can fall
 *   in one window's length across a boundary), in exchange for one row per key instead of one
 *   per attempt and a reservation that is a single row lock.
 *
 * - held_until: a lock on a key until a time (the lockout of a username that matches no
 *   account). Setting one never shortens one already held:
 *     INSERT INTO held_until (key, until_ms) VALUES (?, ?)
 *     ON CONFLICT (key) DO UPDATE SET until_ms =
 *       CASE WHEN excluded.until_ms > held_until.until_ms THEN excluded.until_ms ELSE held_until.until_ms END
 *   Reading: SELECT until_ms FROM held_until WHERE key = ? AND until_ms > ?
 *   Sweep:   DELETE FROM held_until WHERE until_ms <= ?
 *
 * Both tables are indexed by their end, for the sweep that keeps keys an attacker made up
 * from piling up (the in-memory limiters' bound on keys becomes this sweep).
 */
import type { MigrationDb } from './run.js';

export const version = 2;

export async function up(db: MigrationDb): Promise<void> {
  await db.query(`
    CREATE TABLE attempt_counters (
      key            text PRIMARY KEY,
      attempts       integer NOT NULL CHECK (attempts >= 0),
      window_ends_at bigint NOT NULL
    );
    CREATE INDEX attempt_counters_by_end ON attempt_counters (window_ends_at);

    CREATE TABLE held_until (
      key      text PRIMARY KEY,
      until_ms bigint NOT NULL
    );
    CREATE INDEX held_until_by_end ON held_until (until_ms);
  `);
}
