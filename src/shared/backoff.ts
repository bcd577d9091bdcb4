/**
 * How long to wait before trying again, one rule for every retry in Confidant (a page or the
 * console getting back into a session, notes waiting to sync): the wait doubles from `baseMs`
 * up to `maxMs` and holds there. With `jitter`, half of it is fixed and half random ("equal
 * jitter"), so many consoles that failed together do not all retry together.
 */
export interface BackoffRule {
  baseMs: number;
  maxMs: number;
  jitter?: boolean;
}

/** The wait before try number `attempt + 1` (attempt counts from 0); `random` in [0, 1). */
export function backoffDelay(attempt: number, rule: BackoffRule, random: () => number = Math.random): number {
  const ceiling = Math.min(rule.maxMs, rule.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return rule.jitter ? Math.round(ceiling / 2 + (ceiling / 2) * random()) : ceiling;
}
