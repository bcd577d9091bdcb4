/**
 * The note vault: one SQLite file per clinician per server under the console's user-data
 * directory, every note sealed under a key that lives only in the OS keychain. This file opens
 * it and composes its parts: each act on a note (its rules in lifecycle.ts) is one new version,
 * written with its outbox entry in one transaction, then the list and the index follow.
 *
 * - Durability: WAL with `synchronous=FULL`, so a save the console acknowledged survives a
 *   crash or power loss (NORMAL may lose the last commits on power loss; FULL costs about
 *   0.1–0.3 ms per save here, far inside the autosave budget; see bench/notes.ts).
 * - The key and when the vault unlocks: key.ts. It never falls back to plaintext.
 * - The rows, sealed, and the list kept in memory: rows.ts. Lifecycle decisions read the
 *   sealed note, never the clear columns (which are only copies for SQL, checked against the
 *   sealed note when it opens).
 * - Search and its snapshot: indexer.ts (the index worker is started by the factory the
 *   caller passes, indexBuild.ts).
 * - Sync: the outbox and conflicts, outbox.ts; every save writes its outbox entry in the same
 *   transaction.
 */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Note, type NoteBody, type NoteSummary } from '../../shared/notes';
import { ProtocolError } from '../../shared/protocol';
import { createLogger } from '../../common/logger';
import type { IndexWorkerFactory } from './indexBuild';
import { VaultIndexer } from './indexer';
import { addAddendum, cosignNote, editDraft, newDraft, returnToAuthor, signNote, stamper, type Change } from './lifecycle';
import { unlock, wipeKeys, type VaultKeys } from './key';
import type { KeyStore } from './keyStore';
import { migrateVault } from './migrate';
import { Outbox } from './outbox';
import { openPrivateSqlite, SharedFileError } from './privateFiles';
import { NoteRows, type NoteRow } from './rows';
import { SealError } from '../sealing';
import type { NewNote, NoteFilter, NoteVault, OutboxEntry, Signer, VaultState } from './types';

const log = createLogger('notes.vault');

export interface OpenVaultOptions {
  /** A directory of the console's user data; the vault file goes in it (created if missing). */
  dir: string;
  /** `${clinicianId}@${serverOrigin}`: the keychain account and the vault's identity. */
  account: string;
  keyStore: KeyStore;
  /** Time source for timestamps (tests). */
  clock?: () => Date;
  /**
   * Starts the index worker (indexBuild.ts): the console passes `bundledIndexWorker`. Without
   * one, a vault with no usable snapshot rebuilds its index on main's thread at the first search.
   */
  indexWorker?: IndexWorkerFactory;
}

/** The file a vault for this account lives in (named by a hash: no account names on disk). */
export function vaultPath(dir: string, account: string): string {
  const tag = createHash('sha256').update(account).digest('hex').slice(0, 16);
  return join(dir, `notes-${tag}.sqlite`);
}

/** Why a locked vault is locked, for the console's words. */
export function lockedReason(state: VaultState): 'notes-no-keychain' | 'notes-no-key' | 'notes-locked' {
  if (state.state !== 'locked') return 'notes-locked';
  return state.reason === 'no-keychain' ? 'notes-no-keychain' : 'notes-no-key';
}

function lockedError(state: VaultState): ProtocolError {
  return new ProtocolError('FORBIDDEN', state.state === 'locked' ? state.message : 'The note vault is locked.', { reason: lockedReason(state) });
}

/** After close the keys are wiped: anything still holding the vault must not seal under zeros. */
const closedError = (): ProtocolError =>
  new ProtocolError('FORBIDDEN', 'The note vault is closed (signed out); sign in again to open your notes.', { reason: 'notes-closed' });

export async function openVault(options: OpenVaultOptions): Promise<NoteVault> {
  const { dir, account, keyStore } = options;
  const clock = options.clock ?? (() => new Date());
  const path = vaultPath(dir, account);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    openPrivateSqlite(path);
  } catch (err) {
    if (err instanceof SharedFileError) throw new ProtocolError('FORBIDDEN', `Notes are locked: ${err.message}`, { reason: 'notes-shared-file' });
    throw err;
  }
  const db = new BetterSqlite3(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // The migrations that need no key; unlock runs the rest.
    migrateVault(db, null);
  } catch (err) {
    db.close();
    throw err;
  }

  let unlocked: Awaited<ReturnType<typeof unlock>>;
  try {
    unlocked = await unlock(db, account, keyStore);
  } catch (err) {
    db.close();
    throw err;
  }
  const { state, keys, tag } = unlocked;
  if (state.state === 'locked') log.warn('vault.locked', { reason: state.reason });
  return new SqliteNoteVault(db, state, keys ? { keys, tag, indexWorker: options.indexWorker } : null, clock);
}

