/** Progress notes for tests: a draft, signed, awaiting co-signature, with correct hashes. */
import { createHash } from 'node:crypto';
import { newDraft } from '../../../src/main/notes/lifecycle.js';
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
  // Made as the console makes a new note, so the server is tested with what it will receive.
  const draft = newDraft({ template: 'dap', sessionId: null, serviceDate: now.slice(0, 10), body }, { id: authorId, name: `clinician ${authorId}` }, () => now);
  return { ...draft, ...overrides };
}

/** The next version of `note` with `changes`. */
export function next(note: Note, changes: Partial<Note> = {}): Note {
  return { ...note, version: note.version + 1, updatedAt: new Date().toISOString(), ...changes };
}

export function signed(note: Note, status: 'signed' | 'awaiting-cosign' = 'signed'): Note {
  return next(note, { status, signature: signatureFor(note.authorId, note.body) });
}
