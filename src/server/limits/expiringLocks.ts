/**
 * Locks on keys until a time, forgotten once they end: the sign-in lockouts of usernames
 * that match no account (accounts' own lockouts are stored with the account). Those keys are
 * whatever an attacker types, so, like the sliding windows, the map drops ended locks from
 * its front on every call (locks are kept in the order they were set, and they last alike)
 * and holds at most `maxKeys`, forgetting the oldest first. Forgetting a lock early only
 * lets an unknown username be guessed at again: there is no account behind it.
 */
export class ExpiringLocks {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly maxKeys = 10_000,
  ) {}

  /** Locks held (tests). */
  get size(): number {
    return this.until.size;
  }

  private sweep(at: number): void {
    for (const [key, until] of this.until) {
      if (until > at) break;
      this.until.delete(key);
    }
  }

  lock(key: string, untilMs: number): void {
    this.sweep(this.now());
    this.until.delete(key);
    this.until.set(key, untilMs);
    while (this.until.size > this.maxKeys) {
      const oldest = this.until.keys().next();
      if (oldest.done === true) break;
      this.until.delete(oldest.value);
    }
  }

  /** When the key's lock ends, while it lasts; undefined when there is none. */
  lockedUntil(key: string): number | undefined {
    const at = this.now();
    this.sweep(at);
    const until = this.until.get(key);
    if (until === undefined) return undefined;
    if (until <= at) {
      this.until.delete(key);
      return undefined;
    }
    return until;
  }
}