/** What an unlocked vault works with: its keys and the parts that use them. */
interface Parts {
  keys: VaultKeys;
  rows: NoteRows;
  outbox: Outbox;
  indexer: VaultIndexer;
}

class SqliteNoteVault implements NoteVault {
  /** Null while locked. */
  private readonly parts: Parts | null = null;
  /** Set by close(), which wipes the keys: from then on every call is refused (unlocked()). */
  private closed = false;
  /** Signatures at the vault's clock (lifecycle.ts). */
  private readonly stamp = stamper(() => this.now());

  constructor(
    private readonly db: Database,
    private readonly state: VaultState,
    opened: { keys: VaultKeys; tag: string; indexWorker: IndexWorkerFactory | undefined } | null,
    private readonly clock: () => Date,
  ) {
    if (!opened || state.state !== 'unlocked') return;
    const { keys, tag, indexWorker } = opened;
    const rows = new NoteRows(db, keys.rows);
    this.parts = { keys, rows, outbox: new Outbox(db, keys.rows), indexer: new VaultIndexer(db, rows, keys, tag, indexWorker) };
    this.parts.indexer.open();
  }

  status(): VaultState {
    return this.state;
  }

  private unlocked(): Parts {
    if (this.closed) throw closedError();
    if (!this.parts) throw lockedError(this.state);
    return this.parts;
  }

  // ---- reading ----------------------------------------------------------------------

  /** `allowRecent`: the caller only reads the note (never hands it out), so the recent-write cache may answer. */
  private load(id: string, allowRecent = false): { note: Note; row: NoteRow } {
    const { rows, indexer } = this.unlocked();
    const row = rows.rowOf(id);
    try {
      return { note: rows.docOf(row, allowRecent), row };
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      rows.damaged.add(id);
      indexer.forget(id);
      log.warn('note.damaged', { noteId: id, part: 'doc' });
      throw new ProtocolError(
        'CONFLICT',
        'This note is damaged on this computer (its encrypted data was altered or corrupted) and cannot be opened. Other notes are unaffected; a synced copy can be restored from the server.',
        { reason: 'note-damaged' },
      );
    }
  }

  get(id: string): Note {
    return this.load(id).note;
  }

