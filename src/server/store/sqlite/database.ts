/** Opens the server's SQLite database with the pragmas the store relies on. */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { createPrivate, refuseIfShared, sqliteFiles } from '../../keys/privateFiles.js';
import { migrate } from '../migrate.js';
import type { RecordKeys } from '../recordKeys.js';

/** `keys`: for migrations that seal or key existing rows (see migrate.ts). */
export function openDatabase(file: string, keys?: RecordKeys): Database {
  // The records are the owner's alone: made 0600, refused when others can read them.
  if (file !== ':memory:') {
    createPrivate(file);
    for (const f of sqliteFiles(file)) refuseIfShared(f);
  }
  const db = new BetterSqlite3(file);
  // WAL lets readers proceed during a write; NORMAL sync is durable across process crashes
  // in WAL mode, which is what a session server needs.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deleted and rewritten content is overwritten, so what was sealed in place (migration 7)
  // or removed leaves no plaintext in free pages.
  db.pragma('secure_delete = ON');
  try {
    migrate(db, undefined, undefined, keys);
  } catch (err) {
    // A refused migration leaves the file as it was; the connection goes with it.
    db.close();
    throw err;
  }
  return db;
}
