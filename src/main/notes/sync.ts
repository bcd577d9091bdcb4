/**
 * The note sync engine: drains the vault's outbox to `PUT /api/notes/:id` and pulls
 * `GET /api/notes?since=` into the vault. Nothing a clinician wrote is ever dropped here: a
 * note the server refuses stays in the outbox (retried with backoff, the reason shown), a
 * note the server holds differently becomes a conflict for the clinician to resolve, and an
 * unreachable server only makes the console say it is offline.
 *
 * The engine decides nothing about a note's content; the server enforces the rules and the
 * vault keeps both sides of a conflict.
 */
import { createHash } from 'node:crypto';
import { backoffDelay } from '../../shared/backoff';
import { canonicalJson, type Note, type PutNoteRequest } from '../../shared/notes';
import type { SyncStatus } from '../../shared/ipc';
import { ProtocolError } from '../../shared/protocol';
import { createLogger, errorFields } from '../../common/logger';
import type { NoteVault, OutboxEntry } from './types';

const log = createLogger('notes-sync');

/** The two calls the engine needs; main implements them with its `ServerSession`. */
export interface NotesApi {
  put(req: PutNoteRequest): Promise<{ id: string; version: number }>;
  /** The caller's notes (and, for supervisors, their supervisees' awaiting co-signature) stored since `since`. */
  list(since?: string): Promise<Note[]>;
}

export type { SyncStatus };

export interface NoteSync {
  status(): SyncStatus;
  /** One round now, ignoring backoff (the Sync button). Never throws; problems go to `lastError`. */
  syncNow(): Promise<void>;
  /** A round now and then every `intervalMs`; rounds from the timer respect backoff. */
  start(): void;
  stop(): void;
}

export interface NoteSyncOptions {
  vault: NoteVault;
  api: NotesApi;
  /** Epoch ms. */
  clock?: () => number;
  onChange?: (status: SyncStatus) => void;
  /** Timer period; 15 s by default. */
  intervalMs?: number;
  /** First retry delay and the ceiling of the exponential backoff. */
  backoff?: { baseMs: number; maxMs: number };
  /** 0 ≤ x < 1, for jitter (tests pin it). */
  random?: () => number;
}

export const SYNC_INTERVAL_MS = 15_000;
/** A note the server could not take waits 1–2 s, then 2–4 s, …, up to 2.5–5 min (src/shared/backoff.ts, with jitter). */
export const DEFAULT_BACKOFF = { baseMs: 2_000, maxMs: 5 * 60_000 };
/**
 * `since` is compared with the server's clock, not ours: pulls ask for a window reaching
 * this far before the last pull started, so a workstation clock a little off loses nothing
 * (notes seen twice are simply skipped).
 */
export const PULL_OVERLAP_MS = 10 * 60_000;

export type FailureKind = 'offline' | 'conflict' | 'server' | 'signed-out' | 'refused';

/**
 * What a failed call means. `ServerSession` reports an unreachable server as NOT_FOUND
 * ("No Confidant server answered"); the notes endpoints never answer 404 themselves, so
 * NOT_FOUND, and anything that is not a ProtocolError (a fetch TypeError, an abort), is
 * taken as offline.
 */
