/**
 * A vault written by the previous console (schema 2: bodies in the notes row, a format-1
 * index snapshot) opens with this one: migration 3 moves the bodies, the old snapshot is
 * refused and rebuilt, migration 4 reseals every note under the vault's purpose keys, and every
 * note is still there, opens and is found by search.
 */
import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Note } from '../../../src/shared/notes';
import { vaultTag } from '../../../src/main/notes/indexSnapshot';
import { migrateVault, vaultSchemaVersion } from '../../../src/main/notes/migrate';
import * as m001 from '../../../src/main/notes/migrations/001_vault';
import * as m002 from '../../../src/main/notes/migrations/002_index_snapshot';
import { VAULT_MIGRATIONS } from '../../../src/main/notes/migrations/index';
import { fingerprint } from '../../../src/main/notes/indexSnapshot';
import { newKey } from '../../../src/main/sealing';
import { legacyVaultSeal as seal } from '../support/legacySealing';
import { createMemoryKeyStore, openVault, vaultPath } from '../../../src/main/notes/vault';
import { ACCOUNT, storedDraft, tempDir } from './support/fixture';

/** Writes `count` notes exactly as the schema-2 vault stored them, with that vault's snapshot. */
function writeSchema2Vault(dir: string, key: Uint8Array, count: number): Note[] {
  mkdirSync(dir, { recursive: true });
  const db = new BetterSqlite3(vaultPath(dir, ACCOUNT));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrateVault(db, null, [m001, m002]);
    const check = seal(key, { kind: 'check', id: 'vault-key-check', version: 1 }, 'ok');
    db.prepare(`INSERT INTO vault_meta (name, value) VALUES ('key-check', ?)`).run(check);
    const insert = db.prepare(
      `INSERT INTO notes (id, version, status, template, author_id, session_id, synced_version, meta_sealed, doc_sealed)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const outbox = db.prepare('INSERT INTO outbox (id, version, base_version) VALUES (?, ?, 0)');
    const notes: Note[] = [];
    const snapshotNotes: [number, string, string, string[], string, string][] = [];
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const version = 1 + (i % 3);
        const note = storedDraft(i, version, `Upgrade note ${i}`, `oldword${i}z shared words`);
        const at = note.createdAt;
        const meta = seal(key, { kind: 'meta', id: note.id, version }, { title: note.body.title, clientRefs: note.body.clientRefs, serviceDate: note.serviceDate, createdAt: at, updatedAt: at });
        const doc = seal(key, { kind: 'doc', id: note.id, version }, note);
        insert.run(note.id, version, note.status, note.template, note.authorId, note.sessionId, i % 4 === 0 ? version : 0, meta, doc);
        if (i % 4 !== 0) outbox.run(note.id, version);
        notes.push(note);
        snapshotNotes.push([i, fingerprint(meta), note.body.title, note.body.clientRefs, note.serviceDate, at]);
      }
      // The schema-2 console's snapshot (format 1: the head sealed as JSON, no chunks here): the
      // new console must refuse it and rebuild, not read it as its own format.
      const head = { format: 1, ids: notes.map((n) => n.id), firstTerms: [], notes: snapshotNotes };
      db.prepare('INSERT INTO index_snapshot (part, generation, sealed) VALUES (0, 1, ?)').run(seal(key, { kind: 'index', id: `${vaultTag(check)}:head`, version: 1 }, head));
    })();
    expect(vaultSchemaVersion(db)).toBe(2);
    return notes;
  } finally {
    db.close();
  }
}

describe('upgrading a schema-2 vault', () => {
  it('keeps every note: all open, are listed and are found by search, and the files hold no plaintext', async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const key = newKey();
    const keyStore = createMemoryKeyStore({ [ACCOUNT]: key });
    const notes = writeSchema2Vault(dir, key, 120);

    const vault = await openVault({ dir, account: ACCOUNT, keyStore });
    onTestFinished(() => vault.close());
    expect(vault.status()).toEqual({ state: 'unlocked' });
    const raw = new BetterSqlite3(vaultPath(dir, ACCOUNT), { readonly: true });
    expect(vaultSchemaVersion(raw)).toBe(VAULT_MIGRATIONS.length);
    expect(raw.prepare('SELECT count(*) AS n FROM note_docs').get()).toEqual({ n: notes.length });
    raw.close();

    const listed = new Map(vault.list().map((s) => [s.id, s]));
    expect(listed.size).toBe(notes.length);
    for (const n of notes) {
      expect(listed.get(n.id), n.id).toMatchObject({ title: n.body.title, version: n.version, damaged: false });
      expect(vault.get(n.id)).toEqual(n);
    }
    // Unsynced notes are still waiting to sync; synced ones are not.
    expect(vault.outbox().map((e) => e.id).sort()).toEqual(notes.filter((_, i) => i % 4 !== 0).map((n) => n.id).sort());
    for (const [i, n] of notes.entries()) {
      expect(vault.list({ query: `oldword${i}z` }).map((s) => s.id), `oldword${i}z`).toEqual([n.id]);
    }
    expect(vault.list({ query: 'shared words' })).toHaveLength(notes.length);

    // Edits after the upgrade land in the new layout and survive a reopen with the new snapshot.
    const edited = vault.saveDraft(notes[1]!.id, { ...notes[1]!.body, sections: { data: 'rewritten after upgrade', assessment: '', plan: '' } }, notes[1]!.version);
    vault.close();
    const reopened = await openVault({ dir, account: ACCOUNT, keyStore });
    onTestFinished(() => reopened.close());
    expect(reopened.list()).toHaveLength(notes.length);
    expect(reopened.list({ query: 'rewritten' }).map((s) => s.id)).toEqual([edited.id]);
    expect(reopened.list({ query: 'oldword1z' })).toEqual([]);
    expect(reopened.list({ query: 'oldword7z' }).map((s) => s.id)).toEqual([notes[7]!.id]);
    expect(reopened.get(edited.id).version).toBe(notes[1]!.version + 1);
    reopened.close();

    const bytes = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
    for (const marker of ['Upgrade note', 'oldword', 'IOP-1', 'rewritten']) expect(bytes.includes(Buffer.from(marker)), marker).toBe(false);
  });
});
