/**
 * The SQLite log's checkpoints (src/server/store/sqlite/walCheckpointer.ts): a commit on the
 * server's connection no longer copies the log into the database file on the event loop; a
 * worker thread does it shortly after; and without the worker the connection checkpoints by
 * itself again, as SQLite does by default.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHECKPOINT_AFTER_MS, DEFAULT_AUTOCHECKPOINT_PAGES, MAIN_AUTOCHECKPOINT_PAGES, startWalCheckpointer } from '../../../src/server/store/sqlite/walCheckpointer';
import { DATABASE_FILE, databaseOf, openStore } from '../../../src/server/store/store';

const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'confidant-wal-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  vi.useRealTimers();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Rows of ~4 KB: `count` of them fill about as many pages. */
function fill(db: BetterSqlite3.Database, from: number, count: number): void {
  const insert = db.prepare('INSERT INTO filler (id, body) VALUES (?, ?)');
  for (let i = from; i < from + count; i++) insert.run(i, randomBytes(4000));
}

describe('checkpoints of the server’s database', () => {
  it('leave a commit past SQLite’s checkpoint line to the worker, which runs it a while after', async () => {
    const dir = freshDir();
    const store = openStore(dir);
    try {
      const db = databaseOf(store);
      db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
      const size = (): number => statSync(join(dir, DATABASE_FILE)).size;
      const before = size();
      vi.useFakeTimers({ toFake: ['setTimeout'] });
      // ~1500 pages in one unit of work: past the 1000 at which SQLite's own checkpoint, run by
      // the commit on this thread, would copy them into the database file.
      await store.atomically(async () => fill(db, 0, 1500));
      expect(size() - before).toBeLessThan(1_000_000);
      // Not yet when the checkpoint is due less a moment; then, on the worker's thread.
      vi.advanceTimersByTime(CHECKPOINT_AFTER_MS - 10);
      await new Promise((resolve) => setImmediate(resolve));
      expect(size() - before).toBeLessThan(1_000_000);
      vi.advanceTimersByTime(10);
      vi.useRealTimers();
      await expect.poll(size, { timeout: 5_000 }).toBeGreaterThan(before + 5_000_000);
    } finally {
      await store.close();
    }
  });

  it('checkpoints on request, and hands checkpointing back to the connection when it stops', async () => {
    const file = join(freshDir(), 'db.sqlite');
    const db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
    const errors: unknown[] = [];
    const checkpointer = startWalCheckpointer(db, file, (err) => errors.push(err));
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(MAIN_AUTOCHECKPOINT_PAGES);
      fill(db, 0, 50);
      const done = await checkpointer.checkpoint();
      expect(done.busy).toBe(false);
      expect(done.log).toBeGreaterThanOrEqual(50);
      expect(done.checkpointed).toBe(done.log);
    } finally {
      await checkpointer.close();
    }
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    await expect(checkpointer.checkpoint()).rejects.toThrow(/stopped/);
    // Asked after it stopped: nothing is scheduled, nothing fails.
    checkpointer.wrote();
    expect(errors).toEqual([]);
    db.close();
  });
});
