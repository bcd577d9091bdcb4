/** Migration 8: the room lock on record (one row per locked session, gone with the session). */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';

/**
 * A row with `values` and a placeholder in every other required column, whatever the earlier
 * migrations made those columns: this test is about room_locks, not their shape.
 */
function insertRow(db: Database.Database, table: string, values: Record<string, string>): void {
  const columns = db.prepare<[], { name: string; type: string; notnull: number; dflt_value: unknown }>(`PRAGMA table_info(${table})`).all();
  const row: Record<string, string | Buffer> = { ...values };
  for (const c of columns) {
    if (c.name in row || c.notnull === 0 || c.dflt_value !== null) continue;
    row[c.name] = c.type.toUpperCase() === 'BLOB' ? Buffer.from([0]) : 'x';
  }
  const names = Object.keys(row);
  db.prepare(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`).run(row);
}

describe('migration 8', () => {
  it('adds room_locks: one row per session, by ids, removed with its session', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, undefined, 7);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'room_locks'`).get()).toBeUndefined();

    expect(migrate(db, undefined, 8)).toEqual([8]);
    expect(schemaVersion(db)).toBe(8);
    const columns = db.prepare<[], { name: string }>(`PRAGMA table_info(room_locks)`).all().map((c) => c.name);
    expect(columns.sort()).toEqual(['locked_at', 'locked_by', 'session_id']);

    insertRow(db, 'clinicians', { id: 'c1' });
    insertRow(db, 'sessions', { id: 's1', facilitator_id: 'c1', state: 'scheduled' });
    db.prepare(`INSERT INTO room_locks (session_id, locked_at, locked_by) VALUES ('s1', 'at', 'c1')`).run();
    // One lock per session.
    expect(() => db.prepare(`INSERT INTO room_locks (session_id, locked_at, locked_by) VALUES ('s1', 'at', 'c1')`).run()).toThrow(/UNIQUE|PRIMARY/);
    // Only for sessions that exist, and gone with them.
    expect(() => db.prepare(`INSERT INTO room_locks (session_id, locked_at, locked_by) VALUES ('nope', 'at', 'c1')`).run()).toThrow(/FOREIGN KEY/);
    db.prepare(`DELETE FROM sessions WHERE id = 's1'`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM room_locks`).get()).toEqual({ n: 0 });
  });
});
