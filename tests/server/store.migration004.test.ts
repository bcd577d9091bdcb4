import BetterSqlite3 from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { setLogLevel } from '../../src/common/logger.js';
import { migrate, schemaVersion } from '../../src/server/store/migrate.js';
import * as m001 from '../../src/server/store/migrations/001_initial.js';
import * as m002 from '../../src/server/store/migrations/002_moderation.js';
import * as m003 from '../../src/server/store/migrations/003_accounts.js';
import * as m004 from '../../src/server/store/migrations/004_notes.js';
import { createNoteRepo } from '../../src/server/store/notes.js';
import { createRecordSealer } from '../../src/server/store/recordSealer.js';
import { sqliteSql } from '../../src/server/store/sqlite/sqliteSql.js';
import { draftNote, next, signed } from './support/notes.js';
import { columnsOf, memoryDatabase } from './support/rows.js';

setLogLevel('error');

const created = '2026-11-01T10:00:00.000Z';

/** A version-3 database with two clinicians. */
function version3(): BetterSqlite3.Database {
  const db = memoryDatabase();
  migrate(db, [m001, m002, m003]);
  db.prepare(`INSERT INTO clinicians (id, username, display_name, password_hash, active, created_at) VALUES ('c1', 'ana', 'Ana', 'h', 1, ?)`).run(created);
  db.prepare(`INSERT INTO clinicians (id, username, display_name, password_hash, active, created_at) VALUES ('c2', 'bo', 'Bo', 'h', 1, ?)`).run(created);
  return db;
}

describe('migration 004_notes', () => {
  it('adds the notes table and the signed-version history, keeping existing rows', () => {
    const db = version3();
    expect(migrate(db, [m001, m002, m003, m004])).toEqual([4]);
    expect(schemaVersion(db)).toBe(4);
    expect(columnsOf(db, 'notes')).toEqual(['id', 'author_id', 'version', 'status', 'updated_at', 'note_sealed']);
    expect(columnsOf(db, 'note_versions')).toEqual(['note_id', 'version', 'status', 'stored_at', 'note_sealed']);
    expect(db.prepare(`SELECT count(*) AS n FROM clinicians`).get()).toEqual({ n: 2 });
    expect(() => db.prepare(`INSERT INTO notes VALUES ('n', 'nobody', 1, 'draft', ?, x'00')`).run(created)).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(`INSERT INTO notes VALUES ('n', 'c1', 1, 'published', ?, x'00')`).run(created)).toThrow(/CHECK/);
  });

  it('seals the whole note: a dump shows no text, another key opens nothing, a moved blob fails', async () => {
    const db = version3();
    migrate(db, [m001, m002, m003, m004]);
    const sealer = createRecordSealer(randomBytes(32));
    const notes = createNoteRepo(sqliteSql(db), sealer);
    const note = draftNote('c1', 'MARKER-MIGRATION-NOTE');
    expect(await notes.put(note, 0, new Date(created))).toBe(true);
    expect(await notes.byId(note.id)).toEqual(note);
    const dump = Buffer.concat((db.prepare(`SELECT note_sealed AS b FROM notes`).all() as { b: Buffer }[]).map((r) => r.b));
    expect(dump.includes(Buffer.from('MARKER-MIGRATION-NOTE'))).toBe(false);
    await expect(createNoteRepo(sqliteSql(db), createRecordSealer(randomBytes(32))).byId(note.id)).rejects.toThrow();
    // Another note's ciphertext copied onto this row does not open: id and version are bound in.
    const other = draftNote('c1');
    await notes.put(other, 0, new Date(created));
    db.prepare(`UPDATE notes SET note_sealed = (SELECT note_sealed FROM notes WHERE id = ?) WHERE id = ?`).run(other.id, note.id);
    await expect(notes.byId(note.id)).rejects.toThrow();
  });

  it('writes by compare-and-set on the version, and keeps every signed version', async () => {
    const db = version3();
    migrate(db, [m001, m002, m003, m004]);
    const notes = createNoteRepo(sqliteSql(db), createRecordSealer(randomBytes(32)));
    const v1 = draftNote('c1');
    expect(await notes.put(v1, 0, new Date(created))).toBe(true);
    expect(await notes.put(v1, 0, new Date(created))).toBe(false);
    const v2 = signed(v1);
    expect(await notes.put(v2, 0, new Date(created))).toBe(false);
    expect(await notes.put(v2, 1, new Date(created))).toBe(true);
    expect(await notes.put(next(v2), 1, new Date(created))).toBe(false);
    // The author is fixed.
    expect(await notes.put({ ...next(v2), authorId: 'c2' }, 2, new Date(created))).toBe(false);
    expect(await notes.history(v1.id)).toEqual([v2]);
    expect((await notes.byAuthor('c1')).map((n) => n.version)).toEqual([2]);
    expect(await notes.byAuthor('c2')).toEqual([]);
    expect(await notes.byAuthor('c1', new Date('2027-01-01T00:00:00Z'))).toEqual([]);
  });
});
