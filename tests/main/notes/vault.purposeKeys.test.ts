/**
 * Migration 4 (migrations/004_purpose_keys.ts): a vault whose rows were sealed under the
 * keychain key itself (schemas 1–3) is resealed under the vault's own keys, derived from it
 * per purpose, and nothing a clinician wrote is lost: every note, every outbox entry and every
 * conflict opens after it, a note that was already damaged stays damaged with its bytes kept,
 * and under a wrong key nothing is touched. The old sealing is written out in the test's
 * support (legacySealing.ts), not kept in shipped code.
 */
import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Note } from '../../../src/shared/notes';
import { migrateVault, vaultSchemaVersion } from '../../../src/main/notes/migrate';
import * as m001 from '../../../src/main/notes/migrations/001_vault';
import * as m002 from '../../../src/main/notes/migrations/002_index_snapshot';
import * as m003 from '../../../src/main/notes/migrations/003_note_docs';
import { VAULT_MIGRATIONS } from '../../../src/main/notes/migrations/index';
import { newKey } from '../../../src/main/sealing';
import { createMemoryKeyStore, KeychainUnavailableError, openVault, vaultPath, type KeyStore } from '../../../src/main/notes/vault';
import { legacyVaultSeal, opensUnderKeychainKey } from '../support/legacySealing';
import { ACCOUNT, storedDraft, tempDir } from './support/fixture';

interface OldVault {
  dir: string;
  notes: Note[];
  /** The note whose body was damaged before the upgrade. */
  damaged: Note;
  /** The server's copy kept for a conflict with notes[1]. */
  theirs: Note;
}

