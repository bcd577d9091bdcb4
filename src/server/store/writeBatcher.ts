/**
 * Writes that the live room makes as it goes (attendance, where each client stands), put
 * together into one transaction. Fifty clients checking in at once would otherwise make a
 * hundred and fifty separate commits, one after another, while every knock waits its turn
 * behind them; in one transaction they cost a fraction of that.
 *
 * When: at the end of the first turn of the event loop that queued nothing new (signaling/endOfTurn.ts,
 * after that turn's frames have left), or once the oldest queued write is `maxDelayMs` old.
 * A burst of check-ins arrives over several turns; flushing between them made the later
 * knocks wait for the earlier ones' sealing and SQLite work. Whoever reads these records
 * calls `flush()` first (server.ts wraps the readers), so no read is ever behind the room.
 *
 * If the batch fails, each write is tried on its own, so one bad write does not take the
 * others with it; a write that still fails is reported, never thrown at the room.
 */
import { atEndOfTurn } from '../signaling/endOfTurn.js';

export interface WriteBatcher {
  enqueue(write: () => void): void;
  /** Writes what is queued now (before reads of these records, at close, and in tests). */
  flush(): void;
}

export function createWriteBatcher(atomically: (work: () => void) => void, onError: (err: unknown) => void, maxDelayMs = 20): WriteBatcher {
  let queue: (() => void)[] = [];
  let scheduled = false;
  /** Whether this turn queued anything. */
  let grew = false;
  let oldestAt = 0;

  const flush = (): void => {
    scheduled = false;
    grew = false;
    const work = queue;
    queue = [];
    if (work.length === 0) return;
    try {
      atomically(() => {
        for (const write of work) write();
      });
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

  const atTurnEnd = (): void => {
    if (!scheduled) return; // flushed meanwhile
    if (grew && performance.now() - oldestAt < maxDelayMs) {
      // More came this turn: more may be on their way. Look again after the next turn.
      grew = false;
      atEndOfTurn('write', atTurnEnd);
      return;
    }
    flush();
  };

  return {
    enqueue(write) {
      queue.push(write);
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
