/**
 * Starting and stopping the index worker (indexWorker.ts), which rebuilds a vault's search
 * index off main's thread. How the worker's code is loaded is not decided here: whoever builds
 * the vault passes an IndexWorkerFactory (the console passes `bundledIndexWorker`; code run
 * from source, the tests' and the bench's, passes its own loader from tests/support).
 *
 * What belongs here: the worker's start, its shared-memory handshake and the wipe of its key.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { createLogger, errorFields } from '../../common/logger';
import type { IndexWorkerData } from './indexWorker';
import { wipe } from '../sealing';

const log = createLogger('notes.vault');

/** Starts an index worker thread with these `workerData` and transfer list. */
export type IndexWorkerFactory = (data: IndexWorkerData, transferList: MessagePort[]) => Worker;

/**
 * The index worker as the console ships it: its own entry beside main's bundle
 * (electron.vite.config.ts), resolved from the bundle's own URL.
 */
export const bundledIndexWorker: IndexWorkerFactory = (data, transferList) => {
  // A variable, so that no bundler rewrites the URL.
  const built = './indexWorker.js';
  return new Worker(new URL(built, import.meta.url), { workerData: data, transferList });
};

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
export function startIndexBuild(path: string, key: Uint8Array, spawn: IndexWorkerFactory): IndexBuild | null {
  const { port1, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const handed = new Uint8Array(new SharedArrayBuffer(key.length));
  handed.set(key);
  let worker: Worker;
  try {
    worker = spawn({ path, key: handed, port: port2, done }, [port2]);
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
