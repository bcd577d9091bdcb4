/**
 * PostgreSQL migration 2: attempt limits and lockouts on record, as SQLite's migration 9 (its
 * comment says what each table is for). The same tables, columns and indexes; epoch
 * milliseconds are bigint, the attempt id an identity column. A reservation
 * (store/attempts.ts) locks its key's `attempt_keys` row with FOR UPDATE, so reservations
 * against one key from several server processes take turns.
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
