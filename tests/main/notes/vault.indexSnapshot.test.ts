import fc from 'fast-check';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readSnapshot, sealedCodec, vaultTag } from '../../../src/main/notes/indexSnapshot';
import { searchableTexts, tokenize } from '../../../src/main/notes/searchIndex';
import { newKey, purposeKey } from '../../../src/main/sealing';
import type { NoteVault } from '../../../src/main/notes/types';
import { createMemoryKeyStore, openVault, vaultPath } from '../../../src/main/notes/vault';
import { flipSealedByte } from '../support/tamper';
import { ACCOUNT, ana, body, newNote, rawVaultDb, sam, withVault } from './support/fixture';


function snapshotParts(dir: string, account = ACCOUNT): { part: number; generation: number; sealed: Buffer }[] {
  const db = rawVaultDb(dir, account);
  try {
    return db.prepare('SELECT part, generation, sealed FROM index_snapshot ORDER BY part').all() as { part: number; generation: number; sealed: Buffer }[];
  } finally {
    db.close();
  }
}

/** The files of an open vault as they are on disk now: what a crash (kill -9) would leave. */
function crashImage(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'confidant-vault-crash-'));
  onTestFinished(() => rmSync(copy, { recursive: true, force: true }));
  for (const suffix of ['', '-wal']) {
    if (existsSync(vaultPath(dir, ACCOUNT) + suffix)) copyFileSync(vaultPath(dir, ACCOUNT) + suffix, vaultPath(copy, ACCOUNT) + suffix);
  }
  return copy;
}

/** Search answered the slow obvious way: every note decrypted, its words scanned. */
function scan(vault: NoteVault, query: string): string[] {
  const words = tokenize(query);
  return vault
    .list()
    .filter((s) => !s.damaged)
    .filter((s) => {
      const note = vault.get(s.id);
      const tokens = searchableTexts(note.body, note.addenda).flatMap(tokenize);
      return words.every((w, i) => tokens.some((t) => (i === words.length - 1 ? t.startsWith(w) : t === w)));
    })
    .map((s) => s.id)
    .sort();
}

const found = (vault: NoteVault, query: string) => vault.list({ query }).map((s) => s.id).sort();

async function seeded() {
  const v = await withVault();
  onTestFinished(v.cleanup);
  const a = v.vault.create(newNote({ body: body({ title: 'Anxiety group', sections: { data: 'Practised box breathing.', assessment: '', plan: '' } }) }), ana);
  const b = v.vault.create(newNote({ body: body({ title: 'Check-in', clientRefs: ['IOP-2'], sections: { data: 'Discussed sleep hygiene.', assessment: '', plan: '' } }) }), ana);
  return { ...v, a, b };
}

