/**
 * Migration 9: which server hosts each live session (store/hosts.ts). One row per session
 * whose room a server has open: the server's id and public URL, and until when its lease runs
 * (epoch milliseconds). Servers sharing a database take, renew and give up these leases; with
 * one server (SQLite) there is only ever its own. A session's row goes with it.
 */
import type { Database } from 'better-sqlite3';

export const version = 9;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE session_hosts (
      session_id     TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
      server_id      TEXT NOT NULL,
      server_url     TEXT NOT NULL,
      lease_until_ms INTEGER NOT NULL
    );
    CREATE INDEX session_hosts_by_server ON session_hosts (server_id);
  `);
}
