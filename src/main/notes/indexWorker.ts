/**
 * The index worker: rebuilds a vault's search index off main's thread when the vault has no
 * usable snapshot (a vault from an older console, or a snapshot found damaged), so decrypting
 * and tokenizing every note (seconds for 10,000) does not freeze the console.
 *
 * It reads the vault file over its own read-only connection (WAL lets it read beside main's
 * writes; it sees the notes as they were when it started, and the vault re-indexes whatever
 * main saved since), holds a copy of the key (on memory main shares, so main can wipe it too) only while it works, and answers once on
 * `port`, then raises `done` so that main can also wait for it synchronously (a search that
 * arrives before it has finished: see indexer.ts).
 */
import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { rebuildFromRows, ROWS_WITH_DOC, WORKER_ANSWERED, WORKER_RUNNING, type SealedNoteRow } from './rebuild';
import type { IndexSnapshot } from './searchIndex';
import { wipe } from '../sealing';

export interface IndexWorkerData {
  /** The vault file. */
  path: string;
  /** A copy of the vault's rows key on shared memory (startIndexBuild); the worker wipes it when done, main when it stops the build. */
  key: Uint8Array;
  port: MessagePort;
  /** One Int32 on shared memory: WORKER_LOADING, WORKER_RUNNING, then WORKER_ANSWERED once the answer is on `port`. */
  done: Int32Array;
}

export type IndexWorkerResult =
  | { ok: true; snapshot: IndexSnapshot; damaged: string[]; ms: number }
  | { ok: false; error: string };

function build(data: IndexWorkerData): IndexWorkerResult {
  const started = Date.now();
  try {
    const db = new BetterSqlite3(data.path, { readonly: true, fileMustExist: true });
    try {
      const { snapshot, damaged } = rebuildFromRows(data.key, db.prepare(ROWS_WITH_DOC).iterate() as IterableIterator<SealedNoteRow>);
      return { ok: true, snapshot, damaged, ms: Date.now() - started };
    } finally {
      db.close();
    }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    wipe(data.key);
  }
}

const data = workerData as IndexWorkerData;
// Loaded: from here on it always answers (build() catches), so main may wait for it.
Atomics.store(data.done, 0, WORKER_RUNNING);
Atomics.notify(data.done, 0);
data.port.postMessage(build(data));
data.port.close();
Atomics.store(data.done, 0, WORKER_ANSWERED);
Atomics.notify(data.done, 0);
// Wakes main's event loop to take the answer without waiting for a search.
parentPort?.postMessage('done');
