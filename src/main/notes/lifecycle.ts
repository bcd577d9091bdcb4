/**
 * A note's lifecycle, as rules: a draft is edited by its author until signed; signing locks
 * it (or sends it to a supervisor to co-sign, who may return it to its author with a comment);
 * a signed note only gains addenda. Each rule checks the note it is given and gives the next
 * version's content; the vault (noteVault.ts) applies it as one new version in one transaction.
 *
 * What belongs here: who may do what to a note in which state, and the signatures it gets.
 * Rules read the sealed note, never the clear columns.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Addendum, canonicalJson, Note, NoteBody, type Signature } from '../../shared/notes';
import { ProtocolError } from '../../shared/protocol';
import type { NewNote, Signer } from './types';

/** One step of a note's lifecycle: the note as it is, to the note as it will be. */
export type Change = (note: Note) => Note;

/** A signature by `signer` over `hashed`, at the vault's clock. */
export type Stamp = (signer: Signer, hashed: unknown) => Signature;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function stamper(now: () => string): Stamp {
  return (signer, hashed) => ({ by: signer.id, byName: signer.name, at: now(), contentHash: sha256Hex(canonicalJson(hashed)) });
}

function parseBody(body: NoteBody): NoteBody {
  const parsed = NoteBody.safeParse(body);
  if (!parsed.success) throw new ProtocolError('BAD_REQUEST', `The note is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`, { reason: 'note-invalid' });
  return parsed.data;
}

const editable = (note: Note) => note.status === 'draft' || note.status === 'returned';

/** A new note: version 1, a draft of its author's. */
export function newDraft(input: NewNote, author: Signer, now: () => string): Note {
  const body = parseBody(input.body);
  const at = now();
  return Note.parse({
    id: randomUUID(),
    version: 1,
    template: input.template,
    authorId: author.id,
    sessionId: input.sessionId,
    serviceDate: input.serviceDate,
    status: 'draft',
    body,
    signature: null,
    cosignature: null,
    returnComment: null,
    addenda: [],
    createdAt: at,
    updatedAt: at,
  } satisfies Note);
}

/** A draft's new body; `expectedVersion` guards against two editors of one draft in this console. */
export function editDraft(body: NoteBody, expectedVersion: number): Change {
  const parsed = parseBody(body);
  return (note) => {
    if (!editable(note)) throw new ProtocolError('CONFLICT', 'This note is signed and can no longer be edited; add an addendum instead.', { reason: 'note-signed' });
    if (note.version !== expectedVersion) {
      throw new ProtocolError('CONFLICT', 'This note was changed elsewhere in the console since you opened it; reopen it to see the newest version.', { reason: 'note-changed-elsewhere' });
    }
    return { ...note, body: parsed };
  };
}

export function signNote(signer: Signer, needsCosign: boolean, stamp: Stamp): Change {
  return (note) => {
    if (!editable(note)) throw new ProtocolError('CONFLICT', 'This note is already signed.', { reason: 'note-already-signed' });
    if (signer.id !== note.authorId) throw new ProtocolError('FORBIDDEN', "Only the note's author can sign it.", { reason: 'note-sign-author-only' });
    return {
      ...note,
      status: needsCosign ? 'awaiting-cosign' : 'signed',
      signature: stamp(signer, note.body),
      cosignature: null,
      returnComment: null,
    };
  };
}

export function addAddendum(text: string, signer: Signer, stamp: Stamp): Change {
  const trimmed = text.trim();
  if (!trimmed) throw new ProtocolError('BAD_REQUEST', 'An addendum needs some text.', { reason: 'addendum-empty' });
  return (note) => {
    if (editable(note)) throw new ProtocolError('CONFLICT', 'Addenda are for signed notes; this one can still be edited.', { reason: 'addendum-unsigned' });
    const addendumId = randomUUID();
    const addendum = Addendum.parse({ id: addendumId, text: trimmed, signature: stamp(signer, { noteId: note.id, addendumId, text: trimmed }) });
    return { ...note, addenda: [...note.addenda, addendum] };
  };
}

export function cosignNote(supervisor: Signer, stamp: Stamp): Change {
  return (note) => {
    if (note.status !== 'awaiting-cosign') throw new ProtocolError('CONFLICT', 'This note is not waiting for a co-signature.', { reason: 'cosign-not-awaiting' });
    if (supervisor.id === note.authorId) throw new ProtocolError('FORBIDDEN', 'A note cannot be co-signed by its own author.', { reason: 'cosign-own-note' });
    return { ...note, status: 'cosigned', cosignature: stamp(supervisor, note.body) };
  };
}

export function returnToAuthor(comment: string, supervisor: Signer): Change {
  const trimmed = comment.trim();
  if (!trimmed) throw new ProtocolError('BAD_REQUEST', 'Say what the author should change.', { reason: 'return-needs-comment' });
  return (note) => {
    if (note.status !== 'awaiting-cosign') throw new ProtocolError('CONFLICT', 'Only a note waiting for co-signature can be returned.', { reason: 'return-not-awaiting' });
    if (supervisor.id === note.authorId) throw new ProtocolError('FORBIDDEN', 'A note cannot be returned by its own author.', { reason: 'return-own-note' });
    return { ...note, status: 'returned', signature: null, cosignature: null, returnComment: trimmed };
  };
}
