/**
 * The console's SQLite files (the note vault, the roster cache, and the -wal and -shm SQLite
 * keeps beside each) are sealed row by row, but their sizes, counts and timings are still
 * the clinician's business alone: they are created 0600.
 *
 * A file that grants other accounts anything is refused at open, naming the file and the
 * fix, rather than quietly tightened, so the clinician learns it was exposed: unless its
 * folder lets no other account in (0700, ours, as the console makes it), in which case no
 * one else could ever have opened it, and it is tightened to 0600 with a warning. That is
 * every vault an older console made: it created its files with the umask's 0644 inside a
 * 0700 folder, and refusing those would lock every clinician out of their notes for nothing.
 *
 * On Windows POSIX modes say nothing (ACLs decide, and the user-data folder is the user's):
 * no check there.
 */
import { chmodSync, closeSync, openSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { createLogger } from '../../common/logger';

const log = createLogger('files');
const checks = process.platform !== 'win32';
const OTHERS = 0o077;

/** A file other accounts on this computer can read or change. */
export class SharedFileError extends Error {
  constructor(
    readonly file: string,
    readonly mode: number,
  ) {
    super(`${file} can be read or changed by other users of this computer (mode ${(mode & 0o777).toString(8).padStart(4, '0')}). Run  chmod 600 ${file}  and sign in again.`);
    this.name = 'SharedFileError';
  }
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Whether only this account can reach what is inside `dir`. */
function isPrivateDir(dir: string): boolean {
  const info = statOrNull(dir);
  const uid = process.getuid?.();
  return info !== null && (info.mode & OTHERS) === 0 && (uid === undefined || info.uid === uid);
}

/**
 * Creates the database file empty and 0600 if it is new (SQLite gives its -wal and -shm the
 * same mode), then checks it and the journals beside it (see above): throws SharedFileError
 * for one that others can reach and could have read.
 */
export function openPrivateSqlite(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (!checks) return;
  const files = [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
  const shared = files.map((f) => ({ f, info: statOrNull(f) })).filter(({ info }) => info !== null && (info.mode & OTHERS) !== 0);
  if (shared.length === 0) return;
  if (!isPrivateDir(dirname(file))) throw new SharedFileError(shared[0]!.f, shared[0]!.info!.mode);
  for (const { f } of shared) chmodSync(f, 0o600);
  log.warn('file.mode.tightened', { files: shared.length });
}
