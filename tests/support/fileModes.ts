/** Permission checks on the console's local database files (the note vault, the roster cache). */
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
