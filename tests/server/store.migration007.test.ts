/**
 * Migration 7 on a version-6 file holding a session, an invitation, a weekly target and a
 * SHA-256-chained audit log that names the client by reference: titles and references come
 * out sealed (and found by their keyed hash), the file's bytes hold neither afterwards, the
 * log is re-chained under the key with a last entry saying what the old chain was worth, and
 * without the records key the migration refuses and changes nothing.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, keyedLink, legacyLink, verifyChain, type ChainedEntry } from '../../src/server/audit/chain.js';
import { setLogLevel } from '../../src/common/logger.js';
import { createAuditRepo } from '../../src/server/store/audit.js';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import { createRecordKeys, refContext, titleContext } from '../../src/server/store/recordKeys.js';
import { sqliteSql } from '../../src/server/store/sqlite/sqliteSql.js';
import { DATABASE_FILE, openStore } from '../../src/server/store/store.js';
import { columnsOf } from './support/rows.js';

setLogLevel('error');

const TITLE = 'Eating disorders IOP KZVW';
const REF = 'CLIENT-REF-PLMK';
const at = '2026-11-01T10:00:00.000Z';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'confidant-m7-'));
  file = path.join(dir, DATABASE_FILE);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The log's entries read as the live store reads them (its link only matters for appending). */
const entriesOf = (db: Database.Database): Promise<ChainedEntry[]> => createAuditRepo(sqliteSql(db), legacyLink).list();
const headOf = (db: Database.Database) => db.prepare<[], { seq: number; hash: string }>(`SELECT seq, hash FROM audit_head`).get();

/** A version-6 file as a server before this change left it. */
function version6(): Database.Database {
  const db = new Database(file);
  chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db, undefined, 6);
  db.prepare(`INSERT INTO clinicians (id, username, display_name, password_hash, active, created_at) VALUES ('c1', 'ana', 'Ana', 'h', 1, ?)`).run(at);
  db.prepare(`INSERT INTO sessions (id, title, starts_at, ends_at, facilitator_id, state, created_at) VALUES ('s1', ?, ?, ?, 'c1', 'scheduled', ?)`).run(TITLE, at, at, at);
  db.prepare(
    `INSERT INTO invitations (id, session_id, participant_ref, participant_id, token_hash, passcode_hash, created_at) VALUES ('i1', 's1', ?, 'p-1', 'tok', 'pc', ?)`,
  ).run(REF, at);
  db.prepare(`INSERT INTO attendance_targets (participant_ref, hours_per_week, set_by, set_at) VALUES (?, 9, 'c1', ?)`).run(REF, at);
  const insert = db.prepare(
    `INSERT INTO audit_log (seq, at, event, actor_id, subject_id, session_id, address, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let prevHash = GENESIS_HASH;
  const events: [string, string | null][] = [
    ['login.ok', 'c1'],
    ['attendance.viewed', REF],
    ['attendance.target_set', REF],
    ['roster.viewed', 's1'],
  ];
  events.forEach(([event, subjectId], i) => {
    const fields = { seq: i + 1, at, event, actorId: 'c1', subjectId, sessionId: null, address: '127.0.0.1', detail: null };
    const hash = legacyLink(prevHash, fields);
    insert.run(fields.seq, at, event, 'c1', subjectId, null, '127.0.0.1', null, prevHash, hash);
    prevHash = hash;
  });
  db.prepare(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`).run(events.length, prevHash);
  return db;
}

