/**
 * Getting back into a session after a dropped connection, as the participant page and the
 * console both do: how long to keep trying, how long to wait between tries, the loop that
 * tries (getBackIn), and which closes the server makes on purpose (after which nobody comes
 * back by themselves).
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

/** Waits before try number `attempt + 1` (only getBackIn waits, so every loop keeps the same pace). */
function waitToReconnect(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, reconnectDelay(attempt)));
}

/** How a run of tries to get back in ended. */
export type BackIn<T> =
  /** A try succeeded; `value` is what it returned. */
  | { outcome: 'in'; value: T }
  /** A try was refused in a way waiting will not change (`isFinal`); no further try was made. */
  | { outcome: 'refused'; error: unknown }
  /** RECONNECT_WINDOW_MS passed without a try succeeding; `error` is the last try's. */
  | { outcome: 'timedOut'; error: unknown }
  /** Something newer took over (an ending, a leave, another drop): nothing more is done. */
  | { outcome: 'cancelled' };

export interface GetBackInOptions<T> {
  /** One try: connect and say hello again. It cleans up after itself when it fails. */
  attempt: () => Promise<T>;
  /** Whether a try's failure is an answer to accept rather than a reason to try again. */
  isFinal: (error: unknown) => boolean;
  /** Asked before each try and after each try's answer, so a stale loop never acts on one. */
  cancelled: () => boolean;
}

/**
 * The one loop by which the page and the console get back in after a drop: tries again with
 * backoff (waitToReconnect) until a try succeeds, a refusal is final, RECONNECT_WINDOW_MS has
 * passed, or the caller cancels. What each outcome means to the person is the caller's.
 */
export async function getBackIn<T>({ attempt, isFinal, cancelled }: GetBackInOptions<T>): Promise<BackIn<T>> {
  const deadline = Date.now() + RECONNECT_WINDOW_MS;
  for (let tries = 0; ; tries++) {
    if (cancelled()) return { outcome: 'cancelled' };
    try {
      const value = await attempt();
      return cancelled() ? { outcome: 'cancelled' } : { outcome: 'in', value };
    } catch (error) {
      if (cancelled()) return { outcome: 'cancelled' };
      if (isFinal(error)) return { outcome: 'refused', error };
      if (Date.now() >= deadline) return { outcome: 'timedOut', error };
      await waitToReconnect(tries);
    }
  }
}

/**
 * Close codes the server sends on purpose: a normal closure (the session ended, the person was
 * removed or denied), a policy violation, a frame too big. Nothing reconnects after these.
 */
export const DELIBERATE_CLOSES: ReadonlySet<number> = new Set([1000, 1008, 1009]);
