/** PostgreSQL migration 3: which server hosts each live session, as SQLite's migration 9. */
import type { MigrationDb } from './run.js';

export const version = 3;

export async function up(db: MigrationDb): Promise<void> {
  await db.query(`
    CREATE TABLE session_hosts (
      session_id     text PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
      server_id      text NOT NULL,
      server_url     text NOT NULL,
      lease_until_ms bigint NOT NULL
    );
    CREATE INDEX session_hosts_by_server ON session_hosts (server_id);
  `);
}
