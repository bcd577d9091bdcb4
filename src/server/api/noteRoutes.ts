/**
 * Progress note sync: `PUT /api/notes/:id` and `GET /api/notes?since=`. The console's vault
 * is the clinician's working copy; the server keeps the latest version of each note and its
 * signed versions, sealed. The rules (PROTOCOL.md, "Notes") protect what was signed: a
 * signed version never changes, addenda are only appended, only the author writes a note and
 * only their supervisor co-signs or returns it, and a version edited from a version the
 * server no longer holds is refused as a conflict, never stored over someone else's work.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, PutNoteRequest, type Note, type Signature } from '../../shared/notes.js';
import { ProtocolError } from '../../shared/protocol.js';
import { readJsonBody, sendJson } from '../http/support.js';
import type { Clinician } from '../store/clinicians.js';
import type { Repositories } from '../store/store.js';
import { auditApi, describeIssue, requireClinician, type RequestContext, type Route } from './context.js';

/** A long group note with fifty client sections fits; anything larger is not a note. */
export const MAX_NOTE_BODY_BYTES = 2 * 1024 * 1024;

/** Statuses whose signature locks the body. A returned note is the author's to revise. */
const LOCKED: ReadonlySet<Note['status']> = new Set(['signed', 'awaiting-cosign', 'cosigned']);

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

export function bodyHash(note: Note): string {
  return createHash('sha256').update(canonicalJson(note.body), 'utf8').digest('hex');
}

function conflict(message: string): never {
  throw new ProtocolError('CONFLICT', message);
}

function badRequest(message: string): never {
  throw new ProtocolError('BAD_REQUEST', message);
}

function assertSignedBy(sig: Signature | null, who: string, note: Note, what: string): void {
  if (!sig) badRequest(`a ${note.status} note needs ${what}`);
  if (sig.by !== who) badRequest(`${what} must be by ${who === note.authorId ? 'the author' : 'the caller'}`);
  if (sig.contentHash !== bodyHash(note)) badRequest(`${what}'s contentHash does not match the body`);
}

/** Addenda only grow: every one the server holds comes first, unchanged; new ones are the author's. */
function assertAddendaAppended(held: Note, next: Note): void {
  if (next.addenda.length < held.addenda.length || !held.addenda.every((a, i) => same(a, next.addenda[i]))) {
    conflict('addenda can only be appended; existing ones never change');
  }
  for (const added of next.addenda.slice(held.addenda.length)) {
    if (added.signature.by !== next.authorId) badRequest('an addendum must be signed by the author');
  }
}

/** What the author may send: anything to a draft or returned note; addenda only once signed. */
function checkAuthorPut(held: Note | undefined, next: Note): void {
  // A signed version is checked first: changing it is a conflict whatever else is wrong.
  if (held && LOCKED.has(held.status)) {
    if (!same(held.body, next.body) || !same(held.signature, next.signature)) conflict('a signed note never changes; add an addendum');
    if (next.status !== held.status) conflict(`a ${held.status} note stays ${held.status}`);
    const fixed = (n: Note): unknown => [n.template, n.createdAt, n.sessionId, n.serviceDate, n.returnComment, n.cosignature];
    if (!same(fixed(held), fixed(next))) conflict('a signed note never changes');
  }
  if (next.cosignature && !(held?.cosignature && same(held.cosignature, next.cosignature))) {
    badRequest('only a supervisor co-signs');
  }
  const introduced = next.status !== held?.status;
  if (introduced && (next.status === 'cosigned' || next.status === 'returned')) {
    badRequest(`only a supervisor makes a note ${next.status}`);
  }
  if (next.status === 'draft' && next.signature) badRequest('a draft carries no signature');
  if (LOCKED.has(next.status)) assertSignedBy(next.signature, next.authorId, next, 'the signature');
  if (!held) {
    if (next.addenda.length > 0 && !next.signature) badRequest('only a signed note has addenda');
    for (const a of next.addenda) if (a.signature.by !== next.authorId) badRequest('an addendum must be signed by the author');
    return;
  }
  assertAddendaAppended(held, next);
}

