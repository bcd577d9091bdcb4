/**
 * Falling back to audio by itself on a link that cannot carry video (issue 22): when the
 * connection turns poor while the camera is being sent, the camera is held back and only the
 * voice goes; once the connection has been good for a while, the camera comes back. A link
 * that turns poor again soon after waits twice as long the next time (up to a few minutes), so
 * a marginal link does not flap between video and none. (Held back, the camera no longer counts
 * in the send estimate, so "good" can come back quickly; the wait is what keeps it honest.) The person is told plainly each way;
 * what they chose is never overridden: a camera they turn off stays off, and one they turn on
 * again themselves is theirs to keep.
 */
import type { ConnectionQuality } from '../shared/protocol';

export interface FallbackActions {
  /** Whether the camera is being sent now (so there is something to hold back). */
  sendingVideo(): boolean;
  /** Holds the camera back (the person's choice stays "on"). */
  holdBack(): Promise<void>;
  /** Sends the camera again, if the person still wants it. */
  bringBack(): Promise<void>;
}

/** The first wait for a good link before the camera comes back, and the longest. */
export const RECOVER_AFTER_MS = 10_000;
export const RECOVER_AFTER_MAX_MS = 160_000;
/** Poor again this soon after the camera came back counts as a relapse; this long after, as settled. */
export const RELAPSE_WITHIN_MS = 60_000;
export const SETTLED_AFTER_MS = 300_000;

export class VideoFallback {
  private held = false;
  private wait = RECOVER_AFTER_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private broughtBackAt: number | null = null;
  /** The level last heard: the same level said again changes nothing (a good link's wait keeps running). */
  private last: ConnectionQuality | null = null;

  constructor(private readonly actions: FallbackActions) {}

  /** Whether the camera is held back now. */
  get holding(): boolean {
    return this.held;
  }

  /** A lasting change of the connection's level (watchConnection). */
  onQuality(quality: ConnectionQuality): void {
    if (quality === this.last) return;
    this.last = quality;
    if (quality === 'poor') {
      this.cancelTimer();
      if (this.held || !this.actions.sendingVideo()) return;
      const since = this.broughtBackAt === null ? Infinity : Date.now() - this.broughtBackAt;
      // Poor again soon after the camera came back: the next recovery waits longer; a link
      // that held up for a good while starts again from the first wait.
      if (since < RELAPSE_WITHIN_MS) this.wait = Math.min(this.wait * 2, RECOVER_AFTER_MAX_MS);
      else if (since > SETTLED_AFTER_MS) this.wait = RECOVER_AFTER_MS;
      this.held = true;
      void this.actions.holdBack();
      return;
    }
    if (!this.held) return;
    if (quality === 'weak') {
      this.cancelTimer();
      return;
    }
    // Good again: the camera comes back once it has stayed good for the wait.
    this.cancelTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.held = false;
      this.broughtBackAt = Date.now();
      void this.actions.bringBack();
    }, this.wait);
  }

  /** The person turned the camera off or on themselves: their choice stands, nothing is held. */
  personChose(): void {
    this.cancelTimer();
    this.held = false;
    // Poor again from here is news, whatever was said last.
    this.last = null;
  }

  stop(): void {
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
