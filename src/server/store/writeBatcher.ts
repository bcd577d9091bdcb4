/**
 * Writes that the live room makes as it goes (attendance, where each client stands), put
 * together into one transaction. Fifty clients checking in at once would otherwise make a
 * hundred and fifty separate commits, one after another, while every knock waits its turn
 * behind them; in one transaction they cost a fraction of that.
 *
 * When: at the end of the first turn of the event loop that queued nothing new (signaling/endOfTurn.ts,
 * after that turn's frames have left), or once the oldest queued write is `maxDelayMs` old.
 * A burst of check-ins arrives over several turns; flushing between them made the later
 * knocks wait for the earlier ones' sealing and database work. Whoever reads these records
 * awaits `flush()` first (server.ts wraps the readers), so no read is ever behind the room.
 *
 * Batches are written one after another, in the order they were queued. If a batch fails,
 * each write is tried on its own, so one bad write does not take the others with it; a write
 * that still fails is reported, never thrown at the room.
 */
import { atEndOfTurn } from '../signaling/endOfTurn.js';
import type { Repositories } from './store.js';

export type QueuedWrite = (records: Repositories) => Promise<unknown>;

export interface WriteBatcher {
  enqueue(write: QueuedWrite): void;
  /** Resolves once everything queued before the call is written (before reads of these records, at close, in tests). */
  flush(): Promise<void>;
}

export function createWriteBatcher(store: Repositories, onError: (err: unknown) => void, maxDelayMs = 20): WriteBatcher {
  let queue: QueuedWrite[] = [];
  let scheduled = false;
  /** Whether this turn queued anything. */
  let grew = false;
  let oldestAt = 0;
  /** The last batch under way; the next starts after it. */
  let writing: Promise<void> = Promise.resolve();

  const write = async (work: QueuedWrite[]): Promise<void> => {
    try {
      await store.atomically(async (tx) => {
        for (const w of work) await w(tx);
      });
    } catch {
      for (const w of work) {
        try {
          await w(store);
        } catch (err) {
          onError(err);
        }
      }
    }
  };

  const flush = (): Promise<void> => {
    scheduled = false;
    grew = false;
    const work = queue;
    queue = [];
    if (work.length > 0) writing = writing.then(() => write(work));
    return writing;
  };

  const atTurnEnd = (): void => {
    if (!scheduled) return; // flushed meanwhile
    if (grew && performance.now() - oldestAt < maxDelayMs) {
      // More came this turn: more may be on their way. Look again after the next turn.
      grew = false;
      atEndOfTurn('write', atTurnEnd);
      return;
    }
    void flush();
  };

  return {
    enqueue(w) {
      queue.push(w);
      grew = true;
      if (!scheduled) {
        scheduled = true;
        oldestAt = performance.now();
        atEndOfTurn('write', atTurnEnd);
      }
    },
    flush,
  };
}
