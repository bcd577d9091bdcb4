import BetterSqlite3 from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { setLogLevel } from '../../src/common/logger.js';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import * as m001 from '../../src/server/store/migrations/001_initial.js';
import * as m002 from '../../src/server/store/migrations/002_moderation.js';
import * as m003 from '../../src/server/store/migrations/003_accounts.js';
import { createClinicianRepo } from '../../src/server/store/clinicians.js';
import { createInvitationRepo } from '../../src/server/store/invitations.js';
import { createRecordKeys } from '../../src/server/store/recordKeys.js';
import { createRecordSealer } from '../../src/server/store/recordSealer.js';
import { sqliteSql } from '../../src/server/store/sqlite/sqliteSql.js';
import { createTokenRepo } from '../../src/server/store/tokens.js';
import { columnsOf, memoryDatabase } from './support/rows.js';

setLogLevel('error');

const created = '2026-11-01T10:00:00.000Z';

/** A version-2 database holding a clinician, a token, a session and an invitation. */
function version2(): BetterSqlite3.Database {
  const db = memoryDatabase();
  migrate(db, [m001, m002]);
  db.prepare(`INSERT INTO clinicians VALUES ('c1', 'ana', 'Ana', 'h', 1, ?)`).run(created);
  db.prepare(`INSERT INTO tokens VALUES ('th', 'c1', ?, ?, 0)`).run(created, '2026-11-01T22:00:00.000Z');
  db.prepare(`INSERT INTO sessions (id, title, starts_at, ends_at, facilitator_id, state, created_at) VALUES ('s1', 'G', ?, ?, 'c1', 'scheduled', ?)`).run(created, created, created);
  db.prepare(`INSERT INTO invitations (id, session_id, participant_ref, participant_id, token_hash, passcode_hash, created_at) VALUES ('i1', 's1', 'IOP-1', 'p-1', 'tok', 'pc', ?)`).run(created);
  return db;
}

describe('migration 003_accounts', () => {
  it('adds second-factor, lockout, last-use, hint and auth_events storage, keeping existing rows', async () => {
    const db = version2();
    expect(migrate(db, [m001, m002, m003])).toEqual([3]);
    expect(schemaVersion(db)).toBe(3);
    expect(columnsOf(db, 'clinicians')).toEqual(expect.arrayContaining(['totp_secret_sealed', 'totp_last_step', 'locked_until']));
    expect(columnsOf(db, 'tokens')).toContain('last_used_at');
    expect(columnsOf(db, 'invitations')).toEqual(expect.arrayContaining(['verification_hint_sealed', 'issued_at']));
    expect(columnsOf(db, 'auth_events')).toEqual(['id', 'at', 'event', 'actor_id', 'subject_id', 'address', 'detail']);
    // Existing tokens count as last used when made; existing invitations as issued when made.
    expect(await createTokenRepo(sqliteSql(db)).byHash('th')).toMatchObject({ lastUsedAt: created, revoked: false });
    // Today's repositories read today's columns: the rest of the way, under a records key.
    const keys = createRecordKeys(randomBytes(32));
    migrate(db, undefined, undefined, keys);
    const { sealer, lookup } = keys;
    expect(await createInvitationRepo(sqliteSql(db), sealer, lookup).byId('i1')).toMatchObject({ issuedAt: created, verificationHint: null });
    expect(await createClinicianRepo(sqliteSql(db), sealer).byId('c1')).toMatchObject({ totpEnrolled: false, totpLastStep: null, lockedUntil: null });
  });

  it('keeps TOTP secrets and hints sealed: a dump shows neither, another key opens neither', async () => {
    const db = version2();
    // Today's repositories write today's columns (migration 7 seals references).
    const keys = createRecordKeys(randomBytes(32));
    migrate(db, undefined, undefined, keys);
    const { sealer, lookup } = keys;
    const clinicians = createClinicianRepo(sqliteSql(db), sealer);
    const secret = Buffer.from('0123456789abcdefghij');
    await clinicians.setTotpSecret('c1', secret);
    expect((await clinicians.totpSecret('c1'))?.equals(secret)).toBe(true);
    const invitations = createInvitationRepo(sqliteSql(db), sealer, lookup);
    const inv = await invitations.create({ sessionId: 's1', participantRef: 'IOP-2', tokenHash: 't2', passcodeHash: 'p2', verificationHint: 'knows code word BLUEBIRD' });
    const dump = Buffer.concat(
      (db.prepare(`SELECT totp_secret_sealed AS b FROM clinicians UNION ALL SELECT verification_hint_sealed FROM invitations WHERE verification_hint_sealed IS NOT NULL`).all() as { b: Buffer }[]).map((r) => r.b),
    );
    expect(dump.includes(secret)).toBe(false);
    expect(dump.includes(Buffer.from(secret.toString('base64')))).toBe(false);
    expect(dump.includes(Buffer.from('BLUEBIRD'))).toBe(false);
    const stranger = createRecordSealer(randomBytes(32));
    await expect(createClinicianRepo(sqliteSql(db), stranger).totpSecret('c1')).rejects.toThrow();
    expect((await createInvitationRepo(sqliteSql(db), stranger, lookup).byId(inv.id))?.verificationHint).toBeNull();
  });

  it('claims each TOTP step once, and never an older one', async () => {
    const db = version2();
    migrate(db, [m001, m002, m003]);
    const clinicians = createClinicianRepo(sqliteSql(db), createRecordSealer(randomBytes(32)));
    expect(await clinicians.claimTotpStep('c1', 100)).toBe(true);
    expect(await clinicians.claimTotpStep('c1', 100)).toBe(false);
    expect(await clinicians.claimTotpStep('c1', 99)).toBe(false);
    expect(await clinicians.claimTotpStep('c1', 101)).toBe(true);
    // A new secret starts the memory afresh.
    await clinicians.setTotpSecret('c1', randomBytes(20));
    expect(await clinicians.claimTotpStep('c1', 50)).toBe(true);
  });

  it('keeps usernames unique without regard to case', async () => {
    const db = version2();
    migrate(db, [m001, m002, m003]);
    const clinicians = createClinicianRepo(sqliteSql(db), createRecordSealer(randomBytes(32)));
    expect((await clinicians.byUsername('ANA'))?.id).toBe('c1');
    await expect(clinicians.create({ username: 'Ana', displayName: 'A', roles: ['facilitator'], passwordHash: 'h' })).rejects.toThrow();
  });
});
