/**
 * Migration 5: auth_events' rows move into the chained audit log in order (and verify),
 * auth_events goes, attendance and targets appear, and the guards are in place.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, legacyLink, verifyChain } from '../../src/server/audit/chain.js';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';

const tables = (db: Database.Database): string[] =>
  db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all().map((r) => r.name);

describe('migration 5', () => {
  it('carries auth events into the hash-chained audit log, oldest first, and drops auth_events', () => {
    const db = new Database(':memory:');
    migrate(db, undefined, 4);
    const insert = db.prepare(`INSERT INTO auth_events (at, event, actor_id, subject_id, address, detail) VALUES (?, ?, ?, ?, ?, ?)`);
    insert.run('2026-11-01T09:00:00.000Z', 'login.failed', null, 'c-1', '127.0.0.1', 'password');
    insert.run('2026-11-01T09:01:00.000Z', 'login.ok', null, 'c-1', '127.0.0.1', null);
    insert.run('2026-11-01T09:02:00.000Z', 'clinician.created', 'c-1', 'c-2', '127.0.0.1', 'facilitator');

    expect(migrate(db, undefined, 5)).toEqual([5]);
    expect(schemaVersion(db)).toBe(5);
    expect(tables(db)).not.toContain('auth_events');
    expect(tables(db)).toEqual(expect.arrayContaining(['audit_log', 'audit_head', 'attendance_events', 'attendance_targets']));

    const rows = db.prepare<[], Record<string, unknown>>(`SELECT * FROM audit_log ORDER BY seq`).all();
    expect(rows.map((r) => [r.seq, r.event, r.subject_id])).toEqual([
      [1, 'login.failed', 'c-1'],
      [2, 'login.ok', 'c-1'],
      [3, 'clinician.created', 'c-2'],
    ]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    const entries = rows.map((r) => ({
      seq: r.seq as number,
      at: r.at as string,
      event: r.event as string,
      actorId: r.actor_id as string | null,
      subjectId: r.subject_id as string | null,
      sessionId: r.session_id as string | null,
      address: r.address as string | null,
      detail: r.detail as string | null,
      prevHash: r.prev_hash as string,
      hash: r.hash as string,
    }));
    const head = db.prepare<[], { seq: number; hash: string }>(`SELECT seq, hash FROM audit_head`).get();
    expect(head).toEqual({ seq: 3, hash: entries[2]!.hash });
    // Plain SHA-256 links, as migration 5 wrote them (migration 7 re-chains them under a key).
    expect(verifyChain(entries, head, legacyLink)).toEqual({ ok: true, entries: 3 });
  });

  it('on an empty database: an empty, verifiable log and guards against rewriting', () => {
    const db = new Database(':memory:');
    migrate(db);
    expect(db.prepare(`SELECT seq, hash FROM audit_head`).get()).toEqual({ seq: 0, hash: GENESIS_HASH });
    db.pragma('foreign_keys = OFF');
    db.prepare(`INSERT INTO attendance_events (session_id, participant_id, kind, at) VALUES ('s', 'p', 'knock', 'x')`).run();
    expect(() => db.prepare(`UPDATE attendance_events SET kind = 'admit'`).run()).toThrow(/append-only/);
    expect(() => db.prepare(`INSERT INTO attendance_events (session_id, participant_id, kind, at) VALUES ('s', 'p', 'teleport', 'x')`).run()).toThrow(
      /CHECK/,
    );
  });
});