export function classifyFailure(err: unknown): FailureKind {
  if (!(err instanceof ProtocolError)) return 'offline';
  switch (err.code) {
    case 'NOT_FOUND':
      return 'offline';
    case 'CONFLICT':
      return 'conflict';
    case 'INTERNAL':
    case 'RATE_LIMITED':
      return 'server';
    case 'UNAUTHENTICATED':
      return 'signed-out';
    default:
      return 'refused';
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const digestOf = (note: Note): string => createHash('sha256').update(canonicalJson(note)).digest('hex');

function isNotFound(err: unknown): boolean {
  return err instanceof ProtocolError && err.code === 'NOT_FOUND';
}

export function createNoteSync(options: NoteSyncOptions): NoteSync {
  const { vault, api } = options;
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const intervalMs = options.intervalMs ?? SYNC_INTERVAL_MS;

  let online = true;
  let syncing = false;
  let lastSyncedAt: string | null = null;
  let lastError: string | null = null;
  let lastPullStartedAt: number | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let running: Promise<void> | null = null;
  /**
   * Versions sent whose answer never came (the server may have stored them), by note id.
   * When such a version turns out to be what the server holds, a later edit is ours, not a
   * conflict: without this, a lost answer followed by another save would ask the clinician
   * to choose between two versions of their own text.
   */
  const unanswered = new Map<string, Set<string>>();

  const hasConflict = (id: string): boolean => {
    try {
      return vault.conflictOf(id) !== null;
    } catch {
      return false;
    }
  };

  const counts = (): { pending: number; conflicts: number } => {
    try {
      const pending = vault.outbox().filter((e) => !hasConflict(e.id)).length;
      const conflicts = vault.list().filter((s) => s.sync === 'conflict').length;
      return { pending, conflicts };
    } catch {
      return { pending: 0, conflicts: 0 };
    }
  };

  const status = (): SyncStatus => ({ online, syncing, lastSyncedAt, lastError, ...counts() });

  const changed = (): void => {
    try {
      options.onChange?.(status());
    } catch (err) {
      log.error('sync.listener_failed', errorFields(err));
    }
  };

  const retryLater = (entry: OutboxEntry, version: number): void => {
    vault.markFailed(entry.id, version, clock() + backoffDelay(entry.attempts, { ...backoff, jitter: true }, random));
  };

  /** The server's copy of one note, from a full pull made at most once per round. */
  const serverCopies = (() => {
    let cache: Promise<Map<string, Note>> | null = null;
    return {
      reset: () => void (cache = null),
      get: async (id: string): Promise<Note | undefined> => {
        cache ??= api.list().then((notes) => new Map(notes.map((n) => [n.id, n])));
        return (await cache).get(id);
      },
    };
  })();

  /** Pushes one outbox entry; false when the server is unreachable (the round stops). */
  async function push(entry: OutboxEntry): Promise<boolean> {
    let note: Note;
    try {
      note = vault.get(entry.id);
    } catch (err) {
      // A damaged note cannot be sent; it stays in the outbox and says why.
      lastError = `Note ${entry.id} could not be opened: ${messageOf(err)}`;
      retryLater(entry, entry.version);
      return true;
    }
    // The outbox may name an older version than the vault now holds: send the newest.
    const request: PutNoteRequest = { note, baseVersion: entry.baseVersion };
    try {
      await api.put(request);
      online = true;
      unanswered.delete(note.id);
      vault.markSynced(note.id, note.version);
      return true;
    } catch (err) {
      const kind = classifyFailure(err);
      if (kind !== 'offline') online = true;
      switch (kind) {
        case 'offline': {
          const sent = unanswered.get(note.id) ?? new Set<string>();
          unanswered.set(note.id, sent.add(digestOf(note)));
          online = false;
          lastError = 'The server cannot be reached; notes will sync when it can.';
          retryLater(entry, note.version);
          return false;
        }
        case 'conflict': {
          const theirs = await serverCopies.get(note.id);
          if (theirs && canonicalJson(theirs) === canonicalJson(note)) {
            unanswered.delete(note.id);
            vault.markSynced(note.id, note.version);
          } else if (theirs && theirs.version < note.version && unanswered.get(note.id)?.has(digestOf(theirs))) {
            // The server holds a version we sent and never heard back about: ours. Send on top of it.
            unanswered.delete(note.id);
            vault.markSynced(note.id, theirs.version);
            const again = vault.outbox().find((e) => e.id === note.id);
            return again ? push(again) : true;
          } else if (theirs) {
            vault.markConflict(note.id, theirs);
            log.warn('note.conflict', { noteId: note.id, theirs: theirs.version });
          } else {
            // Refused, yet the server shows no copy we could keep beside ours: say so, retry later.
            lastError = `The server refused note ${note.id}: ${messageOf(err)}`;
            retryLater(entry, note.version);
          }
          return true;
        }
        case 'signed-out':
          lastError = 'Signed out: sign in again to sync notes.';
          retryLater(entry, note.version);
          return false;
        case 'server':
        case 'refused':
          lastError = `The server did not take note ${note.id}: ${messageOf(err)}`;
          log.warn('note.not_synced', { noteId: note.id, version: note.version, kind });
          retryLater(entry, note.version);
          return true;
      }
    }
  }

  function localOf(id: string): Note | null | 'unreadable' {
    try {
      return vault.get(id);
    } catch (err) {
      return isNotFound(err) ? null : 'unreadable';
    }
  }

  /** Brings in notes from the server that this workstation does not hold as new or newer. */
  async function pull(): Promise<void> {
    const startedAt = clock();
    const since = lastPullStartedAt === null ? undefined : new Date(lastPullStartedAt - PULL_OVERLAP_MS).toISOString();
    const remote = await api.list(since);
    online = true;
    const waiting = new Set(vault.outbox().map((e) => e.id));
    for (const theirs of remote) {
      const conflicting = hasConflict(theirs.id) ? vault.conflictOf(theirs.id) : null;
      if (conflicting) {
        if (theirs.version > conflicting.version) vault.markConflict(theirs.id, theirs);
        continue;
      }
      // Ours is on its way up; the PUT will meet any difference as a conflict.
      if (waiting.has(theirs.id)) continue;
      const mine = localOf(theirs.id);
      if (mine === 'unreadable') continue;
      if (mine === null || theirs.version > mine.version) vault.applyRemote(theirs);
    }
    lastPullStartedAt = startedAt;
  }

  async function round(manual: boolean): Promise<void> {
    syncing = true;
    changed();
    serverCopies.reset();
    lastError = null;
    let reachable = true;
    try {
      const now = clock();
      for (const entry of vault.outbox()) {
        if (hasConflict(entry.id)) continue;
        if (!manual && entry.notBefore > now) continue;
        reachable = await push(entry);
        changed();
        if (!reachable) break;
      }
      if (reachable) {
        await pull();
        if (lastError === null) lastSyncedAt = new Date(clock()).toISOString();
      }
    } catch (err) {
      const kind = classifyFailure(err);
      if (kind === 'offline') {
        online = false;
        lastError = 'The server cannot be reached; notes will sync when it can.';
      } else {
        lastError = `Sync failed: ${messageOf(err)}`;
        if (kind !== 'signed-out') log.error('sync.round_failed', errorFields(err));
      }
    } finally {
      syncing = false;
      changed();
    }
  }

  const run = (manual: boolean): Promise<void> => {
    // The button during a timer round: that round may have skipped notes in backoff, so go again.
    if (running) return manual ? running.then(() => run(true)) : running;
    const current = round(manual).finally(() => {
      running = null;
    });
    running = current;
    return current;
  };

  return {
    status,
    syncNow: () => run(true),
    start() {
      if (timer) return;
      void run(false);
      timer = setInterval(() => void run(false), intervalMs);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
