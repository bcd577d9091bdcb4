/**
 * A member waiting for a group key that does not come (issue 19). The holder sends each key
 * once, when it learns the member is in the group and trusts their public key; a key lost on
 * the way (the member's connection changed meanwhile, the server had not yet let them back
 * in after a takeover, a change in who holds the key crossed their return) would leave them
 * seeing and hearing nothing until the group next changed. So a member in the group with no
 * key, or receiving frames no key of theirs opens, announces the same public key again after
 * a while, and again with growing pauses: the holder answers an announcement by sending the
 * current key (KeyHolder.memberKey). Nothing is asked while the key comes in time.
 */

/** Pauses before each announcement again, the last repeated. */
export const ASK_AGAIN_MS = [2000, 4000, 8000, 15000] as const;

export class KeyWait {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private asked = 0;
  /** Counts settlements, so an answer to an old wait does not start a new one. */
  private generation = 0;

  constructor(
    /** Announces this member's key again. */
    private readonly askAgain: () => Promise<void>,
    private readonly pauses: readonly number[] = ASK_AGAIN_MS,
  ) {}

  /** Whether a word to the holder is due later. */
  get pending(): boolean {
    return this.timer !== null;
  }

  /** No key, or frames no key here opens: ask again after a pause, unless the key comes first. */
  waiting(): void {
    if (this.timer) return;
    const generation = this.generation;
    const pause = this.pauses[Math.min(this.asked, this.pauses.length - 1)]!;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.asked++;
      void this.askAgain()
        .catch(() => undefined)
        // Still without the key: once more, after a longer pause.
        .finally(() => {
          if (generation === this.generation) this.waiting();
        });
    }, pause);
  }

  /** The key came, or there is nothing to wait for (out of the group, the call over). */
  settled(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.asked = 0;
    this.generation++;
  }
}
