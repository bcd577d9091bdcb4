/**
 * Counts events per key in a sliding window, in this process's memory: a socket's floods and
 * failed hellos. (Attempts at secrets are counted in the database: storedAttempts.ts.)
 *
 * Keys are mostly what an attacker chooses (usernames, addresses, invitation ids), so the
 * map looks after its own size. It holds keys in the order of their latest event, and every
 * call first drops keys from the front whose latest event has left the window: each key is
 * dropped once, so this costs O(1) amortised and needs no timer. A key keeps at most `limit`
 * events, the newest, because older ones cannot change whether it is over the limit. And
 * past `maxKeys` live keys the one idle longest is forgotten: memory stays bounded under a
 * flood of distinct keys, at the price that such a flood forgives old attempts (it never
 * refuses anyone for someone else's flood).
 */
/** One event counted by `reserve`, which can be uncounted. */
export interface WindowReservation {
  readonly count: number;
  giveBack(): void;
}

/** Far more keys than any real window holds (a clinic's staff, a day's clients). */
export const DEFAULT_MAX_KEYS = 100_000;

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    readonly maxKeys: number = DEFAULT_MAX_KEYS,
  ) {}

  /** Keys held (tests). */
  get size(): number {
    return this.hits.size;
  }

  /** Events held across all keys (tests). */
  get eventsHeld(): number {
    let n = 0;
    for (const list of this.hits.values()) n += list.length;
    return n;
  }

  /** Drops keys whose latest event has left the window, from the front of the map. */
  private sweep(cutoff: number): void {
    for (const [key, list] of this.hits) {
      // Give-backs can leave a key's latest event older than its place says; such a key
      // goes when the sweep reaches it, or when it is next used.
      if ((list[list.length - 1] ?? -Infinity) > cutoff) break;
      this.hits.delete(key);
    }
  }

  /** The key's events within the window (the map forgets a key with none). */
  private recent(key: string): { list: number[]; at: number } {
    const at = this.now();
    const cutoff = at - this.windowMs;
    this.sweep(cutoff);
    const list = this.hits.get(key) ?? [];
    let stale = 0;
    while (stale < list.length && (list[stale] ?? Infinity) <= cutoff) stale++;
    if (stale > 0) list.splice(0, stale);
    if (list.length === 0) this.hits.delete(key);
    return { list, at };
  }

  private record(key: string, list: number[], at: number): void {
    list.push(at);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    // To the back: the map stays in the order of each key's latest event.
    this.hits.delete(key);
    this.hits.set(key, list);
    while (this.hits.size > this.maxKeys) {
      const idlest = this.hits.keys().next();
      if (idlest.done === true) break;
      this.hits.delete(idlest.value);
    }
  }

  /** Records one event; returns how many fall within the window, this one included (at most `limit`). */
  hit(key: string): number {
    const { list, at } = this.recent(key);
    this.record(key, list, at);
    return list.length;
  }

  isBlocked(key: string): boolean {
    return this.recent(key).list.length >= this.limit;
  }

  reserve(key: string): WindowReservation | undefined {
    const { list, at } = this.recent(key);
    if (list.length >= this.limit) return undefined;
    this.record(key, list, at);
    let held = true;
    return {
      count: list.length,
      giveBack: () => {
        if (!held) return;
        held = false;
        this.forget(key, at);
      },
    };
  }

  /** Uncounts one event of `key` made at `at` (if the window still holds it). */
  private forget(key: string, at: number): void {
    const list = this.hits.get(key);
    if (!list) return;
    const i = list.lastIndexOf(at);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.hits.delete(key);
  }

  /** Forgets the key's events (a success, or a lockout that takes over from counting). */
  reset(key: string): void {
    this.hits.delete(key);
  }
}
