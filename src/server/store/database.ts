/** Opens the server's SQLite database with the pragmas the store relies on. */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrate } from './migrate.js';

export function openDatabase(file: string): Database {
  const db = new BetterSqlite3(file);
  // WAL lets readers proceed during a write; NORMAL sync is durable across process crashes
  // in WAL mode, which is what a session server needs.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}
