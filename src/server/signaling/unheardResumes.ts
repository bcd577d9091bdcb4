/**
 * Resumes whose answer may never have reached the client. A resume token works once: the hello
 * that presents it spends it and answers with the next. On a link that keeps dropping, the
 * socket that carried that hello can die before the answer arrives (or the answer can be lost
 * with it), and the client, holding only the spent token, could never get back into its place:
 * it would be sent to its invitation link and passcode in the middle of the group.
 *
 * So a resume answered on a socket from which nothing has been heard since (no request, no pong
 * to the ping sent right after the answer) is kept here, spent token to next, for the grace period at most: the
 * spent token then works once more, in place of the next one, and the connection that was given
 * the next one is replaced as any stale socket of a returning client is (Room.resume). As soon
 * as anything comes from that connection its client has the answer, and the entry goes. Two
 * connections never hold the place at once, a spent token never works after its successor
 * has been used or its connection heard from, and it stands in once at most: the resume it
 * lets in is not kept here again (so resumes racing with it cannot take the place in turn).
 */

/** The most resumes kept at once; the oldest go first (each would expire within the grace period anyway). */
export const MAX_UNHEARD_RESUMES = 10_000;

export class UnheardResumes {
  /** Spent token digest → the next token's digest, and until when the spent one may stand in. */
  private readonly entries = new Map<string, { next: string; untilMs: number }>();

  constructor(
    /** How long a spent token may stand in for its successor (the reconnect grace period). */
    private readonly windowMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** A resume spent `spent` and answered with `next` on a connection not heard from since. */
  answered(spent: string, next: string): void {
    this.entries.delete(spent);
    this.entries.set(spent, { next, untilMs: this.nowMs() + this.windowMs });
    // Map keeps insertion order: the oldest are first.
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= MAX_UNHEARD_RESUMES && entry.untilMs > this.nowMs()) break;
      this.entries.delete(key);
    }
  }

  /**
   * The connection answered with `next` has been heard from: its client has that token. A later
   * resume that spent `spent` again (standing in) keeps its own entry.
   */
  heard(spent: string, next: string): void {
    if (this.entries.get(spent)?.next === next) this.entries.delete(spent);
  }

  /** The next token's digest `spent` may stand in for, once; undefined if none (or past its window). */
  take(spent: string): string | undefined {
    const entry = this.entries.get(spent);
    if (!entry) return undefined;
    this.entries.delete(spent);
    return entry.untilMs > this.nowMs() ? entry.next : undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}