describe('search index snapshot', () => {
  it('is written sealed when the vault closes, and a reopened vault lists and searches from it', async () => {
    const v = await seeded();
    v.vault.close();
    const parts = snapshotParts(v.dir);
    expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => i));
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const vault = await v.reopen();
    expect(found(vault, 'breath')).toEqual([v.a.id]);
    expect(found(vault, 'hygiene')).toEqual([v.b.id]);
    expect(vault.list().map((s) => s.title).sort()).toEqual(['Anxiety group', 'Check-in']);
  });

  it('holds no plaintext: titles, client references and words of the bodies are not in the files after close', async () => {
    const v = await withVault();
    onTestFinished(v.cleanup);
    const markers = ['SNAPTITLE4471', 'SNAPCLIENT8812', 'snapsectionword5531'];
    v.vault.create(newNote({ body: body({ title: markers[0]!, clientRefs: [markers[1]!], sections: { data: `about ${markers[2]}`, assessment: '', plan: '' } }) }), ana);
    expect(v.vault.list({ query: 'snapsection' })).toHaveLength(1);
    v.vault.close();
    expect(snapshotParts(v.dir).length).toBeGreaterThanOrEqual(2);
    const bytes = Buffer.concat(readdirSync(v.dir).map((f) => readFileSync(join(v.dir, f))));
    for (const m of [...markers, ...markers.map((m) => m.toLowerCase())]) {
      expect(bytes.includes(Buffer.from(m, 'utf8')), m).toBe(false);
    }
    await v.reopen();
  });

  it('a damaged snapshot head is rebuilt from the notes, and a new snapshot replaces it', async () => {
    const v = await seeded();
    v.vault.close();
    const db = rawVaultDb(v.dir);
    flipSealedByte(db, 'index_snapshot', 'sealed', { part: 0 }, -5, 0x40);
    db.close();
    const before = snapshotParts(v.dir)[0]!.generation;
    const vault = await v.reopen();
    expect(found(vault, 'sleep')).toEqual([v.b.id]);
    expect(vault.list().map((s) => s.title).sort()).toEqual(['Anxiety group', 'Check-in']);
    vault.close();
    expect(snapshotParts(v.dir)[0]!.generation).toBeGreaterThan(before);
    expect(found(await v.reopen(), 'anx')).toEqual([v.a.id]);
  });

  it('a damaged postings chunk is found at the first search that opens it, and the search still answers right', async () => {
    const v = await seeded();
    v.vault.close();
    const db = rawVaultDb(v.dir);
    flipSealedByte(db, 'index_snapshot', 'sealed', { part: 1 }, 30, 0x01);
    db.close();
    const vault = await v.reopen();
    expect(found(vault, 'box breathing')).toEqual([v.a.id]);
    expect(found(vault, 'iop-2')).toEqual([v.b.id]);
  });

  it('a snapshot moved from another vault is refused, even one sealed under the same key bytes', async () => {
    const key = newKey();
    const other = 'c-other@http://127.0.0.1:8443';
    const keyStore = createMemoryKeyStore({ [ACCOUNT]: key, [other]: key });
    const v = await withVault(keyStore);
    onTestFinished(v.cleanup);
    const mine = v.vault.create(newNote({ body: body({ title: 'Mine', sections: { data: 'grounding', assessment: '', plan: '' } }) }), ana);
    v.vault.close();
    const theirs = await openVault({ dir: v.dir, account: other, keyStore });
    theirs.create(newNote({ body: body({ title: 'Theirs', sections: { data: 'foreignword', assessment: '', plan: '' } }) }), sam);
    theirs.close();
    // Replace this vault's snapshot with the other vault's, part for part.
    const source = rawVaultDb(v.dir, other);
    const parts = source.prepare('SELECT part, generation, sealed FROM index_snapshot').all() as { part: number; generation: number; sealed: Buffer }[];
    source.close();
    const target = rawVaultDb(v.dir);
    target.prepare('DELETE FROM index_snapshot').run();
    for (const p of parts) target.prepare('INSERT INTO index_snapshot (part, generation, sealed) VALUES (?, ?, ?)').run(p.part, p.generation, p.sealed);
    target.close();
    // Refused as a whole, not merely outvoted by the rows: the binding names this vault.
    const check = rawVaultDb(v.dir);
    const keyCheck = (check.prepare(`SELECT value FROM vault_meta WHERE name = 'key-check'`).get() as { value: Buffer }).value;
    expect(readSnapshot(check, sealedCodec(purposeKey(key, 'vault index')), vaultTag(keyCheck))).toBeNull();
    check.close();
    const own = rawVaultDb(v.dir, other);
    const ownCheck = (own.prepare(`SELECT value FROM vault_meta WHERE name = 'key-check'`).get() as { value: Buffer }).value;
    expect(readSnapshot(own, sealedCodec(purposeKey(key, 'vault index')), vaultTag(ownCheck))).not.toBeNull();
    own.close();
    const vault = await v.reopen();
    expect(vault.list().map((s) => s.title)).toEqual(['Mine']);
    expect(found(vault, 'foreignword')).toEqual([]);
    expect(found(vault, 'grounding')).toEqual([mine.id]);
  });

  it('a chunk from an older snapshot of the same vault is refused (generations never mix)', async () => {
    const v = await seeded();
    v.vault.close();
    const old = snapshotParts(v.dir).find((p) => p.part === 1)!;
    const vault = await v.reopen();
    vault.saveDraft(v.a.id, body({ title: 'Mindfulness group' }), 1);
    vault.close();
    const db = rawVaultDb(v.dir);
    db.prepare('UPDATE index_snapshot SET sealed = ? WHERE part = 1').run(old.sealed);
    db.close();
    const again = await v.reopen();
    expect(found(again, 'anxiety')).toEqual([]);
    expect(found(again, 'mindful')).toEqual([v.a.id]);
  });

  it('after a crash (no close), notes saved since the snapshot are listed and found as they are now', async () => {
    const v = await seeded();
    const vault = await v.reopen(); // the snapshot now holds both notes
    vault.saveDraft(v.a.id, body({ title: 'Mindfulness group', sections: { data: 'Body scan.', assessment: '', plan: '' } }), 1);
    const c = vault.create(newNote({ body: body({ title: 'New after snapshot', sections: { data: 'journaling', assessment: '', plan: '' } }) }), ana);
    const image = crashImage(v.dir);
    const crashed = await openVault({ dir: image, account: ACCOUNT, keyStore: v.keyStore });
    onTestFinished(() => crashed.close());
    expect(crashed.list().map((s) => s.title).sort()).toEqual(['Check-in', 'Mindfulness group', 'New after snapshot']);
    expect(found(crashed, 'anxiety')).toEqual([]);
    expect(found(crashed, 'body scan')).toEqual([v.a.id]);
    expect(found(crashed, 'journal')).toEqual([c.id]);
    expect(found(crashed, 'hygiene')).toEqual([v.b.id]);
  });

  it('agrees with a scan of every note after random saves, signatures, addenda, server copies, closes and crashes', async () => {
    const v = await withVault();
    onTestFinished(v.cleanup);
    const vocabulary = ['anxiety', 'anchor', 'sleep', 'sleeping', 'grounding', 'group', 'café', 'cafe', 'plan', 'iop'];
    const sentence = fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 5 }).map((ws) => ws.join(' '));
    const step = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), title: sentence, data: sentence }),
      fc.record({ kind: fc.constant('save' as const), pick: fc.nat(), title: sentence, data: sentence }),
      fc.record({ kind: fc.constant('sign' as const), pick: fc.nat(), addendum: sentence }),
      fc.record({ kind: fc.constant('remote' as const), pick: fc.nat(), data: sentence }),
      fc.record({ kind: fc.constant('reopen' as const) }),
      fc.record({ kind: fc.constant('crash' as const) }),
    );
    let vault = v.vault;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
        for (const s of steps) {
          const notes = vault.list();
          const picked = notes.length ? notes[('pick' in s ? s.pick : 0) % notes.length]! : null;
          if (s.kind === 'create' || !picked) {
            const title = 'title' in s ? s.title : 'plan';
            vault.create(newNote({ body: body({ title, sections: { data: 'data' in s ? s.data : '', assessment: '', plan: '' } }) }), ana);
          } else if (s.kind === 'save' && (picked.status === 'draft' || picked.status === 'returned')) {
            vault.saveDraft(picked.id, body({ title: s.title, sections: { data: s.data, assessment: '', plan: '' } }), picked.version);
          } else if (s.kind === 'sign' || s.kind === 'save') {
            if (picked.status === 'draft') vault.sign(picked.id, ana, false);
            else if ('addendum' in s) vault.addAddendum(picked.id, s.addendum, ana);
          } else if (s.kind === 'remote') {
            vault.applyRemote({ ...vault.get(picked.id), id: `remote-${n++}`, version: 1, body: body({ title: 'From the server', sections: { data: s.data, assessment: '', plan: '' } }), addenda: [] });
          } else if (s.kind === 'reopen') {
            vault = await v.reopen();
          } else {
            const image = crashImage(v.dir);
            const crashed = await openVault({ dir: image, account: ACCOUNT, keyStore: v.keyStore });
            for (const q of ['sleep', 'anchor group', 'cafe', 'an', 'gr']) expect(found(crashed, q), `after a crash, "${q}"`).toEqual(scan(crashed, q));
            crashed.close();
          }
          for (const q of ['sleep', 'anchor group', 'cafe', 'an', 'gr', 'iop']) expect(found(vault, q), `"${q}"`).toEqual(scan(vault, q));
        }
      }),
      { seed: 77, numRuns: 12 },
    );
    // And the snapshot agrees with a rebuild from nothing.
    vault.close();
    const db = rawVaultDb(v.dir);
    db.prepare('DELETE FROM index_snapshot').run();
    db.close();
    const rebuilt = await v.reopen();
    for (const q of ['sleep', 'anchor group', 'cafe', 'an', 'gr', 'iop']) expect(found(rebuilt, q)).toEqual(scan(rebuilt, q));
  }, 60_000);
});
