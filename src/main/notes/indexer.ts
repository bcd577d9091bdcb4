/**
 * The vault's search: an in-memory index (searchIndex.ts), decrypted only in main, and its
 * sealed snapshot (indexSnapshot.ts). Opening reads the snapshot, with every note's list
 * fields, instead of decrypting every note; notes saved since the snapshot are read from their
 * own rows. With no usable snapshot a worker thread rebuilds the index (indexBuild.ts) while
 * the console goes on, or the first search rebuilds it on main's thread; either way a new
 * snapshot is written.
 *
 * What belongs here: keeping the index and the list in step with the rows at open, on every
 * save and at close, and when the snapshot is written. Reading and writing rows is rows.ts's.
 */
import type { Database } from 'better-sqlite3';
import { receiveMessageOnPort } from 'node:worker_threads';
import type { Note } from '../../shared/notes';
import { createLogger, errorFields } from '../../common/logger';
import type { VaultKeys } from './key';
import { startIndexBuild, stopIndexBuild, type IndexBuild, type IndexWorkerFactory } from './indexBuild';
import { fingerprint, indexOf, readSnapshot, sealedCodec, writeSnapshot, type SnapshotNote } from './indexSnapshot';
import type { IndexWorkerResult } from './indexWorker';
import { rebuildFromRows, WORKER_LOADING, WORKER_RUNNING } from './rebuild';
import { clearFields, type NoteRows } from './rows';
import { IndexFormatError, searchableTexts, SearchIndex } from './searchIndex';
import { SealError } from '../sealing';

const log = createLogger('notes.vault');

/**
 * How long a search waits for the index worker before giving up on it and rebuilding on
 * main's thread: far longer than a rebuild takes (seconds for 10,000 notes), so it only
 * matters when the worker is wedged.
 */
const BUILD_WAIT_MS = 120_000;
/** How long a search waits for the index worker to have loaded at all (it takes well under a second). */
const WORKER_START_MS = 5_000;
/**
 * Notes saved since the snapshot after which a new one is written in the background: each
 * costs a row read and a decrypt at the next open, a snapshot write costs ~0.1–0.3 s of main's
 * time for 10,000 notes. It is also written when the vault closes.
 */
const SNAPSHOT_AFTER_CHANGES = 100;
const SNAPSHOT_DELAY_MS = 10_000;

export class VaultIndexer {
  /** Null until built: no usable snapshot and notes exist (the first search rebuilds it). */
  private index: SearchIndex | null = null;
  /** Notes changed since the snapshot, found on open: indexed from their rows at the next search. */
  private readonly reindex = new Set<string>();
  /** Saves since the last snapshot was written (or read); the snapshot is rewritten when it is non-zero. */
  private changes = 0;
  private snapshotTimer: NodeJS.Timeout | null = null;
  /** The index worker while it rebuilds (startBuild); null otherwise. */
  private building: IndexBuild | null = null;

  constructor(
    private readonly db: Database,
    private readonly rows: NoteRows,
    private readonly keys: VaultKeys,
    /** This vault's identity for binding its index snapshot (indexSnapshot.ts). */
    private readonly tag: string,
    /** Starts the index worker; none: a rebuild runs on main's thread at the first search. */
    private readonly spawnWorker: IndexWorkerFactory | undefined,
  ) {}

  /**
   * The list and the index at open: from the snapshot where a note's row still has the
   * fingerprint the snapshot recorded, from the note's own sealed row where it does not.
   */
  open(): void {
    const { rows } = this;
    const snapshot = readSnapshot(this.db, sealedCodec(this.keys.index), this.tag);
    if (!snapshot) {
      for (const row of rows.heads()) rows.listFrom(row);
      // An empty vault has its (empty) index at once, so notes are indexed as they are written
      // and the first snapshot is written at close without a rebuild.
      if (rows.summaries.size === 0) this.index = new SearchIndex();
      else {
        this.changes = rows.summaries.size;
        this.startBuild();
      }
      return;
    }
    this.index = snapshot.index;
    for (const row of rows.heads()) {
      const fp = fingerprint(row.meta_sealed);
      rows.fingerprints.set(row.id, fp);
      const known = snapshot.notes.get(row.id);
      if (known && known.fp === fp) {
        const { title, clientRefs, serviceDate, updatedAt } = known;
        rows.summaries.set(row.id, { ...clearFields(row), title, clientRefs, serviceDate, updatedAt, damaged: false });
        continue;
      }
      // Written (or altered) since the snapshot, or never in it: its own row says what it is now.
      rows.summaries.set(row.id, rows.summaryOf(row));
      this.index.remove(row.id);
      this.reindex.add(row.id);
      this.changes++;
    }
    for (const id of snapshot.notes.keys()) {
      if (!rows.summaries.has(id)) {
        this.index.remove(id);
        this.changes++;
      }
    }
  }

