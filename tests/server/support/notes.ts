/** Progress notes for tests: a draft, signed, awaiting co-signature, with correct hashes. */
import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson, emptyBody, type Note, type NoteBody, type Signature } from '../../../src/shared/notes.js';

export function hashBody(body: NoteBody): string {
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

export function signatureFor(by: string, body: NoteBody, at = new Date().toISOString()): Signature {
  return { by, byName: `clinician ${by.slice(0, 6)}`, at, contentHash: hashBody(body) };
}

/** A draft DAP note by `authorId` whose text carries `marker`. */
export function draftNote(authorId: string, marker = 'plain text', overrides: Partial<Note> = {}): Note {
  const now = new Date().toISOString();
  const body: NoteBody = {
    ...emptyBody('dap'),
    title: `Title ${marker}`,
    clientRefs: [`REF-${marker}`],
    sections: { data: `Data ${marker}`, assessment: `Assessment ${marker}`, plan: 'Plan' },
  };
  return {
    id: randomUUID(),
    version: 1,
    template: 'dap',
    authorId,
    sessionId: null,
    serviceDate: now.slice(0, 10),
    status: 'draft',
    body,
    signature: null,
    cosignature: null,
    returnComment: null,
    addenda: [],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** The next version of `note` with `changes`. */
export function next(note: Note, changes: Partial<Note> = {}): Note {
  return { ...note, version: note.version + 1, updatedAt: new Date().toISOString(), ...changes };
}

export function signed(note: Note, status: 'signed' | 'awaiting-cosign' = 'signed'): Note {
  return next(note, { status, signature: signatureFor(note.authorId, note.body) });
}
