/** PostgreSQL migration 4: the servers sharing this database, as SQLite's migration 10. */
import type { MigrationDb } from './run.js';

export const version = 4;

export async function up(db: MigrationDb): Promise<void> {
  await db.query(`
    CREATE TABLE servers (
      server_id  text PRIMARY KEY,
      server_url text NOT NULL,
      mode       text NOT NULL DEFAULT 'serving' CHECK (mode IN ('serving', 'draining', 'handover')),
      seen_at_ms bigint NOT NULL
    );
  `);
}
