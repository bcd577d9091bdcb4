/**
 * Migration 10: the servers sharing this database (store/servers.ts). Each running server
 * keeps its row fresh (`seen_at_ms`, epoch milliseconds) with the address clients and
 * consoles reach it at, and reads back whether an operator asked it to drain. With one
 * server (SQLite) the table holds only that server.
 */
import type { Database } from 'better-sqlite3';

export const version = 10;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE servers (
      server_id  TEXT PRIMARY KEY,
      server_url TEXT NOT NULL,
      mode       TEXT NOT NULL DEFAULT 'serving' CHECK (mode IN ('serving', 'draining', 'handover')),
      seen_at_ms INTEGER NOT NULL
    );
  `);
}
