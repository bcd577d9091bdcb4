/**
 * How attempts at a guessable secret (a password, a TOTP code, an invitation passcode) are
 * limited: an attempt is reserved before the slow check, so that any number of requests
 * arriving at once cannot all pass a check made before any of them is counted. Checking the
 * limit and counting the attempt are one step (`reserve`); a failed attempt simply keeps its
 * reservation, and a successful one gives it back.
 *
 * The server keeps its attempts in the database (storedAttempts.ts), so the limits hold
 * however many server processes share it, and across a restart.
 */

/** One attempt counted against a key. */
export interface Reservation {
  /** Attempts counted against the key within the window when this one was reserved, it included. */
  readonly count: number;
  /** Uncounts this attempt (it succeeded, or it was never made); a second call does nothing. */
  giveBack(): Promise<void>;
}

export interface AttemptLimiter {
  /** How many attempts per key the window holds. */
  readonly limit: number;
  /** Counts one attempt against `key`, unless `limit` are already counted: then nothing is counted and the answer is undefined. */
  reserve(key: string): Promise<Reservation | undefined>;
  /** Forgets every attempt counted against `key`. */
  reset(key: string): Promise<void>;
}
