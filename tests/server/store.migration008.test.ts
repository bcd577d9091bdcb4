/** Migration 8: the room lock on record (one row per locked session, gone with the session). */
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import { columnsOf, insertRow, memoryDatabase } from './support/rows.js';

describe('migration 8', () => {
  it('adds room_locks: one row per session, by ids, removed with its session', () => {
    const db = memoryDatabase();
    migrate(db, undefined, 7);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'room_locks'`).get()).toBeUndefined();

    expect(migrate(db, undefined, 8)).toEqual([8]);
    expect(schemaVersion(db)).toBe(8);
    const columns = columnsOf(db, 'room_locks');
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