/** A schema-3 vault of `count` notes, every row sealed under the keychain key as that console did. */
function writeSchema3Vault(key: Uint8Array, count: number): OldVault {
  const { dir, cleanup } = tempDir();
  onTestFinished(cleanup);
  mkdirSync(dir, { recursive: true });
  const db = new BetterSqlite3(vaultPath(dir, ACCOUNT));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrateVault(db, null, [m001, m002, m003]);
    const check = legacyVaultSeal(key, { kind: 'check', id: 'vault-key-check', version: 1 }, 'ok');
    db.prepare(`INSERT INTO vault_meta (name, value) VALUES ('key-check', ?)`).run(check);
    const insert = db.prepare(
      `INSERT INTO notes (id, version, status, template, author_id, session_id, synced_version, meta_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertDoc = db.prepare('INSERT INTO note_docs (id, doc_sealed) VALUES (?, ?)');
    const outbox = db.prepare('INSERT INTO outbox (id, version, base_version) VALUES (?, ?, 0)');
    const notes = Array.from({ length: count }, (_, i) => storedDraft(i, 1 + (i % 3), `Schema 3 note ${i}`, `keptword${i}q ünïcødé`));
    const theirs = Note.parse({ ...notes[1]!, version: notes[1]!.version + 4, body: { ...notes[1]!.body, title: 'Their edit' } });
    db.transaction(() => {
      for (const [i, n] of notes.entries()) {
        const meta = { title: n.body.title, clientRefs: n.body.clientRefs, serviceDate: n.serviceDate, createdAt: n.createdAt, updatedAt: n.updatedAt };
        insert.run(n.id, n.version, n.status, n.template, n.authorId, n.sessionId, i % 4 === 0 ? n.version : 0, legacyVaultSeal(key, { kind: 'meta', id: n.id, version: n.version }, meta));
        const doc = legacyVaultSeal(key, { kind: 'doc', id: n.id, version: n.version }, n);
        // notes[2]'s body was damaged on disk before the upgrade.
        if (i === 2) doc[60]! ^= 0x04;
        insertDoc.run(n.id, doc);
        if (i % 4 !== 0) outbox.run(n.id, n.version);
      }
      db.prepare('INSERT INTO conflicts (id, version, sealed) VALUES (?, ?, ?)').run(theirs.id, theirs.version, legacyVaultSeal(key, { kind: 'conflict', id: theirs.id, version: theirs.version }, theirs));
      db.prepare('INSERT INTO index_snapshot (part, generation, sealed) VALUES (0, 1, ?)').run(legacyVaultSeal(key, { kind: 'index', id: 'old:head', version: 1 }, { format: 1 }));
    })();
    expect(vaultSchemaVersion(db)).toBe(3);
    return { dir, notes, damaged: notes[2]!, theirs };
  } finally {
    db.close();
  }
}

/** Every sealed blob in the vault file, by where it is. */
function sealedBlobs(dir: string): Map<string, Buffer> {
  const db = new BetterSqlite3(vaultPath(dir, ACCOUNT), { readonly: true });
  try {
    const out = new Map<string, Buffer>();
    for (const r of db.prepare('SELECT id, meta_sealed FROM notes').all() as { id: string; meta_sealed: Buffer }[]) out.set(`meta ${r.id}`, r.meta_sealed);
    for (const r of db.prepare('SELECT id, doc_sealed FROM note_docs').all() as { id: string; doc_sealed: Buffer }[]) out.set(`doc ${r.id}`, r.doc_sealed);
    for (const r of db.prepare('SELECT id, sealed FROM conflicts').all() as { id: string; sealed: Buffer }[]) out.set(`conflict ${r.id}`, r.sealed);
    for (const r of db.prepare('SELECT name, value FROM vault_meta').all() as { name: string; value: Buffer }[]) out.set(`meta-row ${r.name}`, r.value);
    for (const r of db.prepare('SELECT part, sealed FROM index_snapshot').all() as { part: number; sealed: Buffer }[]) out.set(`index ${r.part}`, r.sealed);
    return out;
  } finally {
    db.close();
  }
}

function schemaOf(dir: string): number {
  const db = new BetterSqlite3(vaultPath(dir, ACCOUNT), { readonly: true });
  try {
    return vaultSchemaVersion(db);
  } finally {
    db.close();
  }
}

describe('resealing a schema-3 vault under purpose keys', () => {
  it('opens every note after the migration, keeps the outbox and the conflict, and the keychain key opens nothing left in the file', async () => {
    const key = newKey();
    const old = writeSchema3Vault(key, 40);
    const before = sealedBlobs(old.dir);
    const vault = await openVault({ dir: old.dir, account: ACCOUNT, keyStore: createMemoryKeyStore({ [ACCOUNT]: key }) });
    onTestFinished(() => vault.close());
    expect(vault.status()).toEqual({ state: 'unlocked' });
    expect(schemaOf(old.dir)).toBe(VAULT_MIGRATIONS.length);

    const listed = new Map(vault.list().map((s) => [s.id, s]));
    expect(listed.size).toBe(old.notes.length);
    for (const n of old.notes) {
      if (n.id === old.damaged.id) continue;
      expect(listed.get(n.id), n.id).toMatchObject({ title: n.body.title, version: n.version, damaged: false });
      expect(vault.get(n.id)).toEqual(n);
    }
    expect(vault.conflictOf(old.theirs.id)).toEqual(old.theirs);
    expect(listed.get(old.theirs.id)?.sync).toBe('conflict');
    const waiting = old.notes.filter((_, i) => i % 4 !== 0 && i !== 1).map((n) => n.id).sort();
    expect(vault.outbox().map((e) => e.id).sort()).toEqual(waiting);
    expect(vault.list({ query: 'keptword7q' }).map((s) => s.id)).toEqual([old.notes[7]!.id]);

    // Damaged before, damaged after: listed as such, and its bytes kept as they were.
    expect(() => vault.get(old.damaged.id)).toThrow(/damaged/);
    expect(vault.list().find((s) => s.id === old.damaged.id)?.damaged).toBe(true);
    vault.close();

    const after = sealedBlobs(old.dir);
    expect(after.get(`doc ${old.damaged.id}`)?.equals(before.get(`doc ${old.damaged.id}`)!)).toBe(true);
    for (const [where, blob] of after) {
      if (where === `doc ${old.damaged.id}`) continue;
      expect(opensUnderKeychainKey(key, blob), where).toBe(false);
    }
    // Everything that opened before opens again after a reopen, under the same keychain key.
    const reopened = await openVault({ dir: old.dir, account: ACCOUNT, keyStore: createMemoryKeyStore({ [ACCOUNT]: key }) });
    onTestFinished(() => reopened.close());
    for (const n of old.notes) if (n.id !== old.damaged.id) expect(reopened.get(n.id)).toEqual(n);
  });

  it('under a wrong key, or with no keychain, stays locked at schema 3 and changes nothing; the right key then migrates it', async () => {
    const key = newKey();
    const old = writeSchema3Vault(key, 6);
    const before = sealedBlobs(old.dir);
    const noKeychain: KeyStore = {
      get: async () => {
        throw new KeychainUnavailableError('no bus');
      },
      set: async () => undefined,
    };
    for (const keyStore of [createMemoryKeyStore({ [ACCOUNT]: newKey() }), noKeychain]) {
      const locked = await openVault({ dir: old.dir, account: ACCOUNT, keyStore });
      expect(locked.status()).toMatchObject({ state: 'locked' });
      locked.close();
      expect(schemaOf(old.dir)).toBe(3);
      const now = sealedBlobs(old.dir);
      expect([...now.keys()].sort()).toEqual([...before.keys()].sort());
      for (const [where, blob] of before) expect(now.get(where)?.equals(blob), where).toBe(true);
    }
    const vault = await openVault({ dir: old.dir, account: ACCOUNT, keyStore: createMemoryKeyStore({ [ACCOUNT]: key }) });
    onTestFinished(() => vault.close());
    expect(vault.status()).toEqual({ state: 'unlocked' });
    expect(schemaOf(old.dir)).toBe(VAULT_MIGRATIONS.length);
    expect(vault.get(old.notes[5]!.id)).toEqual(old.notes[5]);
  });
});
