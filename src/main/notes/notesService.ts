/**
 * The signed-in clinician's notes: opens their vault (one per clinician per server) and its
 * sync engine at sign-in, closes both at sign-out, and answers the `notes:*` IPC channels.
 */
import { join } from 'node:path';
import type { NotesStatus, SignInResult } from '../../shared/ipc';
import { emptyBody, NoteList, PutNoteResponse, type Note, type NoteBody, type TemplateId } from '../../shared/notes';
import { ProtocolError, Roster, type CheckInRating } from '../../shared/protocol';
import { createLogger, errorFields } from '../../common/logger';
import type { ServerSession } from '../services/serverSession';
import type { IndexWorkerFactory } from './indexBuild';
import { createNoteSync, type NoteSync } from './sync';
import type { NoteFilter, NoteVault, Signer } from './types';
import { openVault, type KeyStore } from './vault';
import { lockedReason } from './noteVault';

const log = createLogger('notes');

export interface NotesServiceOptions {
  /** Where vault databases live (Electron's userData in the console). */
  baseDir: string;
  keyStore: KeyStore;
  server: ServerSession;
  /**
   * Starts the vault's index worker: `bundledIndexWorker` in the console; code run from source
   * passes its own loader (tests/support/indexWorkerFromSource.ts). Null: no worker, a rebuild runs
   * on main's thread at the first search.
   */
  indexWorker: IndexWorkerFactory | null;
}

export class NotesService {
  private vault: NoteVault | null = null;
  private sync: NoteSync | null = null;
  private signer: Signer | null = null;

  constructor(private readonly options: NotesServiceOptions) {}

  /** Opens the vault of the clinician who just signed in. A locked vault is reported, not thrown. */
  async open(account: SignInResult): Promise<void> {
    this.close();
    const { user, serverUrl } = account;
    // One vault file per clinician and server, named by a hash (vaultPath).
    this.vault = await openVault({
      dir: join(this.options.baseDir, 'vaults'),
      account: `${user.id}@${serverUrl}`,
      keyStore: this.options.keyStore,
      ...(this.options.indexWorker ? { indexWorker: this.options.indexWorker } : {}),
    });
    this.signer = { id: user.id, name: user.displayName };
    if (this.vault.status().state !== 'unlocked') return;
    const { server } = this.options;
    this.sync = createNoteSync({
      vault: this.vault,
      api: {
        put: (req) => server.api('PUT', `/api/notes/${encodeURIComponent(req.note.id)}`, req, PutNoteResponse),
        list: (since) => server.api('GET', `/api/notes${since ? `?since=${encodeURIComponent(since)}` : ''}`, undefined, NoteList),
      },
      onChange: () => undefined,
    });
    this.sync.start();
  }

  close(): void {
    this.sync?.stop();
    this.sync = null;
    try {
      this.vault?.close();
    } catch (err) {
      log.error('vault.close_failed', errorFields(err));
    }
    this.vault = null;
    this.signer = null;
  }

  status(): NotesStatus {
    return {
      vault: this.vault ? this.vault.status() : { state: 'closed' },
      sync: this.sync ? this.sync.status() : null,
    };
  }

  async syncNow(): Promise<NotesStatus> {
    await this.sync?.syncNow();
    return this.status();
  }

  list(filter: NoteFilter) {
    return this.unlocked().list(filter);
  }

  get(id: string): { note: Note; conflict: Note | null } {
    const vault = this.unlocked();
    return { note: vault.get(id), conflict: vault.conflictOf(id) };
  }

  /**
   * A new note. A group note gets a section per client of the session, pre-filled from the
   * server's attendance record: who was in the group and for how many minutes, the invited
   * who never came marked absent. Offline, the clinician adds clients by hand: the note is
   * never held up by the network.
   */
  async create(template: TemplateId, sessionId: string | null, serviceDate: string): Promise<Note> {
    const vault = this.unlocked();
    let clients: { participantRef: string; present: boolean; minutesPresent: number | null; checkInRating?: CheckInRating | null }[] = [];
    if (template === 'group' && sessionId) {
      try {
        const roster = await this.options.server.api('GET', `/api/sessions/${encodeURIComponent(sessionId)}/roster`, undefined, Roster);
        clients = roster.map((e) => ({
          participantRef: e.participantRef,
          present: e.admittedAt !== null,
          minutesPresent: e.admittedAt !== null ? Math.round(e.minutesPresent) : 0,
          // Offered beside the client's section; the note says it only if the clinician adds it.
          ...(e.checkInRating ? { checkInRating: e.checkInRating } : {}),
        }));
      } catch (err) {
        log.info('group_note.no_attendance', { code: err instanceof ProtocolError ? err.code : 'no-answer' });
      }
    }
    const note = vault.create({ template, sessionId, serviceDate, body: emptyBody(template, clients) }, this.me());
    this.nudge();
    return note;
  }

  /** Autosaves come every few seconds while typing: the sync timer picks them up, no nudge. */
  save(id: string, body: NoteBody, expectedVersion: number): Note {
    return this.unlocked().saveDraft(id, body, expectedVersion);
  }

  sign(id: string, needsCosign: boolean): Note {
    return this.changed(this.unlocked().sign(id, this.me(), needsCosign));
  }

  addendum(id: string, text: string): Note {
    return this.changed(this.unlocked().addAddendum(id, text, this.me()));
  }

  cosign(id: string): Note {
    return this.changed(this.unlocked().cosign(id, this.me()));
  }

  returnToAuthor(id: string, comment: string): Note {
    return this.changed(this.unlocked().returnToAuthor(id, comment, this.me()));
  }

  resolveConflict(id: string, keep: 'mine' | 'theirs'): Note {
    return this.changed(this.unlocked().resolveConflict(id, keep));
  }

  private changed(note: Note): Note {
    this.nudge();
    return note;
  }

  /** Try to sync soon after a change; offline, the outbox simply waits. */
  private nudge(): void {
    void this.sync?.syncNow().catch(() => undefined);
  }

  private me(): Signer {
    if (!this.signer) throw new ProtocolError('UNAUTHENTICATED', 'Sign in first.', { reason: 'sign-in-first' });
    return this.signer;
  }

  private unlocked(): NoteVault {
    if (!this.vault) throw new ProtocolError('UNAUTHENTICATED', 'Sign in to open your notes.', { reason: 'notes-sign-in' });
    const state = this.vault.status();
    if (state.state !== 'unlocked') throw new ProtocolError('CONFLICT', state.message, { reason: lockedReason(state) });
    return this.vault;
  }
}
