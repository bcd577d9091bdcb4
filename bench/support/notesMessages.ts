/** IPC between bench/notes.ts and its side processes (notesSide.ts) and cold-open processes (notesCold.ts). */

export type Side = 'sealed' | 'plain';

export type DriverToSide =
  /** Opens the save store(s) in `dir` and creates the note the saves change (untimed). */
  | { type: 'prepareSaves'; dir: string; account: string }
  /** `n` saves of that note, each timed; `synchronous` NORMAL only on the plaintext side's second store. */
  | { type: 'saves'; n: number; synchronous: 'FULL' | 'NORMAL' }
  /** Writes `notes` notes into a new store in `dir` and closes it, so its snapshot is on disk. */
  | { type: 'seed'; dir: string; account: string; notes: number }
  /** Opens the seeded store, runs the first search, closes it. */
  | { type: 'openSearch'; dir: string; account: string; query: string }
  /** Sealed side only: the crash-image and no-snapshot cases, as `#` lines. */
  | { type: 'extras'; dir: string; account: string; query: string }
  | { type: 'exit' };

export type SideToDriver =
  | { type: 'ready' }
  | { type: 'prepared'; bodyBytes: number }
  | { type: 'saved'; ms: number[] }
  | { type: 'seeded'; seedMs: number; closeMs: number }
  | { type: 'searched'; ms: number; cpuMs: number; hits: number }
  | { type: 'extras'; lines: string[] }
  | { type: 'error'; message: string };

/**
 * A cold-open process's one message: open + first search, the same end since the process
 * started, and (the vault only) how much of the open was the keychain read.
 */
export type ColdToDriver = { type: 'cold'; ms: number; sinceStartMs: number; hits: number; keychainMs?: number } | { type: 'error'; message: string };
