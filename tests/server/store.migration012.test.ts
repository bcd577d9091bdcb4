/**
 * Migrations 12 and 13 (issue 20): the sealed check-in rating on a knock (older rows keep none,
 * and rows stay append-only), and the tables of written recaps and their openings (one recap
 * per session; one opening kept per client).
 */
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import { columnsOf, memoryDatabase } from './support/rows.js';

describe('migrations 12 and 13', () => {
  it('add rating_sealed to attendance events, empty on the rows from before', () => {
    const db = memoryDatabase();
    migrate(db, undefined, 11);
    db.pragma('foreign_keys = OFF');
    db.prepare(`INSERT INTO attendance_events (session_id, participant_id, kind, at) VALUES ('s', 'p', 'knock', '2026-12-01T18:01:00Z')`).run();

    expect(migrate(db, undefined, 12)).toEqual([12]);
    expect(schemaVersion(db)).toBe(12);
    expect(columnsOf(db, 'attendance_events')).toContain('rating_sealed');
    expect(db.prepare(`SELECT rating_sealed FROM attendance_events`).get()).toEqual({ rating_sealed: null });
    db.prepare(`INSERT INTO attendance_events (session_id, participant_id, kind, at, rating_sealed) VALUES ('s', 'q', 'knock', '2026-12-01T18:02:00Z', x'00')`).run();
    expect(() => db.prepare(`UPDATE attendance_events SET rating_sealed = x'01'`).run()).toThrow();
  });

  it('add one recap per session and one opening per client of it', () => {
    const db = memoryDatabase();
    migrate(db, undefined, 12);
    expect(migrate(db, undefined, 13)).toEqual([13]);
    expect(columnsOf(db, 'session_recaps')).toEqual(['session_id', 'text_sealed', 'written_by', 'written_at', 'visible_until']);
    expect(columnsOf(db, 'recap_openings')).toEqual(['session_id', 'participant_id', 'opened_at']);
    db.pragma('foreign_keys = OFF');
    const recap = db.prepare(`INSERT INTO session_recaps VALUES ('s', x'00', 'c', '2026-12-01T20:00:00Z', '2026-12-08T20:00:00Z')`);
    recap.run();
    expect(() => recap.run()).toThrow();
    const opening = db.prepare(`INSERT INTO recap_openings VALUES ('s', 'p', '2026-12-02T09:00:00Z')`);
    opening.run();
    expect(() => opening.run()).toThrow();
  });
});
