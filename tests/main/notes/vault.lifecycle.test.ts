import BetterSqlite3 from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { canonicalJson } from '../../../src/shared/notes';
import { vaultPath } from '../../../src/main/notes/vault';
import { ACCOUNT, ana, body, newNote, sam, withVault } from './support/fixture';

async function setup() {
  let t = Date.parse('2026-11-02T10:00:00.000Z');
  const { createMemoryKeyStore, openVault } = await import('../../../src/main/notes/vault');
  const v = await withVault(createMemoryKeyStore());
  v.vault.close();
  const vault = await openVault({ dir: v.dir, account: ACCOUNT, keyStore: v.keyStore, clock: () => new Date((t += 1000)) });
  onTestFinished(() => {
    vault.close();
    v.cleanup();
  });
  return { vault, dir: v.dir };
}

const sha = (v: unknown) => createHash('sha256').update(canonicalJson(v)).digest('hex');

describe('note lifecycle', () => {
  it('signing records the clinician, the time and the SHA-256 of the canonical body', async () => {
    const { vault } = await setup();
    const n = vault.create(newNote(), ana);
    const signed = vault.sign(n.id, ana, false);
    expect(signed).toMatchObject({ status: 'signed', version: 2, signature: { by: 'c-ana', byName: 'Ana Ortiz', contentHash: sha(n.body) } });
    expect(Date.parse(signed.signature!.at)).toBeGreaterThan(Date.parse(n.createdAt));
  });

  it('a signed note never changes again: saveDraft and a second sign are CONFLICT', async () => {
    const { vault } = await setup();
    const n = vault.create(newNote(), ana);
    const signed = vault.sign(n.id, ana, false);
    expect(() => vault.saveDraft(n.id, body({ title: 'edited' }), signed.version)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => vault.sign(n.id, ana, false)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(vault.get(n.id)).toEqual(signed);
  });

  it('a draft save with a stale expected version is refused', async () => {
    const { vault } = await setup();
    const n = vault.create(newNote(), ana);
    vault.saveDraft(n.id, body({ title: 'first' }), 1);
    expect(() => vault.saveDraft(n.id, body({ title: 'second' }), 1)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(vault.get(n.id).body.title).toBe('first');
  });

  it('only the author signs; an invalid body is BAD_REQUEST', async () => {
    const { vault } = await setup();
    const n = vault.create(newNote(), ana);
    expect(() => vault.sign(n.id, sam, false)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => vault.saveDraft(n.id, { ...body(), title: 'x'.repeat(500) }, 1)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => vault.get('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('addenda are only for signed notes, append-only, and each is signed', async () => {
    const { vault } = await setup();
    const n = vault.create(newNote(), ana);
    expect(() => vault.addAddendum(n.id, 'too early', ana)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    const signed = vault.sign(n.id, ana, false);
    const one = vault.addAddendum(n.id, 'Client called to add context.', ana);
    const two = vault.addAddendum(n.id, 'Corrected the date of the next session.', ana);
    expect(two.addenda.map((a) => a.text)).toEqual(['Client called to add context.', 'Corrected the date of the next session.']);
    expect(two.addenda[0]).toEqual(one.addenda[0]);
    expect(two.body).toEqual(signed.body);
    expect(two.signature).toEqual(signed.signature);
    const a = two.addenda[1]!;
    expect(a.signature).toMatchObject({ by: 'c-ana', contentHash: sha({ noteId: n.id, addendumId: a.id, text: a.text }) });
    expect(two.status).toBe('signed');
  });

  it('a supervisee note awaiting co-signature is co-signed by the supervisor, not by its author', async () => {
    const { vault } = await setup();
    const n = vault.create(newNote(), ana);
    const waiting = vault.sign(n.id, ana, true);
    expect(waiting.status).toBe('awaiting-cosign');
    expect(() => vault.saveDraft(n.id, body(), waiting.version)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => vault.cosign(n.id, ana)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    const cosigned = vault.cosign(n.id, sam);
    expect(cosigned).toMatchObject({ status: 'cosigned', cosignature: { by: 'c-sam', contentHash: sha(n.body) }, signature: waiting.signature });
    expect(() => vault.cosign(n.id, sam)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(vault.addAddendum(n.id, 'Supervisor addendum', sam).addenda).toHaveLength(1);
  });

  it('a returned note carries the comment, is edited by its author and signed again', async () => {
    const { vault } = await setup();
    const n = vault.create(newNote(), ana);
    vault.sign(n.id, ana, true);
    expect(() => vault.returnToAuthor(n.id, '  ', sam)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    const returned = vault.returnToAuthor(n.id, 'Add the risk assessment.', sam);
    expect(returned).toMatchObject({ status: 'returned', returnComment: 'Add the risk assessment.', signature: null });
    const edited = vault.saveDraft(n.id, body({ sections: { data: 'x', assessment: 'No current risk.', plan: 'y' } }), returned.version);
    const resigned = vault.sign(n.id, ana, true);
    expect(resigned).toMatchObject({ status: 'awaiting-cosign', returnComment: null, signature: { contentHash: sha(edited.body) } });
    expect(vault.cosign(n.id, sam).status).toBe('cosigned');
  });

  it('every saved change bumps the version and writes its outbox entry in the same transaction', async () => {
    const { vault, dir } = await setup();
    const n = vault.create(newNote(), ana);
    expect(vault.outbox()).toEqual([{ id: n.id, version: 1, baseVersion: 0, attempts: 0, notBefore: 0 }]);
    const steps = [
      () => vault.saveDraft(n.id, body({ title: 'a' }), 1),
      () => vault.sign(n.id, ana, true),
      () => vault.returnToAuthor(n.id, 'redo', sam),
      () => vault.saveDraft(n.id, body({ title: 'b' }), 4),
      () => vault.sign(n.id, ana, true),
      () => vault.cosign(n.id, sam),
      () => vault.addAddendum(n.id, 'later', ana),
    ];
    steps.forEach((step, i) => {
      const note = step();
      expect(note.version).toBe(i + 2);
      expect(vault.outbox()).toEqual([{ id: n.id, version: i + 2, baseVersion: 0, attempts: 0, notBefore: 0 }]);
    });
    // A failing change writes nothing: neither a new version nor an outbox entry.
    expect(() => vault.saveDraft(n.id, body(), 8)).toThrow();
    const db = new BetterSqlite3(vaultPath(dir, ACCOUNT), { readonly: true });
    expect(db.prepare('SELECT version FROM notes').get()).toEqual({ version: 8 });
    expect(db.prepare('SELECT version FROM outbox').get()).toEqual({ version: 8 });
    db.close();
    expect(vault.list()[0]).toMatchObject({ sync: 'pending', status: 'cosigned', version: 8 });
  });
});
