/** Migration 11: the agreement version a client accepted, on their knock; older rows keep none, and rows stay append-only. */
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import { columnsOf, memoryDatabase } from './support/rows.js';

describe('migration 11', () => {
  it('adds agreement_version to attendance events, empty on the rows from before', () => {
    const db = memoryDatabase();
    migrate(db, undefined, 10);
    // Only the column is at stake here: no session row is needed for it.
    db.pragma('foreign_keys = OFF');
    db.prepare(`INSERT INTO attendance_events (session_id, participant_id, kind, at) VALUES ('s', 'p', 'knock', '2026-12-01T18:01:00Z')`).run();

    expect(migrate(db, undefined, 11)).toEqual([11]);
    expect(schemaVersion(db)).toBe(11);
    expect(columnsOf(db, 'attendance_events')).toContain('agreement_version');
    expect(db.prepare(`SELECT agreement_version FROM attendance_events`).get()).toEqual({ agreement_version: null });
    db.prepare(`INSERT INTO attendance_events (session_id, participant_id, kind, at, agreement_version) VALUES ('s', 'q', 'knock', '2026-12-01T18:02:00Z', 'v3')`).run();
    expect(() => db.prepare(`UPDATE attendance_events SET agreement_version = 'v4'`).run()).toThrow();
  });
});
