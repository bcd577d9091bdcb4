/**
 * Files that hold the server's records or keys (the SQLite database with its -wal and -shm,
 * the records key) belong to the account that runs the server alone: they are created 0600,
 * and one that other users of the machine can read or change is refused at open, since a
 * database or key another account has read is already out of our hands. The error names
 * the file and the fix rather than quietly tightening the mode, so an operator learns that
 * the file was exposed (and for how long is theirs to find out).
 *
 * Unless no other account could ever have opened it: a file whose folder is ours and lets
 * nobody else in (0700, as the server makes its data directory) is tightened to 0600 with a
 * warning instead. That is every database an older server made (with the umask's 0644),
 * and refusing those would stop every upgraded server for nothing.
 *
 * On Windows, POSIX modes say nothing about who may read a file (ACLs do): no check there.
 */
import { chmodSync, closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../common/logger.js';

const SHARED_BITS = 0o077;
const checks = process.platform !== 'win32';
const log = createLogger('server');

/** A file that other users can read or change. */
export class SharedFileError extends Error {
  constructor(
    readonly file: string,
    mode: number,
  ) {
    const what = mode & 0o044 ? (mode & 0o022 ? 'readable and writable' : 'readable') : 'writable';
    super(`${file} is ${what} by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): run  chmod 600 ${file}  and start again`);
    this.name = 'SharedFileError';
  }
}

/** Whether only this account can reach what is inside `dir`. */
function isPrivateDir(dir: string): boolean {
  try {
    const info = statSync(dir);
    const uid = process.getuid?.();
    return (info.mode & SHARED_BITS) === 0 && (uid === undefined || info.uid === uid);
  } catch {
    return false;
  }
}

/**
 * Throws SharedFileError if `file` exists and grants other users anything, unless its folder
 * never let them in: then it is tightened to 0600 (see above).
 */
export function refuseIfShared(file: string): void {
  if (!checks) return;
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if ((mode & SHARED_BITS) === 0) return;
  if (!isPrivateDir(path.dirname(file))) throw new SharedFileError(file, mode);
  chmodSync(file, 0o600);
  log.warn('file.mode_tightened', { mode: (mode & 0o777).toString(8) });
}

/**
 * Creates `file` empty and 0600 if it does not exist yet (a umask can only take bits away).
 * SQLite gives a database's -wal and -shm the mode of the database file itself.
 */
export function createPrivate(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * A small secret file's bytes, read into memory of its own (`readFileSync` would cut them
 * from Node's shared Buffer pool, where they could not be wiped); the caller wipes it.
 */
export function readSecretFile(file: string, maxBytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const out = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < out.length) {
      const n = readSync(fd, out, length, out.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) {
      out.fill(0);
      throw new RangeError(`${file} is larger than ${maxBytes} bytes`);
    }
    return out.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** The database file and the journals SQLite keeps beside it. */
export function sqliteFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
}
