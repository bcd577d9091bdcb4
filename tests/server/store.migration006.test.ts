/** Migration 6: resumptions (a place kept across a dropped connection or a restart) and each session's rejoin policy. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import { columnsOf, insertRow, memoryDatabase } from './support/rows.js';

function atVersion5(): Database.Database {
  const db = memoryDatabase();
  migrate(db, undefined, 5);
  insertRow(db, 'clinicians', { id: 'c1' });
  insertRow(db, 'sessions', { id: 's1', facilitator_id: 'c1', state: 'scheduled' });
  return db;
}

const resumption = (participantId: string, tokenHash: string, state = 'waiting') => ({
  participant_id: participantId,
  session_id: 's1',
  token_hash: tokenHash,
  state,
  connected: 1,
  last_seen_at: '2026-12-05T12:00:00.000Z',
});

describe('migration 6', () => {
  it('gives every session, old ones included, the rejoin policy "readmit", and only the two policies', () => {
    const db = atVersion5();
    expect(migrate(db, undefined, 6)).toEqual([6]);
    expect(schemaVersion(db)).toBe(6);
    expect(db.prepare(`SELECT rejoin_policy FROM sessions WHERE id = 's1'`).get()).toEqual({ rejoin_policy: 'readmit' });
    db.prepare(`UPDATE sessions SET rejoin_policy = 'waiting-room' WHERE id = 's1'`).run();
    expect(() => db.prepare(`UPDATE sessions SET rejoin_policy = 'anything' WHERE id = 's1'`).run()).toThrow(/CHECK/);
  });

  it('adds resumptions: one per client, by a unique token digest, in a known state, gone with its session', () => {
    const db = atVersion5();
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'resumptions'`).get()).toBeUndefined();
    migrate(db, undefined, 6);
    const columns = columnsOf(db, 'resumptions');
    expect(columns.sort()).toEqual(
      [
        'admitted_before', 'connected', 'display_name_sealed', 'expires_at', 'knocked_at', 'last_seen_at', 'media_audio', 'media_video',
        'muted_audio', 'muted_video', 'participant_id', 'session_id', 'state', 'token_hash',
      ].sort(),
    );
    insertRow(db, 'resumptions', resumption('p1', 'h1'));
    // Flags default to off: no one starts muted or admitted before.
    expect(db.prepare(`SELECT muted_audio, muted_video, admitted_before FROM resumptions WHERE participant_id = 'p1'`).get()).toEqual({
      muted_audio: 0,
      muted_video: 0,
      admitted_before: 0,
    });
    expect(() => insertRow(db, 'resumptions', resumption('p1', 'h2'))).toThrow(/UNIQUE|PRIMARY/);
    expect(() => insertRow(db, 'resumptions', resumption('p2', 'h1'))).toThrow(/UNIQUE/);
    expect(() => insertRow(db, 'resumptions', resumption('p3', 'h3', 'gone'))).toThrow(/CHECK/);
    expect(() => insertRow(db, 'resumptions', { ...resumption('p4', 'h4'), session_id: 'nope' })).toThrow(/FOREIGN KEY/);
    db.prepare(`DELETE FROM sessions WHERE id = 's1'`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM resumptions`).get()).toEqual({ n: 0 });
  });
});
