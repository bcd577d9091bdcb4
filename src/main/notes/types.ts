/**
 * The note vault's interface: what the IPC handlers and the sync engine may ask of it.
 * One vault per clinician per server, opened after sign-in; everything in it is sealed
 * under a key that lives only in the OS keychain.
 */
import type { Note, NoteBody, NoteSummary, TemplateId } from '../../shared/notes';

export type VaultState =
  | { state: 'unlocked' }
  | {
      state: 'locked';
      /** no-keychain: no Secret Service/Keychain reachable; no-key: notes exist but their key is gone. */
      reason: 'no-keychain' | 'no-key';
      /** What the clinician should do, in plain words. */
      message: string;
    };

export interface Signer {
  id: string;
  name: string;
}

export interface NoteFilter {
  clientRef?: string | undefined;
  sessionId?: string | undefined;
  /** Service dates, inclusive (YYYY-MM-DD). */
  from?: string | undefined;
  to?: string | undefined;
  /** Words to find in titles, client references and every section (decrypted in main only). */
  query?: string | undefined;
}

export interface NewNote {
  template: TemplateId;
  sessionId: string | null;
  serviceDate: string;
  body: NoteBody;
}

/** What the outbox holds for one note: its latest version and the version it was edited from. */
export interface OutboxEntry {
  id: string;
  version: number;
  baseVersion: number;
  attempts: number;
  /** Epoch ms before which the sync engine should not retry (backoff). */
  notBefore: number;
}

export interface NoteVault {
  status(): VaultState;
  create(input: NewNote, author: Signer): Note;
  /** Saves a draft. `expectedVersion` guards against two editors of one draft in this console. */
  saveDraft(id: string, body: NoteBody, expectedVersion: number): Note;
  /** Locks the note: signature with content hash; `needsCosign` sends it to the supervisor. */
  sign(id: string, signer: Signer, needsCosign: boolean): Note;
  addAddendum(id: string, text: string, signer: Signer): Note;
  cosign(id: string, supervisor: Signer): Note;
  returnToAuthor(id: string, comment: string, supervisor: Signer): Note;
  /** Throws ProtocolError NOT_FOUND, or 'damaged' notes throw ProtocolError CONFLICT with a plain message. */
  get(id: string): Note;
  list(filter?: NoteFilter): NoteSummary[];
  /** Sync: what is waiting, and what happened to it. */
  outbox(): OutboxEntry[];
  markSynced(id: string, version: number): void;
  markFailed(id: string, version: number, retryAt: number): void;
  /** The server holds a different version: keep both until the clinician chooses. */
  markConflict(id: string, theirs: Note): void;
  /** The server's copy of a note conflicting with this one, if any. */
  conflictOf(id: string): Note | null;
  resolveConflict(id: string, keep: 'mine' | 'theirs'): Note;
  /** A note from the server (another workstation, or a supervisee's note to co-sign). */
  applyRemote(note: Note): void;
  close(): void;
}
