/**
 * `PUT /api/notes/:id` and `GET /api/notes`: idempotency by (id, version), the baseVersion
 * conflict, signed notes that never change, addenda that are only appended, the supervisor's
 * co-signature and return, everyone else refused, and the note unreadable at rest.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Note } from '../../src/shared/notes.js';
import { api, makeClinician, type TestClinician } from './support/api.js';
import { draftNote, next, signatureFor, signed } from './support/notes.js';
import { signIn } from './support/signIn.js';
import { login } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const demo = sharedTestDemo(1);
let author: string;
let supervisor: string;
let authorId: string;
let supervisorId: string;
let stranger: TestClinician;
let strangerToken: string;

beforeAll(async () => {
  author = await login(demo.info, 'facilitator');
  supervisor = await login(demo.info, 'supervisor');
  authorId = (await demo.server.store.clinicians.byUsername('facilitator'))!.id;
  supervisorId = (await demo.server.store.clinicians.byUsername('supervisor'))!.id;
  stranger = await makeClinician(demo.server, 'other-facilitator', ['facilitator', 'supervisor']);
  strangerToken = await stranger.signIn();
});

const put = (token: string, note: Note, baseVersion: number, id = note.id) =>
  api(demo.info, 'PUT', `/api/notes/${id}`, token, { note, baseVersion });

const list = (token: string, since?: string) =>
  api(demo.info, 'GET', `/api/notes${since ? `?since=${encodeURIComponent(since)}` : ''}`, token);

async function stored(token: string, note: Note, baseVersion: number): Promise<Note> {
  const res = await put(token, note, baseVersion);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toEqual({ id: note.id, version: note.version });
  return note;
}

describe('PUT /api/notes/:id', () => {
  it('is idempotent by (id, version): the same version again answers 200 and changes nothing', async () => {
    const v1 = await stored(author, draftNote(authorId), 0);
    await stored(author, v1, 0);
    await stored(author, v1, 0);
    const again = await put(author, { ...v1, body: { ...v1.body, title: 'something else' } }, 0);
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('CONFLICT');
    const mine = (await list(author)).list.filter((n) => n.id === v1.id);
    expect(mine).toEqual([v1]);
    // Each stored version is recorded once, by ids.
    const events = await demo.server.store.audit.list(v1.id);
    expect(events.map((e) => [e.event, e.actorId, e.detail])).toEqual([['note.synced', authorId, 'v1 draft']]);
  });

  it('refuses a version edited from one the server no longer holds (two workstations)', async () => {
    const v1 = await stored(author, draftNote(authorId), 0);
    const fromA = next(v1, { body: { ...v1.body, title: 'workstation A' } });
    const fromB = next(v1, { body: { ...v1.body, title: 'workstation B' } });
    await stored(author, fromA, 1);
    const res = await put(author, fromB, 1);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'CONFLICT' });
    // B edits on after its conflict: still a conflict, never a silent overwrite.
    expect((await put(author, next(fromB), 1)).status).toBe(409);
    // A new note claims base 0; a note the server holds already is not new.
    expect((await put(author, v1, 0, v1.id)).status).toBe(409);
    expect((await put(author, draftNote(authorId), 3)).status).toBe(409);
    const [held] = (await list(author)).list.filter((n) => n.id === v1.id);
    expect(held?.body).toMatchObject({ title: 'workstation A' });
    // Fixed by editing from what the server holds.
    await stored(author, next(fromA, { body: { ...fromB.body } }), 2);
  });

  it('never changes a signed version: body, signature and status are locked', async () => {
    const draft = await stored(author, draftNote(authorId), 0);
    const s = await stored(author, signed(draft), 1);
    const edits: Note[] = [
      next(s, { body: { ...s.body, title: 'rewritten' } }),
      next(s, { body: { ...s.body, title: 'rewritten' }, signature: signatureFor(authorId, { ...s.body, title: 'rewritten' }) }),
      next(s, { status: 'draft', signature: null }),
      next(s, { signature: { ...s.signature!, at: new Date(0).toISOString() } }),
      next(s, { serviceDate: '2001-01-01' }),
    ];
    for (const edit of edits) {
      const res = await put(author, edit, 2);
      expect(res.status, JSON.stringify(edit)).toBe(409);
      expect(res.body.error?.code).toBe('CONFLICT');
    }
    // The same version with other content is no retry either.
    expect((await put(author, { ...s, body: { ...s.body, title: 'rewritten' } }, 1)).status).toBe(409);
    // And the signed text stays in the history.
    expect(await demo.server.store.notes.history(s.id)).toEqual([s]);
  });

  it('checks a signature against the body it claims to sign', async () => {
    const draft = draftNote(authorId);
    const forged = next(draft, { status: 'signed', signature: signatureFor(authorId, { ...draft.body, title: 'other' }) });
    const res = await put(author, forged, 0);
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toMatch(/contentHash/);
  });

  it('appends addenda and never changes or drops one', async () => {
    const s = await stored(author, signed(draftNote(authorId)), 0);
    const at = new Date().toISOString();
    const addendum = (text: string) => ({ id: `add-${text}`, text, signature: signatureFor(authorId, s.body, at) });
    const one = await stored(author, next(s, { addenda: [addendum('first')] }), s.version);
    const two = await stored(author, next(one, { addenda: [addendum('first'), addendum('second')] }), one.version);
    const changed = await put(author, next(two, { addenda: [{ ...addendum('first'), text: 'edited' }, addendum('second')] }), two.version);
    expect(changed.status).toBe(409);
    const dropped = await put(author, next(two, { addenda: [addendum('second')] }), two.version);
    expect(dropped.status).toBe(409);
    const reordered = await put(author, next(two, { addenda: [addendum('second'), addendum('first')] }), two.version);
    expect(reordered.status).toBe(409);
    const bySomeoneElse = await put(author, next(two, { addenda: [...two.addenda, { ...addendum('third'), signature: signatureFor(supervisorId, s.body) }] }), two.version);
    expect(bySomeoneElse.status).toBe(400);
  });

  it('lets the supervisor co-sign a note awaiting co-signature, and nothing else', async () => {
    const awaiting = await stored(author, signed(draftNote(authorId), 'awaiting-cosign'), 0);
    // In the supervisor's queue, and only the awaiting ones of their supervisees.
    const queue = (await list(supervisor)).list.map((n) => n.id);
    expect(queue).toContain(awaiting.id);
    const cosign = next(awaiting, { status: 'cosigned', cosignature: signatureFor(supervisorId, awaiting.body) });
    // A supervisor cannot change the content while co-signing.
    const tampered = await put(supervisor, { ...cosign, body: { ...cosign.body, title: 'supervisor edit' } }, awaiting.version);
    expect(tampered.status).toBe(409);
    // The author cannot co-sign their own note (it is locked, awaiting someone else).
    const selfCosign = await put(author, next(awaiting, { status: 'cosigned', cosignature: signatureFor(authorId, awaiting.body) }), awaiting.version);
    expect(selfCosign.status).toBe(409);
    // Nor send a new note in already co-signed.
    const preCosigned = signed(draftNote(authorId));
    expect((await put(author, { ...preCosigned, status: 'cosigned', cosignature: signatureFor(authorId, preCosigned.body) }, 0)).status).toBe(400);
    await stored(supervisor, cosign, awaiting.version);
    await stored(supervisor, cosign, awaiting.version); // idempotent for the supervisor too
    expect((await demo.server.store.audit.list(awaiting.id)).map((e) => [e.event, e.actorId])).toEqual([
      ['note.synced', authorId],
      ['note.cosigned', supervisorId],
    ]);
    // Co-signed: no longer in the queue; the author sees it co-signed.
    expect((await list(supervisor)).list.map((n) => n.id)).not.toContain(awaiting.id);
    const [mine] = (await list(author)).list.filter((n) => n.id === awaiting.id);
    expect(mine).toMatchObject({ status: 'cosigned', cosignature: { by: supervisorId } });
    // Once co-signed, the supervisor's part is done.
    const returnLater = await put(supervisor, next(cosign, { status: 'returned', cosignature: null, returnComment: 'no' }), cosign.version);
    expect(returnLater.status).toBe(409);
  });

  it('lets the supervisor return a note with a comment; the author revises and signs again', async () => {
    const awaiting = await stored(author, signed(draftNote(authorId), 'awaiting-cosign'), 0);
    const noComment = await put(supervisor, next(awaiting, { status: 'returned' }), awaiting.version);
    expect(noComment.status).toBe(400);
    // As the console's vault sends it: the author's signature dropped, to be signed afresh.
    const returned = await stored(supervisor, next(awaiting, { status: 'returned', signature: null, returnComment: 'Add the safety plan.' }), awaiting.version);
    const revisedBody = { ...returned.body, sections: { ...returned.body.sections, plan: 'Safety plan reviewed.' } };
    // The author edits while it is returned, then signs again.
    const revised = await stored(author, next(returned, { body: revisedBody }), returned.version);
    const resigned = await stored(author, next(revised, { status: 'awaiting-cosign', returnComment: null, signature: signatureFor(authorId, revisedBody) }), revised.version);
    // Both signed versions are kept.
    expect((await demo.server.store.notes.history(awaiting.id)).map((n) => n.version)).toEqual([awaiting.version, resigned.version]);
  });

  it('refuses everyone else with 403, and checks the path and the author', async () => {
    const note = await stored(author, signed(draftNote(authorId), 'awaiting-cosign'), 0);
    // A clinician who neither wrote nor supervises it (though a supervisor of others).
    const cosign = next(note, { status: 'cosigned', cosignature: signatureFor(stranger.id, note.body) });
    expect((await put(strangerToken, cosign, note.version)).status).toBe(403);
    expect((await put(strangerToken, next(note), note.version)).status).toBe(403);
    // Nor may anyone write a note in another's name.
    expect((await put(strangerToken, draftNote(authorId), 0)).status).toBe(403);
    const { username, password, totpSecret } = demo.info.admin!;
    const admin = await signIn(demo.info.httpUrl, username, password, totpSecret!);
    expect((await put(admin, next(note), note.version)).status).toBe(403);
    // Nor see it.
    expect((await list(strangerToken)).list.map((n) => n.id)).not.toContain(note.id);
    // A supervisor does not write a supervisee's note for them.
    expect((await put(supervisor, draftNote(authorId), 0)).status).toBe(403);
    // The note's id is the path's; the author is the caller.
    const other = draftNote(authorId);
    const mismatch = await put(author, other, 0, 'another-id');
    expect(mismatch.status).toBe(400);
    expect((await put(author, draftNote(stranger.id), 0)).status).toBe(403);
    expect((await api(demo.info, 'PUT', `/api/notes/${other.id}`, undefined, { note: other, baseVersion: 0 })).status).toBe(401);
    expect((await api(demo.info, 'PUT', `/api/notes/${other.id}`, author, { note: { ...other, version: 0 }, baseVersion: 0 })).status).toBe(400);
  });
});

describe('GET /api/notes', () => {
  it('gives the caller their notes stored since a time, by the server’s clock', async () => {
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const fresh = await stored(author, draftNote(authorId), 0);
    const since = (await list(author, before)).list;
    expect(since.map((n) => n.id)).toEqual([fresh.id]);
    expect((await list(author)).list.length).toBeGreaterThan(1);
    expect((await list(author, 'yesterday')).status).toBe(400);
  });
});

describe('notes at rest', () => {
  function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
  }

  it('keeps no title, client reference, section or addendum in the clear in the data directory', async () => {
    const marker = 'MARKER-NOTE-3c9e';
    const draft = await stored(author, draftNote(authorId, marker), 0);
    const s = await stored(author, signed(draft), 1);
    await stored(author, next(s, { addenda: [{ id: 'a1', text: `Addendum ${marker}-ADD`, signature: signatureFor(authorId, s.body) }] }), 2);
    const needles = [marker, `${marker}-ADD`, `REF-${marker}`];
    const leaks = filesUnder(demo.info.dataDir).flatMap((file) => {
      const bytes = readFileSync(file);
      return needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8'))).map((n) => `${path.basename(file)}: ${n}`);
    });
    expect(leaks).toEqual([]);
    // Yet the server reads it back whole.
    const [back] = (await list(author)).list.filter((n) => n.id === draft.id);
    expect(back).toMatchObject({ version: 3, body: { title: `Title ${marker}` } });
  });
});
