import { describe, expect, it, onTestFinished } from 'vitest';
import type { Note } from '../../../src/shared/notes';
import { ana, body, newNote, withVault } from './support/fixture';

async function setup() {
  const v = await withVault();
  onTestFinished(v.cleanup);
  return v;
}

describe('note vault sync bookkeeping', () => {
  it('markSynced clears the entry of that version; a newer save waits on, based on the synced version', async () => {
    const { vault } = await setup();
    const n = vault.create(newNote(), ana);
    vault.saveDraft(n.id, body({ title: 'v2' }), 1);
    vault.markSynced(n.id, 1); // v1 reached the server while v2 was being saved
    expect(vault.outbox()).toEqual([{ id: n.id, version: 2, baseVersion: 1, attempts: 0, notBefore: 0 }]);
    vault.markSynced(n.id, 2);
    expect(vault.outbox()).toEqual([]);
    expect(vault.list()[0]?.sync).toBe('synced');
    vault.saveDraft(n.id, body({ title: 'v3' }), 2);
    expect(vault.outbox()).toEqual([{ id: n.id, version: 3, baseVersion: 2, attempts: 0, notBefore: 0 }]);
  });

  it('markFailed counts attempts and keeps the backoff time, until the next save resets it', async () => {
    const { vault, reopen } = await setup();
    const n = vault.create(newNote(), ana);
    vault.markFailed(n.id, 1, 5_000);
    vault.markFailed(n.id, 1, 9_000);
    vault.markFailed(n.id, 7, 99_999); // not the waiting version: ignored
    const again = await reopen();
    expect(again.outbox()).toEqual([{ id: n.id, version: 1, baseVersion: 0, attempts: 2, notBefore: 9_000 }]);
    again.saveDraft(n.id, body({ title: 'v2' }), 1);
    expect(again.outbox()).toEqual([{ id: n.id, version: 2, baseVersion: 0, attempts: 0, notBefore: 0 }]);
  });

  it('a conflict keeps both copies sealed, shows in the list, leaves the outbox, and resolves either way', async () => {
    const { vault, reopen } = await setup();
    const n = vault.create(newNote(), ana);
    vault.markSynced(n.id, 1);
    const mine = vault.saveDraft(n.id, body({ title: 'mine' }), 1);
    const theirs: Note = { ...mine, version: 2, body: body({ title: 'theirs' }), updatedAt: '2026-11-02T12:00:00.000Z' };
    vault.markConflict(n.id, theirs);
    const again = await reopen();
    expect(again.list()[0]).toMatchObject({ sync: 'conflict', title: 'mine' });
    expect(again.conflictOf(n.id)).toEqual(theirs);
    expect(again.outbox()).toEqual([]);
    const kept = again.resolveConflict(n.id, 'mine');
    expect(kept).toMatchObject({ version: 3, body: { title: 'mine' } });
    expect(again.outbox()).toEqual([{ id: n.id, version: 3, baseVersion: 2, attempts: 0, notBefore: 0 }]);
    expect(again.conflictOf(n.id)).toBeNull();
    expect(again.list()[0]?.sync).toBe('pending');
  });

  it("resolving with theirs replaces ours with the server's copy and drops our pending version", async () => {
    const { vault } = await setup();
    const n = vault.create(newNote(), ana);
    const theirs: Note = { ...n, version: 4, body: body({ title: 'theirs' }) };
    vault.markConflict(n.id, theirs);
    expect(vault.resolveConflict(n.id, 'theirs')).toEqual(theirs);
    expect(vault.get(n.id)).toEqual(theirs);
    expect(vault.outbox()).toEqual([]);
    expect(vault.list()[0]).toMatchObject({ sync: 'synced', title: 'theirs', version: 4 });
    // Editing continues from the server's version.
    expect(vault.saveDraft(n.id, body({ title: 'next' }), 4)).toMatchObject({ version: 5 });
    expect(vault.outbox()).toEqual([{ id: n.id, version: 5, baseVersion: 4, attempts: 0, notBefore: 0 }]);
  });

  it('applyRemote stores a server copy without an outbox entry, ignores stale copies, and never overwrites unsynced edits', async () => {
    const { vault } = await setup();
    const n = vault.create(newNote(), ana);
    vault.markSynced(n.id, 1);
    const remote: Note = { ...n, id: 'sup-note', authorId: 'c-other', status: 'awaiting-cosign', version: 2 };
    vault.applyRemote(remote);
    expect(vault.get('sup-note')).toEqual(remote);
    expect(vault.outbox()).toEqual([]);
    vault.applyRemote({ ...remote, version: 1, body: body({ title: 'stale' }) });
    expect(vault.get('sup-note').version).toBe(2);
    vault.applyRemote({ ...n, version: 3, body: body({ title: 'newer elsewhere' }) });
    expect(vault.get(n.id)).toMatchObject({ version: 3, body: { title: 'newer elsewhere' } });
    expect(vault.outbox()).toEqual([]);
    vault.saveDraft(n.id, body({ title: 'local edit' }), 3);
    vault.applyRemote({ ...n, version: 5, body: body({ title: 'edited on two workstations' }) });
    expect(vault.get(n.id).body.title).toBe('local edit');
    expect(vault.conflictOf(n.id)?.body.title).toBe('edited on two workstations');
    expect(vault.list().find((s) => s.id === n.id)?.sync).toBe('conflict');
  });
});
