/**
 * Checkpoints of the server's SQLite write-ahead log, on a thread of their own. Left to
 * SQLite, the commit that takes the log past 1000 pages copies it into the database file and
 * syncs both, in the committing thread, which is the server's one event loop: 3–9 ms in which
 * no frame is read or answered, a few times a minute under a busy clinic's writes, and when one
 * landed in a group's joining burst every client in it waited for it. Here the main connection
 * leaves that to a second connection in a worker thread, asked to checkpoint
 * (`wal_checkpoint(PASSIVE)`: it waits for nobody and nobody waits for it) about a second after
 * writes; the main connection keeps a checkpoint of its own only far past that
 * (MAIN_AUTOCHECKPOINT_PAGES), as the bound on the log should the worker not keep up, and goes
 * back to SQLite's default if the worker is gone.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';

/** SQLite's own default: a checkpoint once the log passes this many pages. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** With the checkpointer running, the main connection checkpoints only past this (~40 MB at 4 KiB a page). */
export const MAIN_AUTOCHECKPOINT_PAGES = 10_000;
/** How long after a write the checkpointer is asked to run: writes in between share it. */
export const CHECKPOINT_AFTER_MS = 10_000;

/** What one checkpoint did (SQLite's own three numbers). */
export interface CheckpointResult {
  /** Whether it could not run at all (another checkpoint under way). */
  busy: boolean;
  /** Pages in the log. */
  log: number;
  /** Pages of it now in the database file. */
  checkpointed: number;
}

export interface WalCheckpointer {
  /** Something was committed: a checkpoint follows within CHECKPOINT_AFTER_MS. */
  wrote(): void;
  /** Checkpoints now (after any under way); for tests and for the end. */
  checkpoint(): Promise<CheckpointResult>;
  /** Stops the worker, its connection closed; the main connection goes back to checkpointing by itself. */
  close(): Promise<void>;
}

/**
 * The worker: one connection to the file, a checkpoint per request, closed on `close`. A few
 * lines of plain JavaScript, so it needs none of the TypeScript loader the server runs under.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
// Waiting for a lock here holds up nobody else (a passive checkpoint itself never waits).
db.pragma('busy_timeout = 5000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, busy: row.busy === 1, log: row.log, checkpointed: row.checkpointed });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
});
`;

type Answer = ({ ok: true } & CheckpointResult) | { ok: false; message: string };

/**
 * Starts checkpointing `file` (the database `db` has open) from a worker thread. `onError`
 * hears of a checkpoint that failed or a worker that stopped; the main connection then
 * checkpoints by itself again, as SQLite does by default.
 */
export function startWalCheckpointer(db: Database, file: string, onError: (err: unknown) => void): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), file },
  });
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${MAIN_AUTOCHECKPOINT_PAGES}`);

  let gone = false;
  let closing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Checkpoints asked for and not answered yet, in order. */
  const waiting: { resolve: (r: CheckpointResult) => void; reject: (err: Error) => void }[] = [];
  const goneNow = (err: Error | undefined): void => {
    if (gone) return;
    gone = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    for (const w of waiting.splice(0)) w.reject(err ?? new Error('the checkpointer has stopped'));
    if (err) onError(err);
  };
  worker.on('message', (answer: Answer) => {
    const w = waiting.shift();
    if (answer.ok) w?.resolve({ busy: answer.busy, log: answer.log, checkpointed: answer.checkpointed });
    else {
      const err = new Error(`checkpoint failed: ${answer.message}`);
      w?.reject(err);
      onError(err);
    }
  });
  worker.on('error', (err) => goneNow(err));
  worker.on('exit', (code) => goneNow(closing ? undefined : new Error(`the checkpointer stopped (exit ${code})`)));

  const checkpoint = (): Promise<CheckpointResult> => {
    if (gone) return Promise.reject(new Error('the checkpointer has stopped'));
    return new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      worker.postMessage('checkpoint');
    });
  };

  return {
    wrote() {
      if (timer || gone) return;
      timer = setTimeout(() => {
        timer = undefined;
        // A failure has been reported (onError); the next write asks again.
        checkpoint().catch(() => undefined);
      }, CHECKPOINT_AFTER_MS);
      timer.unref();
    },
    checkpoint,
    async close() {
      if (gone) return;
      closing = true;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // Unreferenced, it would not keep a process that is ending alive until it has closed.
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
