/**
 * Getting back into a session after a dropped connection, as the participant page and the
 * console both do: how long to keep trying, how long to wait between tries, and which closes
 * the server makes on purpose (after which nobody comes back by themselves).
 */
import { backoffDelay, type BackoffRule } from '../shared/backoff';

/** How long to keep trying after a drop: the server holds a place for 60 s (reconnectGraceSeconds). */
export const RECONNECT_WINDOW_MS = 90_000;

/** The waits between tries: quick at first, for a blink (250 ms, 500 ms, …), then every 5 s. */
const RECONNECT_BACKOFF: BackoffRule = { baseMs: 250, maxMs: 5_000 };

/** The wait before try number `attempt + 1` (attempt counts from 0). */
export function reconnectDelay(attempt: number): number {
  return backoffDelay(attempt, RECONNECT_BACKOFF);
}

/** Waits before try number `attempt + 1`. */
export function waitToReconnect(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, reconnectDelay(attempt)));
}

/**
 * Close codes the server sends on purpose: a normal closure (the session ended, the person was
 * removed or denied), a policy violation, a frame too big. Nothing reconnects after these.
 */
export const DELIBERATE_CLOSES: ReadonlySet<number> = new Set([1000, 1008, 1009]);
