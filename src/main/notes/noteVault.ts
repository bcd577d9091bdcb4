/**
 * The note vault: one SQLite file per clinician per server under the console's user-data
 * directory, every note sealed under a key that lives only in the OS keychain.
 *
 * - Durability: WAL with `synchronous=FULL`, so a save the console acknowledged survives a
 *   crash or power loss (NORMAL may lose the last commits on power loss; FULL costs about
 *   0.1–0.3 ms per save here, far inside the autosave budget; see bench/notes.ts).
 * - The key: made on first use only when the vault holds nothing; if notes exist and the key
 *   is missing or wrong the vault stays locked and says so. It never falls back to plaintext.
 * - Lifecycle decisions read the sealed note, never the clear columns (which are only copies
 *   for SQL, checked against the sealed note when it opens).
 * - Search: an in-memory index (searchIndex.ts), decrypted only in main. Opening reads a
 *   sealed snapshot of it and of every note's list fields (indexSnapshot.ts) instead of
 *   decrypting every note; notes saved since the snapshot are read from their own rows. With
 *   no usable snapshot the first search rebuilds it from the notes and writes a new one.
 */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { Addendum, canonicalJson, Note, NoteBody, type NoteStatus, type NoteSummary, type Signature } from '../../shared/notes';
import { ProtocolError } from '../../shared/protocol';
import { createLogger, errorFields } from '../../common/logger';
import { KeychainUnavailableError, type KeyStore } from './keyStore';
import { migrateVault } from './migrate';
import { openPrivateSqlite, SharedFileError } from './privateFiles';
import { fingerprint, indexOf, readSnapshot, sealedCodec, vaultTag, writeSnapshot, type SnapshotNote } from './indexSnapshot';
import type { IndexWorkerData, IndexWorkerResult } from './indexWorker';
import { checkRow, openNoteRow, rebuildFromRows, ROWS_WITH_DOC, WORKER_LOADING, WORKER_RUNNING, type SealedNoteRow } from './rebuild';
import { IndexFormatError, searchableTexts, SearchIndex } from './searchIndex';
import { newKey, open, seal, SealError, KEY_BYTES, wipe } from './sealing';
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
}

/** The file a vault for this account lives in (named by a hash: no account names on disk). */
export function vaultPath(dir: string, account: string): string {
  const tag = createHash('sha256').update(account).digest('hex').slice(0, 16);
  return join(dir, `notes-${tag}.sqlite`);
}

const KEY_CHECK_ID = 'vault-key-check';
/**
 * How long a search waits for the index worker before giving up on it and rebuilding on
 * main's thread: far longer than a rebuild takes (seconds for 10,000 notes), so it only
 * matters when the worker is wedged.
 */
const BUILD_WAIT_MS = 120_000;
/** How long a search waits for the index worker to have loaded at all (it takes well under a second). */
const WORKER_START_MS = 5_000;
const DAMAGED_DATE = '0000-00-00';
/**
 * Notes saved since the snapshot after which a new one is written in the background: each
 * costs a row read and a decrypt at the next open, a snapshot write costs ~0.1–0.3 s of main's
 * time for 10,000 notes. It is also written when the vault closes.
 */
const SNAPSHOT_AFTER_CHANGES = 100;
const SNAPSHOT_DELAY_MS = 10_000;
/** Notes whose last sealed write is kept decrypted for the next save (a few editors open at once). */
const RECENT_NOTES = 16;

interface Meta {
  title: string;
  clientRefs: string[];
  serviceDate: string;
  createdAt: string;
  updatedAt: string;
}

interface NoteRow extends SealedNoteRow {
  synced_version: number;
}

type Summary = Omit<NoteSummary, 'sync'>;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function lockedError(state: VaultState): ProtocolError {
  return new ProtocolError('FORBIDDEN', state.state === 'locked' ? state.message : 'The note vault is locked.');
}

/** After close the key is wiped: anything still holding the vault must not seal under zeros. */
const closedError = (): ProtocolError => new ProtocolError('FORBIDDEN', 'The note vault is closed (signed out); sign in again to open your notes.');

/** The key stays only where it is in use: a key that will not be used is wiped at once. */
function lockedWith(key: Uint8Array | null, state: VaultState): { state: VaultState; key: null; tag: string } {
  if (key) wipe(key);
  return { state, key: null, tag: '' };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  // Compared in place: `Buffer.from(key)` would copy the key into the shared Buffer pool.
  return a.length === b.length && timingSafeEqual(a, b);
}

