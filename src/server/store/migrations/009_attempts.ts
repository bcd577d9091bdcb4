/**
 * Migration 9: attempt limits and lockouts on record, so they hold however many server
 * processes share the database and across a restart (they lived in one process's memory).
 *
 * - `attempts`: one row per attempt counted against a key within its window (a sign-in
 *   against a username or an address, a passcode against an invitation, a hello against an
 *   address), with how many were counted, it included, when it was (`counted`). Keys are stored as keyed hashes (`key_hash`): a username typed at sign-in may be
 *   a password, and an address is personal data; the records key makes the hash useless to a
 *   copy of the database.
 * - `attempt_keys`: one row per key, which a reservation locks (PostgreSQL: FOR UPDATE) before
 *   it counts, so two processes reserving against one key at once take turns.
 * - `key_locks`: lockouts of keys that are not accounts (an unknown username), until a time.
 *   Accounts' own lockouts stay on the account (`clinicians.locked_until`).
 * Times are epoch milliseconds, the unit the limits are counted in.
 */
import type { Database } from 'better-sqlite3';

export const version = 9;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE attempt_keys (
      scope    TEXT NOT NULL,
      key_hash TEXT NOT NULL,
      PRIMARY KEY (scope, key_hash)
    );
    CREATE TABLE attempts (
      id       INTEGER PRIMARY KEY AUTOINCREMENT,
      scope    TEXT NOT NULL,
      key_hash TEXT NOT NULL,
      at_ms    INTEGER NOT NULL,
      counted  INTEGER NOT NULL
    );
    CREATE INDEX attempts_by_key ON attempts (scope, key_hash, at_ms);
    CREATE INDEX attempts_by_time ON attempts (at_ms);
    CREATE TABLE key_locks (
      scope    TEXT NOT NULL,
      key_hash TEXT NOT NULL,
      until_ms INTEGER NOT NULL,
      PRIMARY KEY (scope, key_hash)
    );
  `);
}