  list(filter: NoteFilter = {}): NoteSummary[] {
    const { rows, outbox, indexer } = this.unlocked();
    const { pending, conflicted } = outbox.syncStates();
    const query = filter.query?.trim() ? filter.query : undefined;
    const hits = query ? indexer.withIndex((index) => index.search(query)) : null;
    const narrowing = Boolean(filter.clientRef || filter.from || filter.to || query);
    const out: NoteSummary[] = [];
    for (const s of rows.summaries.values()) {
      const damaged = rows.isDamaged(s);
      if (filter.sessionId && s.sessionId !== filter.sessionId) continue;
      if (damaged) {
        if (!narrowing) out.push({ ...s, damaged: true, sync: conflicted.has(s.id) ? 'conflict' : pending.has(s.id) ? 'pending' : 'synced' });
        continue;
      }
      if (filter.clientRef && !s.clientRefs.includes(filter.clientRef)) continue;
      if (filter.from && s.serviceDate < filter.from) continue;
      if (filter.to && s.serviceDate > filter.to) continue;
      if (hits && !hits.has(s.id)) continue;
      out.push({ ...s, sync: conflicted.has(s.id) ? 'conflict' : pending.has(s.id) ? 'pending' : 'synced' });
    }
    // Newest service first, then most recently changed.
    return out.sort((a, b) => (a.serviceDate !== b.serviceDate ? (a.serviceDate < b.serviceDate ? 1 : -1) : a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
  }

  // ---- writing ----------------------------------------------------------------------

  /** Seals and writes one version of a note; `outbox` false for copies from the server. */
  private write(note: Note, opts: { insert: boolean; outbox: boolean; syncedVersion: number }): void {
    const { rows, outbox } = this.unlocked();
    rows.write(note, opts);
    if (opts.outbox) outbox.put(note.id, note.version, opts.syncedVersion);
  }

  /** After a commit: the in-memory list and index follow the database. */
  private remember(note: Note): void {
    const { rows, indexer } = this.unlocked();
    rows.remember(note);
    indexer.noteSaved(note);
  }

  /** Applies a change to a stored note as one new version, with its outbox entry, in one transaction. */
  private change(id: string, mutate: Change): Note {
    const next = this.db.transaction(() => {
      // mutate() builds a new note from this one and Note.parse copies it: the cached note is never handed out.
      const { note, row } = this.load(id, true);
      const changed = Note.parse({ ...mutate(note), id: note.id, version: note.version + 1, updatedAt: this.now() });
      this.write(changed, { insert: false, outbox: true, syncedVersion: row.synced_version });
      return changed;
    })();
    this.remember(next);
    return next;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  create(input: NewNote, author: Signer): Note {
    this.unlocked();
    const note = newDraft(input, author, () => this.now());
    this.db.transaction(() => this.write(note, { insert: true, outbox: true, syncedVersion: 0 }))();
    this.remember(note);
    return note;
  }

  saveDraft(id: string, body: NoteBody, expectedVersion: number): Note {
    return this.change(id, editDraft(body, expectedVersion));
  }

  sign(id: string, signer: Signer, needsCosign: boolean): Note {
    return this.change(id, signNote(signer, needsCosign, this.stamp));
  }

  addAddendum(id: string, text: string, signer: Signer): Note {
    return this.change(id, addAddendum(text, signer, this.stamp));
  }

  cosign(id: string, supervisor: Signer): Note {
    return this.change(id, cosignNote(supervisor, this.stamp));
  }

  returnToAuthor(id: string, comment: string, supervisor: Signer): Note {
    return this.change(id, returnToAuthor(comment, supervisor));
  }

  // ---- sync -------------------------------------------------------------------------

  outbox(): OutboxEntry[] {
    return this.unlocked().outbox.waiting();
  }

  markSynced(id: string, version: number): void {
    const { rows, outbox } = this.unlocked();
    this.db.transaction(() => {
      const row = rows.rowOf(id);
      if (version > row.version) throw new ProtocolError('CONFLICT', `Version ${version} of this note was never saved here.`, { reason: 'note-version-never-saved', params: { version } });
      if (version > row.synced_version) rows.setSyncedVersion(id, version);
      outbox.synced(id, version);
    })();
  }

  markFailed(id: string, version: number, retryAt: number): void {
    this.unlocked().outbox.failed(id, version, retryAt);
  }

  markConflict(id: string, theirs: Note): void {
    const { rows, outbox } = this.unlocked();
    const parsed = Note.parse(theirs);
    if (parsed.id !== id) throw new ProtocolError('BAD_REQUEST', 'The server copy is of another note.', { reason: 'note-server-copy-other' });
    rows.rowOf(id);
    outbox.putConflict(id, parsed);
  }

  conflictOf(id: string): Note | null {
    return this.unlocked().outbox.conflictOf(id);
  }

  resolveConflict(id: string, keep: 'mine' | 'theirs'): Note {
    const { outbox } = this.unlocked();
    const theirs = this.conflictOf(id);
    if (!theirs) throw new ProtocolError('NOT_FOUND', 'This note has no sync conflict.', { reason: 'note-no-conflict' });
    const resolved = this.db.transaction(() => {
      const { note: mine } = this.load(id);
      let result: Note;
      if (keep === 'theirs') {
        result = theirs;
        this.write(result, { insert: false, outbox: false, syncedVersion: theirs.version });
        outbox.delete(id);
      } else {
        // Ours goes out as a new version on top of theirs, so the server accepts it as an edit of what it holds.
        result = Note.parse({ ...mine, version: Math.max(mine.version, theirs.version) + 1, updatedAt: this.now() });
        this.write(result, { insert: false, outbox: true, syncedVersion: theirs.version });
      }
      outbox.deleteConflict(id);
      return result;
    })();
    this.remember(resolved);
    return resolved;
  }

  applyRemote(note: Note): void {
    const { rows, outbox } = this.unlocked();
    const remote = Note.parse(note);
    const row = rows.find(remote.id);
    if (!row) {
      this.db.transaction(() => this.write(remote, { insert: true, outbox: false, syncedVersion: remote.version }))();
      this.remember(remote);
      return;
    }
    if (remote.version === row.version || remote.version <= row.synced_version) return; // already here, or older
    if (outbox.has(remote.id)) {
      // Our unsynced edits and a newer server copy: never overwrite either; the clinician chooses.
      this.markConflict(remote.id, remote);
      return;
    }
    this.db.transaction(() => this.write(remote, { insert: false, outbox: false, syncedVersion: remote.version }))();
    this.remember(remote);
  }

  close(): void {
    // The index's snapshot is written (a running rebuild dropped) while the database is open.
    this.parts?.indexer.close();
    if (this.db.open) this.db.close();
    this.parts?.rows.clear();
    // Last: the snapshot above still needed them. Each key's memory is its own (sealing.ts), so
    // this wipes the keys and nothing else.
    this.closed = true;
    if (this.parts) wipeKeys(this.parts.keys);
  }
}
