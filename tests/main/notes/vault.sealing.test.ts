import type BetterSqlite3 from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createMemoryKeyStore, openVault } from '../../../src/main/notes/vault';
import { newKey } from '../../../src/main/sealing';
import { flipSealedByte } from '../support/tamper';
import { ACCOUNT, ana, body, newNote, rawVaultDb, withVault } from './support/fixture';

async function vaultWithNotes(n = 2) {
  const v = await withVault();
  onTestFinished(v.cleanup);
  const notes = Array.from({ length: n }, (_, i) => v.vault.create(newNote({ body: body({ title: `Note ${i}` }) }), ana));
  return { ...v, notes };
}

/** Closes the vault, changes its file with `edit` as anyone holding the file could, and opens it again. */
async function reopenedAfter(v: Awaited<ReturnType<typeof vaultWithNotes>>, edit: (db: BetterSqlite3.Database) => void) {
  v.vault.close();
  const db = rawVaultDb(v.dir);
  edit(db);
  db.close();
  return v.reopen();
}

describe('note vault sealing', () => {
  it('round trip: a saved note reopens with the same content after the vault is closed', async () => {
    const v = await vaultWithNotes(1);
    const note = v.notes[0]!;
    const saved = v.vault.saveDraft(note.id, body({ title: 'Revised', sections: { data: 'ünïcødé ✓', assessment: '', plan: '' } }), note.version);
    const again = await v.reopen();
    expect(again.status()).toEqual({ state: 'unlocked' });
    expect(again.get(note.id)).toEqual(saved);
    expect(again.list().map((s) => s.title)).toEqual(['Revised']);
  });

  it('uses WAL with synchronous=FULL so acknowledged saves survive power loss', async () => {
    const v = await vaultWithNotes(1);
    v.vault.close();
    const db = rawVaultDb(v.dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('a wrong key (the keychain entry replaced) locks the vault and is never replaced', async () => {
    const v = await vaultWithNotes(1);
    v.vault.close();
    const stranger = newKey();
    const keyStore = createMemoryKeyStore({ [ACCOUNT]: stranger });
    const vault = await openVault({ dir: v.dir, account: ACCOUNT, keyStore });
    expect(vault.status()).toMatchObject({ state: 'locked', reason: 'no-key' });
    expect(() => vault.list()).toThrow(/locked/);
    expect(() => vault.create(newNote(), ana)).toThrow(/locked/);
    expect(keyStore.keys.get(ACCOUNT)).toEqual(stranger);
    vault.close();
  });

  it('a missing keychain entry with notes present locks the vault (no-key) and makes no new key', async () => {
    const v = await vaultWithNotes(1);
    v.vault.close();
    const keyStore = createMemoryKeyStore();
    const vault = await openVault({ dir: v.dir, account: ACCOUNT, keyStore });
    expect(vault.status()).toMatchObject({ state: 'locked', reason: 'no-key', message: expect.stringContaining('will not make a new key') });
    expect(keyStore.keys.size).toBe(0);
    vault.close();
  });

  it('a keychain that cannot be reached locks the vault (no-keychain) and says what to do', async () => {
    const { KeychainUnavailableError } = await import('../../../src/main/notes/vault');
    const v = await withVault({
      get: async () => {
        throw new KeychainUnavailableError('no bus');
      },
      set: async () => undefined,
    });
    onTestFinished(v.cleanup);
    expect(v.vault.status()).toMatchObject({ state: 'locked', reason: 'no-keychain', message: expect.stringContaining('keychain') });
  });

  it('a ciphertext moved to another row is refused: that note is damaged, the others open', async () => {
    const v = await vaultWithNotes(3);
    const [a, b, c] = v.notes as [typeof v.notes[0], typeof v.notes[0], typeof v.notes[0]];
    const vault = await reopenedAfter(v, (db) => {
      const fromA = db.prepare('SELECT meta_sealed, doc_sealed FROM notes JOIN note_docs USING (id) WHERE id = ?').get(a.id) as { meta_sealed: Buffer; doc_sealed: Buffer };
      db.prepare('UPDATE notes SET meta_sealed = ? WHERE id = ?').run(fromA.meta_sealed, b.id);
      db.prepare('UPDATE note_docs SET doc_sealed = ? WHERE id = ?').run(fromA.doc_sealed, b.id);
    });
    const byId = new Map(vault.list().map((s) => [s.id, s]));
    expect(byId.get(b.id)?.damaged).toBe(true);
    expect(byId.get(a.id)?.damaged).toBe(false);
    expect(() => vault.get(b.id)).toThrow(/damaged/);
    expect(vault.get(c.id).body.title).toBe('Note 2');
  });

  it('a ciphertext from an older version of the same note is refused', async () => {
    const v = await vaultWithNotes(1);
    const note = v.notes[0]!;
    const db0 = rawVaultDb(v.dir);
    const old = db0.prepare('SELECT doc_sealed FROM note_docs WHERE id = ?').get(note.id) as { doc_sealed: Buffer };
    db0.close();
    v.vault.saveDraft(note.id, body({ title: 'v2' }), 1);
    const vault = await reopenedAfter(v, (db) => db.prepare('UPDATE note_docs SET doc_sealed = ? WHERE id = ?').run(old.doc_sealed, note.id));
    expect(() => vault.get(note.id)).toThrow(/damaged/);
  });

  it('a flipped byte in the list fields makes that one note damaged in list() and get() throws, while the others open', async () => {
    const v = await vaultWithNotes(2);
    const [a, b] = v.notes as [typeof v.notes[0], typeof v.notes[0]];
    const vault = await reopenedAfter(v, (db) => flipSealedByte(db, 'notes', 'meta_sealed', { id: a.id }, -3, 0x01));
    expect(vault.status()).toEqual({ state: 'unlocked' });
    const list = vault.list();
    expect(list.find((s) => s.id === a.id)).toMatchObject({ damaged: true, title: '' });
    expect(list.find((s) => s.id === b.id)).toMatchObject({ damaged: false, title: 'Note 1' });
    expect(vault.get(b.id).body.title).toBe('Note 1');
    expect(() => vault.get(a.id)).toThrow(/damaged/);
  });

  it('a flipped byte in a body makes get() throw a clear error and list() mark it damaged, while search finds the others', async () => {
    const v = await vaultWithNotes(2);
    const [a, b] = v.notes as [typeof v.notes[0], typeof v.notes[0]];
    const vault = await reopenedAfter(v, (db) => flipSealedByte(db, 'note_docs', 'doc_sealed', { id: a.id }, 40, 0x80));
    expect(() => vault.get(a.id)).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(/damaged/) }));
    expect(vault.list().find((s) => s.id === a.id)?.damaged).toBe(true);
    expect(vault.list({ query: 'note' }).map((s) => s.id)).toEqual([b.id]);
  });

  it('a note whose body row is missing is damaged, while the others list, open and are found', async () => {
    const v = await vaultWithNotes(2);
    const [a, b] = v.notes as [typeof v.notes[0], typeof v.notes[0]];
    const vault = await reopenedAfter(v, (db) => db.prepare('DELETE FROM note_docs WHERE id = ?').run(a.id));
    expect(() => vault.get(a.id)).toThrow(/damaged/);
    expect(vault.list().find((s) => s.id === a.id)?.damaged).toBe(true);
    expect(vault.list({ query: 'note' }).map((s) => s.id)).toEqual([b.id]);
    expect(vault.get(b.id).body.title).toBe('Note 1');
  });

  it('editing a clear column (a signed note back to draft) does not make it editable: it is damaged', async () => {
    const v = await vaultWithNotes(1);
    const note = v.notes[0]!;
    v.vault.sign(note.id, ana, false);
    const vault = await reopenedAfter(v, (db) => db.prepare(`UPDATE notes SET status = 'draft' WHERE id = ?`).run(note.id));
    expect(() => vault.saveDraft(note.id, body({ title: 'forged' }), 2)).toThrow(/damaged/);
  });

  it('the database files hold no plaintext of titles, client references or content (WAL and SHM included)', async () => {
    const v = await withVault();
    onTestFinished(v.cleanup);
    const markers = ['MARKERTITLE7731', 'MARKERCLIENT5521', 'MARKERSECTION9913', 'MARKERGROUP4417', 'MARKERADDENDUM2208', 'MARKERRETURN6612'];
    const g = v.vault.create({ template: 'group', sessionId: 's-9', serviceDate: '2026-11-03', body: { title: `Group ${markers[0]}`, clientRefs: [markers[1]!], sections: { summary: `talked about ${markers[2]}`, plan: '' }, clients: [{ participantRef: markers[1]!, present: true, minutesPresent: 50, text: markers[3]! }] } }, ana);
    const signed = v.vault.sign(g.id, ana, true);
    v.vault.returnToAuthor(signed.id, markers[5]!, { id: 'c-sup', name: 'Sup' });
    const d = v.vault.create(newNote({ body: body({ title: markers[0]! }) }), ana);
    v.vault.sign(d.id, ana, false);
    v.vault.addAddendum(d.id, markers[4]!, ana);
    v.vault.markConflict(d.id, { ...v.vault.get(d.id), version: 9, body: body({ title: `${markers[0]} theirs` }) });
    // Bytes on disk while open (WAL not yet checkpointed) and after close.
    const scan = () => {
      const files = readdirSync(v.dir).map((f) => join(v.dir, f));
      expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
      const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
      for (const m of markers) {
        expect(bytes.includes(Buffer.from(m, 'utf8')), m).toBe(false);
        expect(bytes.includes(Buffer.from(m, 'utf16le')), m).toBe(false);
      }
      expect(bytes.includes(Buffer.from('2026-11-03'))).toBe(false);
    };
    scan();
    const db = rawVaultDb(v.dir);
    db.pragma('wal_checkpoint(PASSIVE)');
    db.close();
    scan();
  });
});
