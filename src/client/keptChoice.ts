/**
 * A person's choice kept on this device (a language, a background, the console's blur): in
 * the browser's local storage, under a key of its own, and nothing else with it. Storage can be
 * refused (a private window's settings) or full; the choice then lasts the visit, and nothing
 * fails for it.
 */

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The choice kept under `key`, or null when none is (or storage is refused). */
export function keptChoice(key: string): string | null {
  try {
    return storage()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Keeps `value` under `key` on this device, where storage allows. */
export function keepChoice(key: string, value: string): void {
  try {
    storage()?.setItem(key, value);
  } catch {
    // Full or refused: the choice still holds for this visit.
  }
}
