/**
 * A token bucket: `burst` requests at once, refilled at `perSecond`. One per socket, so an
 * admitted client cannot keep the server (and its media worker) busy with valid requests
 * as fast as it can send them, while a page's real bursts (joining a group, rebuilding its
 * media after a reset) fit well within the burst.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    /** Monotonic milliseconds; a wall clock set back would otherwise stop the refill. */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.refilledAt = now();
  }

  /** Takes one token if there is one; false when the rate is exceeded. */
  take(): boolean {
    const at = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((at - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = at;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
