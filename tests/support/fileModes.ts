/** Permission checks on the local database files that hold secrets (the server's store, the console's note vault and roster cache). */
import { existsSync, statSync } from 'node:fs';
import { expect } from 'vitest';

/** A file's permission bits in octal, as `chmod` takes them: '600'. */
export const modeOf = (file: string): string => (statSync(file).mode & 0o777).toString(8);

/** The SQLite file and its -wal and -shm all exist, readable and writable by their owner only (0600). */
export function expectOwnerOnlyWithJournal(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    expect(existsSync(f), f).toBe(true);
    expect(modeOf(f), f).toBe('600');
  }
}
