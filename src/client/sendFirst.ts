/**
 * A newcomer's camera goes first (RoomClient.join with `sendFirst`): the gate that holds the
 * group's consumes back, in the browser only, until our first producer exists and its connection
 * is up, or SEND_FIRST_MAX_WAIT_MS ran out. It belongs to the join, not to a router: a media reset
 * leaves it as it is.
 */

/** The longest consumes wait for our first producer when joining with `sendFirst`. */
export const SEND_FIRST_MAX_WAIT_MS = 1500;

export class SendFirstGate {
  private current: { settled: Promise<void>; release: () => void } | null = null;

  /** Starts holding consumes back, for at most SEND_FIRST_MAX_WAIT_MS. */
  hold(): void {
    let release = (): void => undefined;
    const settled = new Promise<void>((resolve) => {
      const timer = setTimeout(() => release(), SEND_FIRST_MAX_WAIT_MS);
      release = () => {
        clearTimeout(timer);
        if (this.current?.settled === settled) this.current = null;
        resolve();
      };
    });
    this.current = { settled, release };
  }

  /** What a consume waits on before setting itself up in the browser; null when nothing is held. */
  get holding(): Promise<void> | null {
    return this.current?.settled ?? null;
  }

  /** Settles once nothing is held back any more; at once when nothing is. */
  settled(): Promise<void> {
    return this.current?.settled ?? Promise.resolve();
  }

  /** Our first producer is up, or cannot be: the group's streams wait no longer. */
  release(): void {
    this.current?.release();
  }
}
