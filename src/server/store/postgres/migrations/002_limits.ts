/**
 * PostgreSQL migration 2: attempt limits and lockouts on record, so they hold however many
 * server processes share the database, and across a restart. (A SQLite store keeps them in
 * its one server's memory: limits/storedAttempts.ts.) Times are epoch milliseconds, the unit
 * the limits count in.
 *
 * - `attempts`: one row per attempt counted against a key within its window (a sign-in against
 *   a username or an address, a passcode against an invitation, a hello against an address),
 *   with how many were counted, it included, when it was. Keys are keyed hashes (`key_hash`):
 *   a username typed at sign-in may be a password, and an address is personal data.
 * - `attempt_keys`: one row per key, which a reservation (store/attempts.ts) locks before it
 *   counts, so reservations against one key from several processes take turns.
 * - `key_locks`: lockouts of keys that are not accounts (an unknown username), until a time.
 *   Accounts' own lockouts stay on the account (`clinicians.locked_until`).
 */
import type { MigrationDb } from './run.js';

export const version = 2;

export async function up(db: MigrationDb): Promise<void> {
  await db.query(`
    CREATE TABLE attempt_keys (
      scope    text NOT NULL,
      key_hash text NOT NULL,
      PRIMARY KEY (scope, key_hash)
    );
    CREATE TABLE attempts (
      id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      scope    text NOT NULL,
      key_hash text NOT NULL,
      at_ms    bigint NOT NULL,
      counted  integer NOT NULL
    );
    CREATE INDEX attempts_by_key ON attempts (scope, key_hash, at_ms);
    CREATE INDEX attempts_by_time ON attempts (at_ms);
    CREATE TABLE key_locks (
      scope    text NOT NULL,
      key_hash text NOT NULL,
      until_ms bigint NOT NULL,
      PRIMARY KEY (scope, key_hash)
    );
  `);
}
