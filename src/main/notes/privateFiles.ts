/**
 * The console's SQLite files (the note vault, the roster cache, and the -wal and -shm SQLite
 * keeps beside each) are sealed row by row, but their sizes, counts and timings are still
 * the clinician's business alone: they are created 0600, and one that other accounts on the
 * computer can read or change is refused at open with the file and the fix named, rather
 * than quietly tightened, so the clinician learns it was exposed.
 *
 * On Windows POSIX modes say nothing (ACLs decide, and the user-data folder is the user's):
 * no check there.
 */
import { closeSync, openSync, statSync } from 'node:fs';

const checks = process.platform !== 'win32';

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

/**
 * Creates the database file empty and 0600 if it is new (SQLite gives its -wal and -shm the
 * same mode), then throws SharedFileError if it or a journal beside it grants others anything.
 */
export function openPrivateSqlite(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (!checks) return;
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    let mode: number;
    try {
      mode = statSync(f).mode;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (mode & 0o077) throw new SharedFileError(f, mode);
  }
}
