/**
 * Writes that the live room makes as it goes (attendance, where each client stands), put
 * together into one transaction per turn of the event loop. Fifty clients checking in at
 * once would otherwise make a hundred and fifty separate commits, one after another, while
 * every knock waits its turn behind them; in one transaction they cost a fraction of that.
 * The queue is flushed at the end of the turn, after the turn's frames have left (see
 * endOfTurn.ts: the knocks should not wait for the disk), and at close. If the batch fails,
 * each write is tried on its own, so one bad write does not take the others with it; a
 * write that still fails is reported, never thrown at the room.
 */
import type { Database } from 'better-sqlite3';
import { atEndOfTurn } from '../endOfTurn.js';

export interface WriteBatcher {
  enqueue(write: () => void): void;
  /** Writes what is queued now (at close, and in tests). */
  flush(): void;
}

export function createWriteBatcher(db: Database, onError: (err: unknown) => void): WriteBatcher {
  let queue: (() => void)[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const work = queue;
    queue = [];
    if (work.length === 0) return;
    try {
      db.transaction(() => {
        for (const write of work) write();
      })();
    } catch {
      for (const write of work) {
        try {
          write();
        } catch (err) {
          onError(err);
        }
      }
    }
  };

  return {
    enqueue(write) {
      queue.push(write);
      if (!scheduled) {
        scheduled = true;
        atEndOfTurn('write', flush);
      }
    },
    flush,
  };
}
