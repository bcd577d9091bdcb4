/** Migration 16: the language of the agreement a client accepted, beside its version; older rows keep none. */
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import { columnsOf, memoryDatabase } from './support/rows.js';

describe('migration 16', () => {
  it('adds agreement_language to attendance events, empty on the rows from before', () => {
    const db = memoryDatabase();
    migrate(db, undefined, 15);
    db.pragma('foreign_keys = OFF');
    db.prepare(`INSERT INTO attendance_events (session_id, participant_id, kind, at, agreement_version) VALUES ('s', 'p', 'knock', '2026-12-01T18:01:00Z', 'v3')`).run();

    expect(migrate(db, undefined, 16)).toEqual([16]);
    expect(schemaVersion(db)).toBe(16);
    expect(columnsOf(db, 'attendance_events')).toContain('agreement_language');
    expect(db.prepare(`SELECT agreement_version, agreement_language FROM attendance_events`).get()).toEqual({ agreement_version: 'v3', agreement_language: null });
    db.prepare(`INSERT INTO attendance_events (session_id, participant_id, kind, at, agreement_version, agreement_language) VALUES ('s', 'q', 'knock', '2026-12-01T18:02:00Z', 'v4', 'es')`).run();
    // Still append-only.
    expect(() => db.prepare(`UPDATE attendance_events SET agreement_language = 'en'`).run()).toThrow();
  });
});