const MESSAGES = {
  noKeychain: (detail: string) =>
    `Notes are locked: no system keychain answered (${detail}). Confidant keeps the notes key only in the system keychain ` +
    '(on Linux, a Secret Service such as GNOME Keyring or KWallet, unlocked in your desktop session). Start or unlock it, then open notes again.',
  noKey:
    "Notes are locked: their key is missing from this computer's keychain. Restore the keychain entry \"Confidant\" for this account " +
    '(or the keychain from a backup). Confidant will not make a new key, because that would orphan the existing notes.',
  wrongKey:
    "Notes are locked: the key in this computer's keychain does not open them (the entry \"Confidant\" for this account was replaced). " +
    'Restore the original entry from a backup; Confidant will not replace it or start over.',
};

export async function openVault(options: OpenVaultOptions): Promise<NoteVault> {
  const { dir, account, keyStore } = options;
  const clock = options.clock ?? (() => new Date());
  const path = vaultPath(dir, account);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    openPrivateSqlite(path);
  } catch (err) {
    if (err instanceof SharedFileError) throw new ProtocolError('FORBIDDEN', `Notes are locked: ${err.message}`);
    throw err;
  }
  const db = new BetterSqlite3(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrateVault(db);
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
  const { state, key, tag } = unlocked;
  if (state.state === 'locked') log.warn('vault.locked', { reason: state.reason });
  return new SqliteNoteVault(db, state, key, tag, clock);
}