  /** After a save's commit: its words are recorded, and found at the next search (searchIndex.ts), not on the save's path. */
  noteSaved(note: Note): void {
    if (this.index) {
      this.reindex.delete(note.id);
      this.index.set(note.id, searchableTexts(note.body, note.addenda));
    } else {
      // No index yet (a worker may be building it from the notes as they were): read it again once there is one.
      this.reindex.add(note.id);
    }
    this.changes++;
    this.scheduleSnapshot();
  }

  /** A note found damaged: no search finds it. */
  forget(id: string): void {
    this.index?.remove(id);
  }

  /** The index, up to date: rebuilt if there is none, notes changed since the snapshot indexed. */
  private searchIndex(): SearchIndex {
    // A worker rebuilding it (no usable snapshot at open): wait for it rather than start over.
    if (!this.index && this.building) this.adoptBuild(true);
    if (!this.index) return this.rebuildIndex();
    for (const id of this.reindex) {
      const row = this.rows.find(id);
      try {
        if (!row) throw new SealError('the note is gone');
        const note = this.rows.docOf(row);
        this.index.set(id, searchableTexts(note.body, note.addenda));
      } catch (err) {
        if (!(err instanceof SealError)) throw err;
        this.rows.damaged.add(id);
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
    const started = Date.now();
    const { snapshot, damaged } = rebuildFromRows(this.keys.rows, this.rows.withDocs());
    for (const id of damaged) this.rows.damaged.add(id);
    this.index = indexOf(snapshot);
    this.reindex.clear();
    log.info('index.rebuilt', { notes: this.rows.summaries.size, ms: Date.now() - started });
    // Written right after this search has answered (or at close), so a rebuild happens once.
    this.changes = Math.max(this.changes, 1);
    this.scheduleSnapshot(true);
    return this.index;
  }

  /**
   * No usable snapshot at open: the index is rebuilt by a worker thread (indexWorker.ts) while
   * the console goes on. Notes saved meanwhile are queued for re-indexing (noteSaved()), since
   * the worker reads the notes as they were when it started. If it cannot start, the first
   * search rebuilds on main's thread as before.
   */
  private startBuild(): void {
    if (!this.spawnWorker) return;
    const build = startIndexBuild(this.db.name, this.keys.rows, this.spawnWorker);
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
    for (const id of result.damaged) if (!this.reindex.has(id)) this.rows.damaged.add(id);
    this.index = indexOf(result.snapshot);
    log.info('index.rebuilt', { notes: this.rows.summaries.size, ms: Date.now() - build.started, workerMs: result.ms });
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
  withIndex<T>(fn: (index: SearchIndex) => T): T {
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
    const started = Date.now();
    const written = this.withIndex((index) => {
      const notes: SnapshotNote[] = [];
      for (const s of this.rows.summaries.values()) {
        const fp = this.rows.fingerprints.get(s.id);
        // A damaged note stays out: every open checks it again from its row.
        if (this.rows.isDamaged(s) || !fp) {
          index.remove(s.id);
          continue;
        }
        notes.push({ id: s.id, fp, title: s.title, clientRefs: s.clientRefs, serviceDate: s.serviceDate, updatedAt: s.updatedAt });
      }
      const snapshot = index.snapshot();
      writeSnapshot(this.db, sealedCodec(this.keys.index), this.tag, notes, snapshot);
      return snapshot;
    });
    this.index = indexOf(written);
    this.changes = 0;
    log.info('index.snapshot.written', { notes: this.rows.summaries.size, chunks: written.chunks.length, ms: Date.now() - started });
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

  /**
   * The vault closes: a rebuild the worker has finished goes into the snapshot, one still
   * running is dropped, and what this session changed is written, so the next open reads no
   * note rows. Called while the database is still open.
   */
  close(): void {
    this.adoptBuild(false);
    this.stopBuild();
    if (this.db.open) {
      try {
        this.writeSnapshot();
      } catch (err) {
        // A cache: not writing it costs the next open time, never a note. The vault still closes.
        log.error('index.snapshot.write_failed', { ...errorFields(err), at: 'close' });
      }
    }
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.snapshotTimer = null;
    this.index = null;
  }
}
