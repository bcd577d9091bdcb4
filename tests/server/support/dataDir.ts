/** What a demo server's data directory holds on disk, for tests that check what is sealed at rest. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every byte of the SQLite store in `dir`: the database, its WAL and shared memory. */
export function databaseBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).filter((f) => f.startsWith('confidant.sqlite')).map((f) => readFileSync(path.join(dir, f))));
}
