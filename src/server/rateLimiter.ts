/** Counts events per key in a sliding window; used for sign-in attempts, hellos and floods. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.hits.delete(key);
    else this.hits.set(key, list);
    return list;
  }

  /** Records one event; returns how many fall within the window, this one included. */
  hit(key: string): number {
    const list = this.recent(key);
    list.push(this.now());
    this.hits.set(key, list);
    return list.length;
  }

  isBlocked(key: string): boolean {
    return this.recent(key).length >= this.limit;
  }

  /** Forgets the key's events (a success, or a lockout that takes over from counting). */
  reset(key: string): void {
    this.hits.delete(key);
  }
}
