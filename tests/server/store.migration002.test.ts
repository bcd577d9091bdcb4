import BetterSqlite3 from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { setLogLevel } from '../../src/common/logger.js';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import * as m001 from '../../src/server/store/migrations/001_initial.js';
import * as m002 from '../../src/server/store/migrations/002_moderation.js';
import { createModerationRepo } from '../../src/server/store/moderation.js';
import { createRecordKeys } from '../../src/server/store/recordKeys.js';
import { createRecordSealer } from '../../src/server/store/recordSealer.js';
import { createSessionRepo } from '../../src/server/store/sessions.js';
import { sqliteSql } from '../../src/server/store/sqlite/sqliteSql.js';
import { columnsOf, memoryDatabase } from './support/rows.js';

setLogLevel('error');

/** A version-1 database holding one clinician, one session and one invitation. */
function version1(): BetterSqlite3.Database {
  const db = memoryDatabase();
  migrate(db, [m001]);
  const now = new Date().toISOString();
  db.prepare(`INSERT INTO clinicians VALUES ('c1', 'ana', 'Ana', 'h', 1, ?)`).run(now);
  db.prepare(`INSERT INTO sessions VALUES ('s1', 'Group', ?, ?, 'c1', 'live', ?)`).run(now, now, now);
  db.prepare(`INSERT INTO invitations VALUES ('i1', 's1', 'IOP-1', 'p-1', 'tok', 'pc', NULL, ?)`).run(now);
  return db;
}

const at = '2026-11-03T18:00:00.000Z';

/** Read with SQL: today's invitation repository expects the newest schema, not version 2. */
function invitationRow(db: BetterSqlite3.Database): unknown {
  return db.prepare(`SELECT revoked_at, expired_at FROM invitations WHERE participant_id = 'p-1'`).get();
}

describe('migration 002_moderation', () => {
  it('adds the moderation tables and columns to a version-1 database, keeping its rows', () => {
    const db = version1();
    expect(migrate(db, [m001, m002])).toEqual([2]);
    expect(schemaVersion(db)).toBe(2);
    expect(columnsOf(db, 'verifications')).toEqual(['id', 'session_id', 'participant_id', 'method', 'verified_by', 'verified_at']);
    expect(columnsOf(db, 'removals')).toEqual(['id', 'session_id', 'participant_id', 'removed_by', 'reason_sealed', 'removed_at']);
    expect(columnsOf(db, 'crisis_info_views')).toEqual(['id', 'session_id', 'participant_id', 'viewed_by', 'viewed_at']);
    expect(columnsOf(db, 'invitations')).toContain('expired_at');
    expect(columnsOf(db, 'sessions')).toContain('ended_at');
    expect(db.prepare(`SELECT participant_id, expired_at FROM invitations`).get()).toEqual({ participant_id: 'p-1', expired_at: null });
  });

  it('accepts only known verification methods and real sessions, invitations and clinicians', () => {
    const db = version1();
    migrate(db, [m001, m002]);
    const insert = db.prepare(`INSERT INTO verifications (session_id, participant_id, method, verified_by, verified_at) VALUES (?, ?, ?, ?, ?)`);
    expect(() => insert.run('s1', 'p-1', 'photo-id', 'c1', at)).not.toThrow();
    expect(() => insert.run('s1', 'p-1', 'vibes', 'c1', at)).toThrow(/CHECK/);
    expect(() => insert.run('s1', 'p-nobody', 'photo-id', 'c1', at)).toThrow(/FOREIGN KEY/);
    expect(() => insert.run('s1', 'p-1', 'photo-id', 'c-nobody', at)).toThrow(/FOREIGN KEY/);
  });

  it('records a removal with its reason sealed, revoking the invitation once', async () => {
    const db = version1();
    migrate(db, [m001, m002]);
    const key = randomBytes(32);
    const repo = createModerationRepo(sqliteSql(db), createRecordSealer(key));
    const removal = { sessionId: 's1', participantId: 'p-1', removedBy: 'c1', reason: 'threatened another member', removedAt: at };
    expect(await repo.recordRemoval(removal)).toBe(true);
    expect(await repo.recordRemoval({ ...removal, removedAt: '2026-11-03T18:05:00.000Z' })).toBe(false);
    expect(invitationRow(db)).toMatchObject({ revoked_at: at });
    expect(await repo.removals('s1')).toEqual([removal]);

    const row = db.prepare(`SELECT reason_sealed FROM removals`).get() as { reason_sealed: Buffer };
    expect(row.reason_sealed.includes(Buffer.from('threatened'))).toBe(false);
    // Under another key (a copied database without the key file) the reason stays shut.
    await expect(createModerationRepo(sqliteSql(db), createRecordSealer(randomBytes(32))).removals('s1')).rejects.toThrow();
    // Moved onto another row, it no longer opens.
    db.prepare(`UPDATE removals SET removed_at = ?`).run('2026-11-04T00:00:00.000Z');
    await expect(repo.removals('s1')).rejects.toThrow();
  });

  it('records crisis-information views with no room for their content', async () => {
    const db = version1();
    migrate(db, [m001, m002]);
    const repo = createModerationRepo(sqliteSql(db), createRecordSealer(randomBytes(32)));
    await repo.recordCrisisInfoView({ sessionId: 's1', participantId: 'p-1', viewedBy: 'c1', viewedAt: at });
    expect(await repo.crisisInfoViews('s1')).toEqual([{ sessionId: 's1', participantId: 'p-1', viewedBy: 'c1', viewedAt: at }]);
  });

  it('ends a session once, expiring its invitations with it', async () => {
    const db = version1();
    // The repository is today's; its statements need the later columns too.
    const keys = createRecordKeys(randomBytes(32));
    migrate(db, undefined, undefined, keys);
    await createSessionRepo(sqliteSql(db), keys.sealer).end('s1', new Date(at));
    await createSessionRepo(sqliteSql(db), keys.sealer).end('s1', new Date('2026-11-05T00:00:00.000Z'));
    expect(db.prepare(`SELECT state, ended_at FROM sessions`).get()).toEqual({ state: 'ended', ended_at: at });
    expect(invitationRow(db)).toMatchObject({ expired_at: at });
  });
});
