/**
 * At most one check in flight per key: per account for sign-ins and re-authentication, per
 * invitation for passcode hellos. A second attempt while one is being checked is refused at
 * once (RATE_LIMITED) rather than queued. A person never sends two at once (the console and
 * the participant page wait for each answer), so only a flood meets the refusal; a queue
 * would let that flood hold the account's turn, and would be one more thing to bound. The
 * set holds only keys being checked right now.
 */
export class OneAtATime {
  private readonly busy = new Set<string>();

  /** Claims `key`; returns how to let it go, or undefined when a check for it is in flight. */
  claim(key: string): (() => void) | undefined {
    if (this.busy.has(key)) return undefined;
    this.busy.add(key);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.busy.delete(key);
    };
  }

  /** Keys in flight (tests). */
  get size(): number {
    return this.busy.size;
  }
}
