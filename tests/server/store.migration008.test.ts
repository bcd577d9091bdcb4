/** Migration 8: the room lock on record (one row per locked session, gone with the session). */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import { insertRow } from './support/rows.js';

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