describe('migration 7', () => {
  it('seals titles and references, keys what finds them, and re-chains the audit log under the key', async () => {
    const db = version6();
    const recordsKey = randomBytes(32);
    const keys = createRecordKeys(recordsKey);
    expect(migrate(db, undefined, 7, keys)).toEqual([7]);
    expect(schemaVersion(db)).toBe(7);

    expect(columnsOf(db, 'sessions')).not.toContain('title');
    const session = db.prepare<[], { title_sealed: Buffer }>(`SELECT title_sealed FROM sessions WHERE id = 's1'`).get()!;
    expect(keys.sealer.open(session.title_sealed, titleContext('s1'))).toBe(TITLE);
    const inv = db.prepare<[], { participant_ref: string; participant_ref_sealed: Buffer }>(`SELECT * FROM invitations WHERE id = 'i1'`).get()!;
    expect(inv.participant_ref).toBe(keys.lookup.participantRef(REF));
    expect(keys.sealer.open(inv.participant_ref_sealed, refContext('i1'))).toBe(REF);
    expect(db.prepare(`SELECT participant_ref FROM attendance_targets`).get()).toEqual({ participant_ref: keys.lookup.participantRef(REF) });

    const entries = await entriesOf(db);
    expect(entries.map((e) => [e.event, e.subjectId])).toEqual([
      ['login.ok', 'c1'],
      ['attendance.viewed', `ref:${keys.lookup.participantRef(REF)}`],
      ['attendance.target_set', `ref:${keys.lookup.participantRef(REF)}`],
      ['roster.viewed', 's1'],
      ['audit.rekeyed', null],
    ]);
    expect(entries[4]!.detail).toBe('legacy chain intact: 4 entries');
    expect(verifyChain(entries, headOf(db), keyedLink(keys.chainKey))).toEqual({ ok: true, entries: 5 });
    expect(verifyChain(entries, headOf(db), legacyLink)).toMatchObject({ ok: false });
    // Still append-only afterwards.
    expect(() => db.prepare(`DELETE FROM audit_log WHERE seq = 1`).run()).toThrow(/append-only/);
    db.close();

    // The file, once the server has it: nothing in the clear, and everything still found.
    const bytes = Buffer.concat(readdirSync(dir).map((f) => readFileSync(path.join(dir, f))));
    for (const secret of [TITLE, REF, 'KZVW', 'PLMK']) expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
    // The store brings it the rest of the way.
    const store = openStore(dir, recordsKey);
    expect((await store.sessions.byId('s1'))?.title).toBe(TITLE);
    expect((await store.invitations.byParticipantRef(REF)).map((i) => [i.id, i.participantRef])).toEqual([['i1', REF]]);
    expect((await store.attendance.target(REF))?.hoursPerWeek).toBe(9);
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 5 });
    await store.close();
  });

  it('says on the re-chained log where an old chain was already broken', async () => {
    const db = version6();
    db.exec(`DROP TRIGGER audit_log_no_update`);
    db.prepare(`UPDATE audit_log SET actor_id = 'c-2' WHERE seq = 3`).run();
    const keys = createRecordKeys(randomBytes(32));
    migrate(db, undefined, undefined, keys);
    const entries = await entriesOf(db);
    expect(entries.at(-1)).toMatchObject({ event: 'audit.rekeyed', detail: 'legacy chain broken at 3: entry 3 was altered' });
    db.close();
  });

  it('without the records key, refuses and leaves the database as it was', async () => {
    const db = version6();
    expect(() => migrate(db, undefined, 7)).toThrow(/migration 7 .* needs the records key \(recordsKeyFile\)/);
    expect(schemaVersion(db)).toBe(6);
    expect(db.prepare(`SELECT title FROM sessions`).get()).toEqual({ title: TITLE });
    expect(verifyChain(await entriesOf(db), headOf(db), legacyLink)).toEqual({ ok: true, entries: 4 });
    db.close();
  });

  it("refuses a key made for this run only (no recordsKeyFile), which would lose the records at the next restart", () => {
    version6().close();
    expect(() => openStore(dir, randomBytes(32), { ephemeralKey: true })).toThrow(/needs the records key \(recordsKeyFile\)/);
    expect(() => openStore(dir)).toThrow(/needs the records key/);
    const db = new Database(file);
    expect(schemaVersion(db)).toBe(6);
    expect(db.prepare(`SELECT participant_ref FROM invitations`).get()).toEqual({ participant_ref: REF });
    db.close();
  });

  it('on an empty database needs no key and writes no marker', () => {
    const db = new Database(':memory:');
    migrate(db);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(7);
    expect(db.prepare(`SELECT count(*) AS n FROM audit_log`).get()).toEqual({ n: 0 });
  });
});
