/**
 * The idle lock's one setting: minutes without keyboard or mouse input, anywhere on the
 * system, before the console locks. Read from the environment at start; an invalid value
 * stops the console with a message naming the setting, rather than silently locking later
 * (or never) than the clinic configured.
 */

export const IDLE_LOCK_ENV = 'CONFIDANT_IDLE_LOCK_MINUTES';
export const DEFAULT_IDLE_LOCK_MINUTES = 10;
/** Beyond an hour the lock stops being an automatic logoff in any useful sense. */
export const MAX_IDLE_LOCK_MINUTES = 60;

export function idleLockMinutes(env: Record<string, string | undefined>): number {
  const raw = env[IDLE_LOCK_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_IDLE_LOCK_MINUTES;
  const minutes = Number(raw.trim());
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_IDLE_LOCK_MINUTES) {
    throw new Error(
      `${IDLE_LOCK_ENV} must be a whole number of minutes from 1 to ${MAX_IDLE_LOCK_MINUTES} (it is "${raw}")`,
    );
  }
  return minutes;
}