/** What a supervisor may send: the same note, co-signed or returned, nothing else changed. */
function checkSupervisorPut(held: Note, next: Note, supervisor: Clinician): void {
  if (held.status !== 'awaiting-cosign') conflict(`the note is ${held.status}, not awaiting co-signature`);
  // Returning may drop the author's signature (the author signs the revision afresh); the
  // signed version stays in the server's history either way.
  const dropsSignature = next.status === 'returned' && next.signature === null;
  const untouched = (n: Note): unknown => ({
    ...n,
    version: 0,
    updatedAt: '',
    status: '',
    cosignature: null,
    returnComment: null,
    ...(dropsSignature ? { signature: null } : {}),
  });
  if (!same(untouched(held), untouched(next))) conflict('a supervisor only co-signs or returns a note; its content never changes');
  if (next.status === 'cosigned') {
    assertSignedBy(next.cosignature, supervisor.id, next, 'the co-signature');
    if (next.returnComment !== held.returnComment) badRequest('a co-signed note carries no new return comment');
  } else if (next.status === 'returned') {
    if (next.cosignature) badRequest('a returned note is not co-signed');
    if (!next.returnComment?.trim()) badRequest('a returned note needs a comment');
  } else {
    badRequest('a supervisor only co-signs or returns a note');
  }
}

function record(ctx: RequestContext, event: string, by: Clinician, noteId: string, detail: string, into?: Repositories): Promise<void> {
  return auditApi(ctx, event, by, { subjectId: noteId, detail }, into);
}

export const noteRoutes: Route[] = [
  {
    method: 'PUT',
    path: '/api/notes/:id',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const parsed = PutNoteRequest.safeParse(await readJsonBody(ctx.req, MAX_NOTE_BODY_BYTES));
      if (!parsed.success) throw new ProtocolError('BAD_REQUEST', parsed.error ? describeIssue(parsed.error) : 'not a note');
      const { note, baseVersion } = parsed.data;
      if (note.id !== ctx.params.id) badRequest('note.id must match the path');
      const { store } = ctx.deps;
      const held = await store.notes.byId(note.id);
      const authorId = held?.authorId ?? note.authorId;
      const asAuthor = authorId === me.id;
      const asSupervisor = !asAuthor && me.roles.includes('supervisor') && (await store.clinicians.supervises(me.id, authorId));
      if (!asAuthor && !asSupervisor) throw new ProtocolError('FORBIDDEN', 'only the author and their supervisor write a note', { reason: 'note-write-forbidden' });
      if (note.authorId !== authorId) badRequest('a note keeps its author');
      if (asSupervisor && !held) throw new ProtocolError('FORBIDDEN', 'a supervisor only co-signs or returns a synced note', { reason: 'cosign-synced-only' });

      // Idempotent by (id, version): the same version again is answered as before.
      if (held && held.version === note.version) {
        if (same(held, note)) {
          sendJson(ctx.res, 200, { id: note.id, version: note.version });
          return;
        }
        conflict(`version ${note.version} of this note already holds other content`);
      }
      const holding = held?.version ?? 0;
      if (baseVersion !== holding) conflict(`the server holds version ${holding} of this note, not ${baseVersion}`);
      if (note.version <= holding) badRequest(`the version must be above ${holding}`);

      if (asSupervisor && held) checkSupervisorPut(held, note, me);
      else checkAuthorPut(held, note);

      const event = asSupervisor ? (note.status === 'cosigned' ? 'note.cosigned' : 'note.returned') : 'note.synced';
      // The note and its audit entry together or not at all: a full disk leaves neither.
      await store.atomically(async (tx) => {
        if (!(await tx.notes.put(note, holding, ctx.deps.lifecycle.now()))) conflict('the note changed meanwhile; fetch it and try again');
        await record(ctx, event, me, note.id, `v${note.version} ${note.status}`, tx);
      });
      sendJson(ctx.res, 200, { id: note.id, version: note.version });
    },
  },
  {
    method: 'GET',
    path: '/api/notes',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const sinceText = ctx.query.get('since');
      let since: Date | undefined;
      if (sinceText !== null) {
        since = new Date(sinceText);
        if (!/^\d{4}-\d{2}-\d{2}T/.test(sinceText) || Number.isNaN(since.getTime())) badRequest('since: an ISO date and time');
      }
      const { store } = ctx.deps;
      const own = await store.notes.byAuthor(me.id, since);
      const others = me.roles.includes('supervisor') ? await store.notes.awaitingCosign(await store.clinicians.supervisees(me.id), since) : [];
      // A supervisor reading a supervisee's note is a look at clinical records: recorded, by ids.
      if (others.length > 0) await record(ctx, 'notes.pulled', me, me.id, others.map((n) => n.id).join(','));
      sendJson(ctx.res, 200, [...own, ...others]);
    },
  },
];
