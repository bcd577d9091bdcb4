/**
 * A vault without a usable snapshot rebuilds its index in a worker thread (indexWorker.ts):
 * without any search asking for it, with saves made meanwhile found as they are now, with
 * damaged notes isolated, and a search that comes first still answering right.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { NoteVault } from '../../../src/main/notes/types';
import { flipSealedByte } from '../support/tamper';
import { ana, body, newNote, rawVaultDb, withVault } from './support/fixture';

function sql<T>(dir: string, fn: (db: BetterSqlite3.Database) => T): T {
  const db = rawVaultDb(dir);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A vault of `n` notes whose snapshot is gone (as after an upgrade), reopened. */
async function withoutSnapshot(n: number) {
  const v = await withVault();
  onTestFinished(v.cleanup);
  const notes = Array.from({ length: n }, (_, i) =>
    v.vault.create(newNote({ body: body({ title: `Note ${i}`, sections: { data: `word${i}x common`, assessment: '', plan: '' } }) }), ana),
  );
  v.vault.close();
  sql(v.dir, (db) => db.prepare('DELETE FROM index_snapshot').run());
  const vault = await v.reopen();
  return { ...v, vault, notes };
}

const found = (vault: NoteVault, query: string) => vault.list({ query }).map((s) => s.id).sort();

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('index worker', () => {
  it('rebuilds the index off main without a search asking, and writes the snapshot', async () => {
    const v = await withoutSnapshot(40);
    // Nothing searched: main's event loop stays free while the worker works, then takes its
    // index and writes a new snapshot (the next open reads no note bodies).
    await until(() => sql(v.dir, (db) => (db.prepare('SELECT count(*) AS n FROM index_snapshot').get() as { n: number }).n) > 0);
    expect(found(v.vault, 'word7x')).toEqual([v.notes[7]!.id]);
    expect(found(v.vault, 'common')).toHaveLength(40);
  });

  it('a search right after open waits for the worker and answers right, saves made meanwhile included', async () => {
    const v = await withoutSnapshot(30);
    const edited = v.vault.saveDraft(v.notes[3]!.id, body({ title: 'Note 3', sections: { data: 'replaced text', assessment: '', plan: '' } }), 1);
    const added = v.vault.create(newNote({ body: body({ title: 'Added meanwhile', sections: { data: 'fresh common', assessment: '', plan: '' } }) }), ana);
    expect(found(v.vault, 'word3x')).toEqual([]);
    expect(found(v.vault, 'replaced')).toEqual([edited.id]);
    expect(found(v.vault, 'fresh')).toEqual([added.id]);
    expect(found(v.vault, 'common')).toHaveLength(30);
    // And that is what the snapshot it led to holds.
    const reopened = await v.reopen();
    expect(found(reopened, 'replaced')).toEqual([edited.id]);
    expect(found(reopened, 'word3x')).toEqual([]);
    expect(found(reopened, 'common')).toHaveLength(30);
  });

  it('a body the worker finds damaged makes that one note damaged; the others are found', async () => {
    const v = await withVault();
    onTestFinished(v.cleanup);
    const a = v.vault.create(newNote({ body: body({ title: 'A', sections: { data: 'alpha shared', assessment: '', plan: '' } }) }), ana);
    const b = v.vault.create(newNote({ body: body({ title: 'B', sections: { data: 'beta shared', assessment: '', plan: '' } }) }), ana);
    v.vault.close();
    sql(v.dir, (db) => {
      db.prepare('DELETE FROM index_snapshot').run();
      flipSealedByte(db, 'note_docs', 'doc_sealed', { id: a.id }, 60, 0x04);
    });
    const vault = await v.reopen();
    expect(found(vault, 'shared')).toEqual([b.id]);
    expect(vault.list().find((s) => s.id === a.id)?.damaged).toBe(true);
    expect(() => vault.get(a.id)).toThrow(/damaged/);
  });

  it('closing while the worker runs loses nothing: the next open builds again', async () => {
    const v = await withoutSnapshot(20);
    v.vault.close();
    const vault = await v.reopen();
    expect(found(vault, 'word11x')).toEqual([v.notes[11]!.id]);
    expect(vault.list()).toHaveLength(20);
  });
});