async function unlock(db: Database, account: string, keyStore: KeyStore): Promise<{ state: VaultState; key: Uint8Array | null; tag: string }> {
  const check = db.prepare(`SELECT value FROM vault_meta WHERE name = 'key-check'`).get() as { value: Buffer } | undefined;
  const noteCount = (db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
  let key: Uint8Array | null;
  try {
    key = await keyStore.get(account);
  } catch (err) {
    if (!(err instanceof KeychainUnavailableError)) throw err;
    return { state: { state: 'locked', reason: 'no-keychain', message: MESSAGES.noKeychain(err.message) }, key: null, tag: '' };
  }
  if (key === null) {
    if (check || noteCount > 0) return { state: { state: 'locked', reason: 'no-key', message: MESSAGES.noKey }, key: null, tag: '' };
    key = newKey();
    try {
      await keyStore.set(account, key);
      // Read it back: a keychain that accepts but does not keep the key must not get notes.
      const stored = await keyStore.get(account);
      const kept = stored !== null && sameBytes(stored, key);
      if (stored) wipe(stored);
      if (!kept) throw new KeychainUnavailableError('it did not keep the key it was given');
    } catch (err) {
      if (!(err instanceof KeychainUnavailableError)) {
        wipe(key);
        throw err;
      }
      return lockedWith(key, { state: 'locked', reason: 'no-keychain', message: MESSAGES.noKeychain(err.message) });
    }
    log.info('vault.key.created');
  }
  if (key.length !== KEY_BYTES) return lockedWith(key, { state: 'locked', reason: 'no-key', message: MESSAGES.wrongKey });
  if (check) {
    try {
      open(key, { kind: 'check', id: KEY_CHECK_ID, version: 1 }, check.value);
    } catch {
      return lockedWith(key, { state: 'locked', reason: 'no-key', message: MESSAGES.wrongKey });
    }
    return { state: { state: 'unlocked' }, key, tag: vaultTag(check.value) };
  }
  // Notes without a key check cannot happen in a vault this code wrote; refuse to guess.
  if (noteCount > 0) return lockedWith(key, { state: 'locked', reason: 'no-key', message: MESSAGES.wrongKey });
  const made = seal(key, { kind: 'check', id: KEY_CHECK_ID, version: 1 }, 'ok');
  db.prepare(`INSERT INTO vault_meta (name, value) VALUES ('key-check', ?)`).run(made);
  return { state: { state: 'unlocked' }, key, tag: vaultTag(made) };
}

class SqliteNoteVault implements NoteVault {
  private readonly summaries = new Map<string, Summary>();
  /** The fingerprint of the sealed list fields each summary came from (indexSnapshot.ts). */
  private readonly fingerprints = new Map<string, string>();
  /** Null until built: no usable snapshot and notes exist (the first search rebuilds it). */
  private index: SearchIndex | null = null;
  /** Notes changed since the snapshot, found on open: indexed from their rows at the next search. */
  private readonly reindex = new Set<string>();
  /** Saves since the last snapshot was written (or read); the snapshot is rewritten when it is non-zero. */
  private changes = 0;
  private snapshotTimer: NodeJS.Timeout | null = null;
  /** The index worker while it rebuilds (startBuild); null otherwise. */
  private building: IndexBuild | null = null;
  private readonly damagedDocs = new Set<string>();
  /** The notes this vault sealed last, with the exact bytes it wrote (the autosave path; docOf). */
  private readonly recent = new Map<string, { meta: Buffer; doc: Buffer; note: Note }>();
  /** The fingerprint of each note's newest sealed write, until its commit is remembered. */
  private readonly written = new Map<string, string>();
  /** Set by close(), which wipes the key: from then on every call is refused (requireKey). */
  private closed = false;
  private readonly stmt;

  constructor(
    private readonly db: Database,
    private readonly state: VaultState,
    private readonly key: Uint8Array | null,
    /** This vault's identity for binding its index snapshot (indexSnapshot.ts). */
    private readonly tag: string,
    private readonly clock: () => Date,
  ) {
    this.stmt = {
      row: db.prepare(`${ROWS_WITH_DOC} WHERE n.id = ?`),
      // Open reads only this: no body (note_docs), so a row is a few hundred bytes.
      all: db.prepare('SELECT id, version, status, template, author_id, session_id, meta_sealed FROM notes'),
      allDocs: db.prepare(ROWS_WITH_DOC),
      insert: db.prepare(
        `INSERT INTO notes (id, version, status, template, author_id, session_id, synced_version, meta_sealed)
         VALUES (@id, @version, @status, @template, @authorId, @sessionId, @syncedVersion, @meta)`,
      ),
      update: db.prepare(
        `UPDATE notes SET version = @version, status = @status, template = @template, author_id = @authorId,
           session_id = @sessionId, synced_version = @syncedVersion, meta_sealed = @meta WHERE id = @id`,
      ),
      // An upsert, so a write also restores a body row that went missing.
      putDoc: db.prepare(
        `INSERT INTO note_docs (id, doc_sealed) VALUES (@id, @doc) ON CONFLICT(id) DO UPDATE SET doc_sealed = excluded.doc_sealed`,
      ),
      outboxPut: db.prepare(
        `INSERT INTO outbox (id, version, base_version, attempts, not_before) VALUES (?, ?, ?, 0, 0)
         ON CONFLICT(id) DO UPDATE SET version = excluded.version, base_version = excluded.base_version, attempts = 0, not_before = 0`,
      ),
      outboxGet: db.prepare('SELECT id, version, base_version AS baseVersion, attempts, not_before AS notBefore FROM outbox WHERE id = ?'),
      outboxAll: db.prepare(
        `SELECT id, version, base_version AS baseVersion, attempts, not_before AS notBefore FROM outbox
         WHERE id NOT IN (SELECT id FROM conflicts) ORDER BY not_before, id`,
      ),
      outboxIds: db.prepare('SELECT id FROM outbox'),
      outboxDelete: db.prepare('DELETE FROM outbox WHERE id = ?'),
      conflictIds: db.prepare('SELECT id FROM conflicts'),
      conflictGet: db.prepare('SELECT version, sealed FROM conflicts WHERE id = ?'),
      conflictPut: db.prepare('INSERT OR REPLACE INTO conflicts (id, version, sealed) VALUES (?, ?, ?)'),
      conflictDelete: db.prepare('DELETE FROM conflicts WHERE id = ?'),
    };
    if (key) this.loadState();
  }

  status(): VaultState {
    return this.state;
  }

  // ---- reading ----------------------------------------------------------------------

  private requireKey(): Uint8Array {
    if (this.closed) throw closedError();
    if (!this.key || this.state.state !== 'unlocked') throw lockedError(this.state);
    return this.key;
  }

  /**
   * The list and the index at open: from the snapshot where a note's row still has the
   * fingerprint the snapshot recorded, from the note's own sealed row where it does not.
   */
  private loadState(): void {
    const key = this.requireKey();
    const snapshot = readSnapshot(this.db, sealedCodec(key), this.tag);
    if (!snapshot) {
      for (const row of this.stmt.all.all() as NoteRow[]) {
        this.summaries.set(row.id, this.summaryOf(key, row));
        this.fingerprints.set(row.id, fingerprint(row.meta_sealed));
      }
      // An empty vault has its (empty) index at once, so notes are indexed as they are written
      // and the first snapshot is written at close without a rebuild.
      if (this.summaries.size === 0) this.index = new SearchIndex();
      else {
        this.changes = this.summaries.size;
        this.startBuild();
      }
      return;
    }
    this.index = snapshot.index;
    for (const row of this.stmt.all.all() as NoteRow[]) {
      const fp = fingerprint(row.meta_sealed);
      this.fingerprints.set(row.id, fp);
      const known = snapshot.notes.get(row.id);
      if (known && known.fp === fp) {
        this.summaries.set(row.id, {
          id: row.id,
          version: row.version,
          template: row.template as Summary['template'],
          authorId: row.author_id,
          sessionId: row.session_id,
          status: row.status as NoteStatus,
          title: known.title,
          clientRefs: known.clientRefs,
          serviceDate: known.serviceDate,
          updatedAt: known.updatedAt,
          damaged: false,
        });
        continue;
      }
      // Written (or altered) since the snapshot, or never in it: its own row says what it is now.
      this.summaries.set(row.id, this.summaryOf(key, row));
      this.index.remove(row.id);
      this.reindex.add(row.id);
      this.changes++;
    }
    for (const id of snapshot.notes.keys()) {
      if (!this.summaries.has(id)) {
        this.index.remove(id);
        this.changes++;
      }
    }
  }

  private summaryOf(key: Uint8Array, row: Pick<NoteRow, 'id' | 'version' | 'status' | 'template' | 'author_id' | 'session_id' | 'meta_sealed'>): Summary {
    const clear = clearFields(row);
    try {
      const meta = open(key, { kind: 'meta', id: row.id, version: row.version }, row.meta_sealed) as Meta;
      return { ...clear, title: meta.title, clientRefs: meta.clientRefs, serviceDate: meta.serviceDate, updatedAt: meta.updatedAt, damaged: false };
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      log.warn('note.damaged', { noteId: row.id, part: 'meta' });
      return { ...clear, title: '', clientRefs: [], serviceDate: DAMAGED_DATE, updatedAt: '', damaged: true };
    }
  }

  /** Opens a row's sealed note and checks the clear columns agree with it. */
  private docOf(key: Uint8Array, row: Pick<NoteRow, 'id' | 'version' | 'status' | 'template' | 'author_id' | 'session_id' | 'meta_sealed' | 'doc_sealed'>, allowRecent = false): Note {
    const recent = allowRecent ? this.recent.get(row.id) : undefined;
    if (recent && row.doc_sealed && recent.meta.equals(row.meta_sealed) && recent.doc.equals(row.doc_sealed)) {
      // Exactly the bytes this vault sealed from this note: opening them would give it back.
      checkRow(recent.note, row);
      return recent.note;
    }
    return openNoteRow(key, row);
  }

  private rowOf(id: string): NoteRow {
    const row = this.stmt.row.get(id) as NoteRow | undefined;
    if (!row) throw new ProtocolError('NOT_FOUND', 'No such note.');
    return row;
  }

  /** `allowRecent`: the caller only reads the note (never hands it out), so the recent-write cache may answer. */
  private load(id: string, allowRecent = false): { note: Note; row: NoteRow } {
    const key = this.requireKey();
    const row = this.rowOf(id);
    try {
      return { note: this.docOf(key, row, allowRecent), row };
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      this.damagedDocs.add(id);
      this.index?.remove(id);
      log.warn('note.damaged', { noteId: id, part: 'doc' });
      throw new ProtocolError('CONFLICT', 'This note is damaged on this computer (its encrypted data was altered or corrupted) and cannot be opened. Other notes are unaffected; a synced copy can be restored from the server.');
    }
  }

  get(id: string): Note {
    return this.load(id).note;
  }

  /** The index, up to date: rebuilt if there is none, notes changed since the snapshot indexed. */
  private searchIndex(): SearchIndex {
    const key = this.requireKey();
    // A worker rebuilding it (no usable snapshot at open): wait for it rather than start over.
    if (!this.index && this.building) this.adoptBuild(true);
    if (!this.index) return this.rebuildIndex();
    for (const id of this.reindex) {
      const row = this.stmt.row.get(id) as NoteRow | undefined;
      try {
        if (!row) throw new SealError('the note is gone');
        const note = this.docOf(key, row);
        this.index.set(id, searchableTexts(note.body, note.addenda));
      } catch (err) {
        if (!(err instanceof SealError)) throw err;
        this.damagedDocs.add(id);
        this.index.remove(id);
      }
    }
    this.reindex.clear();
    return this.index;
  }

  /**
   * Every note decrypted and indexed on main's thread, a new snapshot written at once: when a
   * snapshot chunk turns out damaged at a search, or the index worker could not do it.
   */
  private rebuildIndex(): SearchIndex {
    const key = this.requireKey();
    const started = Date.now();
    const { snapshot, damaged } = rebuildFromRows(key, this.stmt.allDocs.iterate() as IterableIterator<NoteRow>);
    for (const id of damaged) this.damagedDocs.add(id);
    this.index = indexOf(snapshot);
    this.reindex.clear();
    log.info('index.rebuilt', { notes: this.summaries.size, ms: Date.now() - started });
    // Written right after this search has answered (or at close), so a rebuild happens once.
    this.changes = Math.max(this.changes, 1);
    this.scheduleSnapshot(true);
    return this.index;
  }

  /**
   * No usable snapshot at open: the index is rebuilt by a worker thread (indexWorker.ts) while
   * the console goes on. Notes saved meanwhile are queued for re-indexing (remember()), since
   * the worker reads the notes as they were when it started. If it cannot start, the first
   * search rebuilds on main's thread as before.
   */
  private startBuild(): void {
    const build = startIndexBuild(this.db.name, this.requireKey());
    if (!build) return;
    const { worker } = build;
    this.building = build;
    worker.once('message', () => {
      if (this.building === build) this.adoptBuild(false);
    });
    worker.once('error', (err) => {
      log.error('index.worker.failed', errorFields(err));
      if (this.building === build) this.stopBuild();
    });
  }

  /** Takes the worker's index once it has answered; `wait`: blocks until it does (a search needs it now). */
  private adoptBuild(wait: boolean): void {
    const build = this.building;
    if (!build) return;
    if (wait) {
      // Blocked here, main cannot hear the worker's 'error' event: so wait for it to have
      // started at all only briefly (a worker that failed to load never will), then for its answer.
      if (Atomics.load(build.done, 0) === WORKER_LOADING) Atomics.wait(build.done, 0, WORKER_LOADING, WORKER_START_MS);
      if (Atomics.load(build.done, 0) === WORKER_RUNNING) Atomics.wait(build.done, 0, WORKER_RUNNING, BUILD_WAIT_MS);
    }
    const answer = receiveMessageOnPort(build.port);
    if (!answer && !wait) return;
    this.stopBuild();
    const result = answer?.message as IndexWorkerResult | undefined;
    if (!result || !result.ok) {
      log.warn('index.worker.failed', { result: result ? 'error' : 'no-answer', rebuilding: 'main' });
      return;
    }
    if (this.index || !this.db.open) return; // rebuilt meanwhile, or closed
    // A note saved while the worker ran is in `reindex` and is read again at the next search;
    // what the worker found of it (even damage) is out of date.
    for (const id of result.damaged) if (!this.reindex.has(id)) this.damagedDocs.add(id);
    this.index = indexOf(result.snapshot);
    log.info('index.rebuilt', { notes: this.summaries.size, ms: Date.now() - build.started, workerMs: result.ms });
    this.changes = Math.max(this.changes, 1);
    this.scheduleSnapshot(true);
  }

  private stopBuild(): void {
    const build = this.building;
    if (!build) return;
    this.building = null;
    stopIndexBuild(build);
  }

  /**
   * Runs `fn` on the index; a snapshot chunk that turns out damaged (SealError) or malformed
   * (IndexFormatError) when first opened discards the snapshot's index and rebuilds once.
   */
  private withIndex<T>(fn: (index: SearchIndex) => T): T {
    try {
      return fn(this.searchIndex());
    } catch (err) {
      if (!(err instanceof SealError || err instanceof IndexFormatError)) throw err;
      log.warn('index.snapshot.damaged', { reason: err.name, rebuilding: true });
      this.index = null;
      return fn(this.searchIndex());
    }
  }

  /** Seals the index and every note's list fields as the new snapshot (indexSnapshot.ts). */
  private writeSnapshot(): void {
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.snapshotTimer = null;
    if (!this.index || this.changes === 0) return;
    const key = this.requireKey();
    const started = Date.now();
    const written = this.withIndex((index) => {
      const notes: SnapshotNote[] = [];
      for (const s of this.summaries.values()) {
        const fp = this.fingerprints.get(s.id);
        // A damaged note stays out: every open checks it again from its row.
        if (s.damaged || this.damagedDocs.has(s.id) || !fp) {
          index.remove(s.id);
          continue;
        }
        notes.push({ id: s.id, fp, title: s.title, clientRefs: s.clientRefs, serviceDate: s.serviceDate, updatedAt: s.updatedAt });
      }
      const snapshot = index.snapshot();
      writeSnapshot(this.db, sealedCodec(key), this.tag, notes, snapshot);
      return snapshot;
    });
    this.index = indexOf(written);
    this.changes = 0;
    log.info('index.snapshot.written', { notes: this.summaries.size, chunks: written.chunks.length, ms: Date.now() - started });
  }

  /** After enough saves (or at once, `soon`), a new snapshot written later: never on a save's own path. */
  private scheduleSnapshot(soon = false): void {
    if (this.snapshotTimer || !this.index || (!soon && this.index.changedSinceBase < SNAPSHOT_AFTER_CHANGES)) return;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = null;
      try {
        if (this.db.open) this.writeSnapshot();
      } catch (err) {
        // A cache: failing to write it costs the next open time, never a note.
        log.error('index.snapshot.write_failed', errorFields(err));
      }
    }, soon ? 0 : SNAPSHOT_DELAY_MS);
    this.snapshotTimer.unref();
  }

  list(filter: NoteFilter = {}): NoteSummary[] {
    this.requireKey();
    const pending = new Set((this.stmt.outboxIds.all() as { id: string }[]).map((r) => r.id));
    const conflicted = new Set((this.stmt.conflictIds.all() as { id: string }[]).map((r) => r.id));
    const query = filter.query?.trim() ? filter.query : undefined;
    const hits = query ? this.withIndex((index) => index.search(query)) : null;
    const narrowing = Boolean(filter.clientRef || filter.from || filter.to || query);
    const out: NoteSummary[] = [];
    for (const s of this.summaries.values()) {
      const damaged = s.damaged || this.damagedDocs.has(s.id);
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
    const key = this.requireKey();
    const meta: Meta = {
      title: note.body.title,
      clientRefs: note.body.clientRefs,
      serviceDate: note.serviceDate,
      createdAt: note.createdAt,
      updatedAt: note.updatedAt,
    };
    const params = {
      id: note.id,
      version: note.version,
      status: note.status,
      template: note.template,
      authorId: note.authorId,
      sessionId: note.sessionId,
      syncedVersion: opts.syncedVersion,
      meta: seal(key, { kind: 'meta', id: note.id, version: note.version }, meta),
      doc: seal(key, { kind: 'doc', id: note.id, version: note.version }, note),
    };
    if (opts.insert) this.stmt.insert.run(params);
    else this.stmt.update.run(params);
    this.stmt.putDoc.run(params);
    if (opts.outbox) this.stmt.outboxPut.run(note.id, note.version, opts.syncedVersion);
    this.written.set(note.id, fingerprint(params.meta));
    // The next autosave of this note compares bytes instead of decrypting them (docOf). A private
    // copy: the caller gets `note` and may change it.
    this.recent.delete(note.id);
    this.recent.set(note.id, { meta: params.meta, doc: params.doc, note: structuredClone(note) });
    if (this.recent.size > RECENT_NOTES) this.recent.delete(this.recent.keys().next().value!);
  }

  /** After a commit: the in-memory list and index follow the database. */
  private remember(note: Note): void {
    const fp = this.written.get(note.id);
    this.written.delete(note.id);
    if (fp) this.fingerprints.set(note.id, fp);
    this.summaries.set(note.id, {
      id: note.id,
      version: note.version,
      template: note.template,
      authorId: note.authorId,
      sessionId: note.sessionId,
      serviceDate: note.serviceDate,
      status: note.status,
      updatedAt: note.updatedAt,
      title: note.body.title,
      clientRefs: note.body.clientRefs,
      damaged: false,
    });
    this.damagedDocs.delete(note.id);
    if (this.index) {
      this.reindex.delete(note.id);
      // Only recorded here: the words are found at the next search (searchIndex.ts), not on the save's path.
      this.index.set(note.id, searchableTexts(note.body, note.addenda));
    } else {
      // No index yet (a worker may be building it from the notes as they were): read it again once there is one.
      this.reindex.add(note.id);
    }
    this.changes++;
    this.scheduleSnapshot();
  }

  /** Applies a change to a stored note as one new version, with its outbox entry, in one transaction. */
  private change(id: string, mutate: (note: Note) => Note): Note {
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

  private signature(signer: Signer, hashed: unknown): Signature {
    return { by: signer.id, byName: signer.name, at: this.now(), contentHash: sha256Hex(canonicalJson(hashed)) };
  }

  create(input: NewNote, author: Signer): Note {
    this.requireKey();
    const body = parseBody(input.body);
    const at = this.now();
    const note = Note.parse({
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
    this.db.transaction(() => this.write(note, { insert: true, outbox: true, syncedVersion: 0 }))();
    this.remember(note);
    return note;
  }

  saveDraft(id: string, body: NoteBody, expectedVersion: number): Note {
    const parsed = parseBody(body);
    return this.change(id, (note) => {
      if (note.status !== 'draft' && note.status !== 'returned') {
        throw new ProtocolError('CONFLICT', 'This note is signed and can no longer be edited; add an addendum instead.');
      }
      if (note.version !== expectedVersion) {
        throw new ProtocolError('CONFLICT', 'This note was changed elsewhere in the console since you opened it; reopen it to see the newest version.');
      }
      return { ...note, body: parsed };
    });
  }

  sign(id: string, signer: Signer, needsCosign: boolean): Note {
    return this.change(id, (note) => {
      if (note.status !== 'draft' && note.status !== 'returned') throw new ProtocolError('CONFLICT', 'This note is already signed.');
      if (signer.id !== note.authorId) throw new ProtocolError('FORBIDDEN', "Only the note's author can sign it.");
      return {
        ...note,
        status: needsCosign ? 'awaiting-cosign' : 'signed',
        signature: this.signature(signer, note.body),
        cosignature: null,
        returnComment: null,
      };
    });
  }

  addAddendum(id: string, text: string, signer: Signer): Note {
    const trimmed = text.trim();
    if (!trimmed) throw new ProtocolError('BAD_REQUEST', 'An addendum needs some text.');
    return this.change(id, (note) => {
      if (note.status === 'draft' || note.status === 'returned') {
        throw new ProtocolError('CONFLICT', 'Addenda are for signed notes; this one can still be edited.');
      }
      const addendumId = randomUUID();
      const addendum = Addendum.parse({ id: addendumId, text: trimmed, signature: this.signature(signer, { noteId: note.id, addendumId, text: trimmed }) });
      return { ...note, addenda: [...note.addenda, addendum] };
    });
  }

  cosign(id: string, supervisor: Signer): Note {
    return this.change(id, (note) => {
      if (note.status !== 'awaiting-cosign') throw new ProtocolError('CONFLICT', 'This note is not waiting for a co-signature.');
      if (supervisor.id === note.authorId) throw new ProtocolError('FORBIDDEN', 'A note cannot be co-signed by its own author.');
      return { ...note, status: 'cosigned', cosignature: this.signature(supervisor, note.body) };
    });
  }

  returnToAuthor(id: string, comment: string, supervisor: Signer): Note {
    const trimmed = comment.trim();
    if (!trimmed) throw new ProtocolError('BAD_REQUEST', 'Say what the author should change.');
    return this.change(id, (note) => {
      if (note.status !== 'awaiting-cosign') throw new ProtocolError('CONFLICT', 'Only a note waiting for co-signature can be returned.');
      if (supervisor.id === note.authorId) throw new ProtocolError('FORBIDDEN', 'A note cannot be returned by its own author.');
      return { ...note, status: 'returned', signature: null, cosignature: null, returnComment: trimmed };
    });
  }

  // ---- sync -------------------------------------------------------------------------

  outbox(): OutboxEntry[] {
    this.requireKey();
    return this.stmt.outboxAll.all() as OutboxEntry[];
  }

  markSynced(id: string, version: number): void {
    this.requireKey();
    this.db.transaction(() => {
      const row = this.rowOf(id);
      if (version > row.version) throw new ProtocolError('CONFLICT', `Version ${version} of this note was never saved here.`);
      if (version > row.synced_version) this.db.prepare('UPDATE notes SET synced_version = ? WHERE id = ?').run(version, id);
      const entry = this.stmt.outboxGet.get(id) as OutboxEntry | undefined;
      if (!entry) return;
      // Saved again while this version was on its way: the newer one still waits, now based on it.
      if (entry.version === version) this.stmt.outboxDelete.run(id);
      else if (entry.version > version) this.db.prepare('UPDATE outbox SET base_version = max(base_version, ?) WHERE id = ?').run(version, id);
    })();
  }

  markFailed(id: string, version: number, retryAt: number): void {
    this.requireKey();
    this.db.prepare('UPDATE outbox SET attempts = attempts + 1, not_before = ? WHERE id = ? AND version = ?').run(retryAt, id, version);
  }

  markConflict(id: string, theirs: Note): void {
    const key = this.requireKey();
    const parsed = Note.parse(theirs);
    if (parsed.id !== id) throw new ProtocolError('BAD_REQUEST', 'The server copy is of another note.');
    this.rowOf(id);
    this.stmt.conflictPut.run(id, parsed.version, seal(key, { kind: 'conflict', id, version: parsed.version }, parsed));
  }

  conflictOf(id: string): Note | null {
    const key = this.requireKey();
    const row = this.stmt.conflictGet.get(id) as { version: number; sealed: Buffer } | undefined;
    if (!row) return null;
    try {
      return Note.parse(open(key, { kind: 'conflict', id, version: row.version }, row.sealed));
    } catch {
      throw new ProtocolError('CONFLICT', "The server's copy of this note is damaged on this computer; sync again to fetch it.");
    }
  }

  resolveConflict(id: string, keep: 'mine' | 'theirs'): Note {
    const theirs = this.conflictOf(id);
    if (!theirs) throw new ProtocolError('NOT_FOUND', 'This note has no sync conflict.');
    const resolved = this.db.transaction(() => {
      const { note: mine } = this.load(id);
      let result: Note;
      if (keep === 'theirs') {
        result = theirs;
        this.write(result, { insert: false, outbox: false, syncedVersion: theirs.version });
        this.stmt.outboxDelete.run(id);
      } else {
        // Ours goes out as a new version on top of theirs, so the server accepts it as an edit of what it holds.
        result = Note.parse({ ...mine, version: Math.max(mine.version, theirs.version) + 1, updatedAt: this.now() });
        this.write(result, { insert: false, outbox: true, syncedVersion: theirs.version });
      }
      this.stmt.conflictDelete.run(id);
      return result;
    })();
    this.remember(resolved);
    return resolved;
  }

  applyRemote(note: Note): void {
    this.requireKey();
    const remote = Note.parse(note);
    const row = this.stmt.row.get(remote.id) as NoteRow | undefined;
    if (!row) {
      this.db.transaction(() => this.write(remote, { insert: true, outbox: false, syncedVersion: remote.version }))();
      this.remember(remote);
      return;
    }
    if (remote.version === row.version || remote.version <= row.synced_version) return; // already here, or older
    if (this.stmt.outboxGet.get(remote.id)) {
      // Our unsynced edits and a newer server copy: never overwrite either; the clinician chooses.
      this.markConflict(remote.id, remote);
      return;
    }
    this.db.transaction(() => this.write(remote, { insert: false, outbox: false, syncedVersion: remote.version }))();
    this.remember(remote);
  }

  close(): void {
    // A rebuild the worker has finished goes into the snapshot below; one still running is dropped.
    this.adoptBuild(false);
    this.stopBuild();
    if (this.db.open) {
      try {
        // What this session changed goes into the snapshot, so the next open reads no note rows.
        if (this.key && this.state.state === 'unlocked') this.writeSnapshot();
      } catch (err) {
        // A cache: not writing it costs the next open time, never a note. The vault still closes.
        log.error('index.snapshot.write_failed', { ...errorFields(err), at: 'close' });
      }
      this.db.close();
    }
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.snapshotTimer = null;
    this.summaries.clear();
    this.fingerprints.clear();
    this.recent.clear();
    this.index = null;
    // Last: the snapshot above still needed it. The key's memory is its own (keyStore.ts), so
    // this wipes the key and nothing else.
    this.closed = true;
    if (this.key) wipe(this.key);
  }
}

/** An index worker at work (startIndexBuild), and the copy of the key it was handed. */
export interface IndexBuild {
  worker: Worker;
  port: MessagePort;
  done: Int32Array;
  /** The worker's copy of the key, in memory both sides see: the worker wipes it when it has answered, stopIndexBuild in any case. */
  key: Uint8Array;
  started: number;
}

/**
 * Starts a worker rebuilding the index of the vault file at `path`, or returns null when no
 * worker can start (the first search then rebuilds on main's thread).
 *
 * The worker's copy of the key is put in shared memory rather than in the message that starts
 * the worker: a copy inside a structured-clone message can never be wiped, and a worker
 * terminated mid-build never reaches its own wipe, while this one main wipes when it stops
 * the build, whatever state the worker is in.
 */
export function startIndexBuild(path: string, key: Uint8Array): IndexBuild | null {
  const { port1, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const handed = new Uint8Array(new SharedArrayBuffer(key.length));
  handed.set(key);
  let worker: Worker;
  try {
    worker = spawnIndexWorker({ path, key: handed, port: port2, done }, [port2]);
  } catch (err) {
    log.warn('index.worker.unavailable', errorFields(err));
    wipe(handed);
    port1.close();
    return null;
  }
  // A build that has not finished must not keep the process alive (close() stops it anyway).
  worker.unref();
  return { worker, port: port1, done, key: handed, started: Date.now() };
}

/** Ends a build, answered or not, and wipes the key it was handed. */
export function stopIndexBuild(build: IndexBuild): void {
  wipe(build.key);
  build.port.close();
  void build.worker.terminate();
}

/**
 * Starts the index worker. Built, it is its own entry beside main's bundle
 * (electron.vite.config.ts). Run from source (tests, the e2e host, the bench) it is the .ts
 * file: a worker does not inherit the parent's TypeScript loader (nor take `--import tsx`
 * in its execArgv on Node 20), so a one-line boot module registers tsx in the worker first.
 */
function spawnIndexWorker(data: IndexWorkerData, transferList: MessagePort[]): Worker {
  const options = { workerData: data, transferList };
  // A variable, so that no bundler rewrites the URL.
  const built = './indexWorker.js';
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(built, import.meta.url), options);
  const tsx = tsxEsmApi();
  const entry = new URL('./indexWorker.ts', import.meta.url).href;
  const boot = `const tsx = await import(${JSON.stringify(tsx)}); (tsx.register ?? tsx.default.register)(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), options);
}

/** tsx's ESM register API as a file URL, from its package's own exports (require.resolve would give the CommonJS one). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const pkg = require(manifest) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifest), pkg.exports['./esm/api']!.import.default)).href;
}

function clearFields(row: Pick<NoteRow, 'id' | 'version' | 'status' | 'template' | 'author_id' | 'session_id'>) {
  return {
    id: row.id,
    version: row.version,
    template: row.template as Summary['template'],
    authorId: row.author_id,
    sessionId: row.session_id,
    status: row.status as NoteStatus,
  };
}

function parseBody(body: NoteBody): NoteBody {
  const parsed = NoteBody.safeParse(body);
  if (!parsed.success) throw new ProtocolError('BAD_REQUEST', `The note is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`);
  return parsed.data;
}
