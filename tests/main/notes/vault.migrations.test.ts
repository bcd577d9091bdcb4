import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateVault, vaultSchemaVersion } from '../../../src/main/notes/migrate';
import * as m001 from '../../../src/main/notes/migrations/001_vault';
import * as m002 from '../../../src/main/notes/migrations/002_index_snapshot';
import * as m003 from '../../../src/main/notes/migrations/003_note_docs';
import { VAULT_MIGRATIONS } from '../../../src/main/notes/migrations/index';
import { newKey } from '../../../src/main/sealing';

function columns(db: BetterSqlite3.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

describe('vault migrations', () => {
  it('are numbered 1..n and bring an empty database to the newest version once', () => {
    const db = new BetterSqlite3(':memory:');
    expect(VAULT_MIGRATIONS.map((m) => m.version)).toEqual(VAULT_MIGRATIONS.map((_, i) => i + 1));
    expect(migrateVault(db, newKey())).toEqual(VAULT_MIGRATIONS.map((m) => m.version));
    expect(migrateVault(db, newKey())).toEqual([]);
    expect(vaultSchemaVersion(db)).toBe(VAULT_MIGRATIONS.length);
  });

  it('without the keychain key stop before the first migration that needs it, and run it once given the key', () => {
    const db = new BetterSqlite3(':memory:');
    const needsKey = VAULT_MIGRATIONS.find((m) => m.needsKey)!.version;
    expect(migrateVault(db, null)).toEqual(VAULT_MIGRATIONS.filter((m) => m.version < needsKey).map((m) => m.version));
    expect(migrateVault(db, null)).toEqual([]);
    expect(vaultSchemaVersion(db)).toBe(needsKey - 1);
    expect(migrateVault(db, newKey())).toEqual(VAULT_MIGRATIONS.filter((m) => m.version >= needsKey).map((m) => m.version));
  });

  it('refuse a database written by a newer console', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('user_version = 99');
    expect(() => migrateVault(db, null)).toThrow(/newer Confidant/);
  });

  it('leave the previous version when one fails', () => {
    const db = new BetterSqlite3(':memory:');
    const broken = { version: 2, up: (d: BetterSqlite3.Database) => d.exec('CREATE TABLE x (a); SELECT nonsense FROM nowhere;') };
    expect(() => migrateVault(db, null, [m001, broken])).toThrow();
    expect(vaultSchemaVersion(db)).toBe(1);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'x'`).get()).toBeUndefined();
  });
});

describe('migration 001_vault', () => {
  it('creates notes with only non-identifying clear columns, the outbox, conflicts and vault_meta', () => {
    const db = new BetterSqlite3(':memory:');
    migrateVault(db, null, [m001]);
    expect(columns(db, 'notes')).toEqual(['id', 'version', 'status', 'template', 'author_id', 'session_id', 'synced_version', 'meta_sealed', 'doc_sealed']);
    expect(columns(db, 'outbox')).toEqual(['id', 'version', 'base_version', 'attempts', 'not_before']);
    expect(columns(db, 'conflicts')).toEqual(['id', 'version', 'sealed']);
    expect(columns(db, 'vault_meta')).toEqual(['name', 'value']);
    db.pragma('foreign_keys = ON');
    db.prepare(`INSERT INTO notes (id, version, status, template, author_id, session_id, meta_sealed, doc_sealed) VALUES ('n', 1, 'draft', 'dap', 'c', NULL, x'00', x'00')`).run();
    db.prepare(`INSERT INTO outbox (id, version, base_version) VALUES ('n', 1, 0)`).run();
    expect(db.prepare('SELECT attempts, not_before FROM outbox').get()).toEqual({ attempts: 0, not_before: 0 });
    expect(() => db.prepare(`INSERT INTO notes (id, version, status, template, author_id, meta_sealed, doc_sealed) VALUES ('m', 0, 'draft', 'dap', 'c', x'00', x'00')`).run()).toThrow(/CHECK/);
  });
});

describe('migration 002_index_snapshot', () => {
  it('adds the sealed index snapshot table to a version-1 vault without touching its notes', () => {
    const db = new BetterSqlite3(':memory:');
    migrateVault(db, null, [m001]);
    db.prepare(`INSERT INTO notes (id, version, status, template, author_id, session_id, meta_sealed, doc_sealed) VALUES ('n', 1, 'draft', 'dap', 'c', NULL, x'01', x'02')`).run();
    expect(migrateVault(db, null, [m001, m002])).toEqual([2]);
    expect(columns(db, 'index_snapshot')).toEqual(['part', 'generation', 'sealed']);
    expect(db.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 1 });
    db.prepare(`INSERT INTO index_snapshot (part, generation, sealed) VALUES (0, 1, x'00')`).run();
    expect(() => db.prepare(`INSERT INTO index_snapshot (part, generation, sealed) VALUES (0, 2, x'00')`).run()).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare(`INSERT INTO index_snapshot (part, generation, sealed) VALUES (-1, 1, x'00')`).run()).toThrow(/CHECK/);
  });
});

describe('migration 003_note_docs', () => {
  it('moves every body into note_docs, byte for byte, and drops it from the notes row', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrateVault(db, null, [m001, m002]);
    const insert = db.prepare(`INSERT INTO notes (id, version, status, template, author_id, session_id, meta_sealed, doc_sealed) VALUES (?, 1, 'draft', 'dap', 'c', NULL, ?, ?)`);
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: `n${i}`, meta: Buffer.from([1, i]), doc: Buffer.alloc(4000 + i, i) }));
    for (const r of rows) insert.run(r.id, r.meta, r.doc);
    db.prepare(`INSERT INTO outbox (id, version, base_version) VALUES ('n3', 1, 0)`).run();
    expect(migrateVault(db, null, [m001, m002, m003])).toEqual([3]);
    expect(columns(db, 'notes')).toEqual(['id', 'version', 'status', 'template', 'author_id', 'session_id', 'synced_version', 'meta_sealed']);
    expect(columns(db, 'note_docs')).toEqual(['id', 'doc_sealed']);
    const docs = new Map((db.prepare('SELECT id, doc_sealed FROM note_docs').all() as { id: string; doc_sealed: Buffer }[]).map((r) => [r.id, r.doc_sealed]));
    expect(docs.size).toBe(rows.length);
    for (const r of rows) {
      expect(docs.get(r.id)?.equals(r.doc), r.id).toBe(true);
      expect((db.prepare('SELECT meta_sealed FROM notes WHERE id = ?').get(r.id) as { meta_sealed: Buffer }).meta_sealed.equals(r.meta)).toBe(true);
    }
    expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 1 });
    // A body belongs to a note: none without one, and it goes with its note.
    expect(() => db.prepare(`INSERT INTO note_docs (id, doc_sealed) VALUES ('nobody', x'00')`).run()).toThrow(/FOREIGN KEY/);
    db.prepare(`DELETE FROM notes WHERE id = 'n0'`).run();
    expect(db.prepare(`SELECT count(*) AS n FROM note_docs WHERE id = 'n0'`).get()).toEqual({ n: 0 });
  });

  it('leaves schema 2 and every body in place when it fails part way', () => {
    const db = new BetterSqlite3(':memory:');
    migrateVault(db, null, [m001, m002]);
    db.prepare(`INSERT INTO notes (id, version, status, template, author_id, session_id, meta_sealed, doc_sealed) VALUES ('n', 1, 'draft', 'dap', 'c', NULL, x'01', x'02')`).run();
    // A table of that name already there makes the CREATE fail after nothing else ran.
    db.exec('CREATE TABLE note_docs (x)');
    expect(() => migrateVault(db, null, [m001, m002, m003])).toThrow();
    expect(vaultSchemaVersion(db)).toBe(2);
    expect(columns(db, 'notes')).toContain('doc_sealed');
    expect(db.prepare(`SELECT doc_sealed FROM notes WHERE id = 'n'`).get()).toEqual({ doc_sealed: Buffer.from([2]) });
  });
});
