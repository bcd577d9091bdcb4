/**
 * The idle lock, renderer side. Main decides when the console locks (powerMonitor: idle
 * time, the OS's screen lock, sleep) and tells the renderer; the renderer covers every
 * screen with the lock screen and asks main to unlock with the clinician's password and
 * code. A live call is left running: it belongs to services/room.ts, not to the screens
 * the lock unmounts.
 */
import type { LockState } from '../../../shared/ipc';
import { call } from '../bridge';
import { useConsole } from '../store';

const REASONS = new Set(['idle', 'lock-screen', 'suspend', 'manual']);

/** Main is trusted, but a malformed event must not unlock the screen by accident. */
function parseLockState(value: unknown): LockState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v['locked'] !== 'boolean' || typeof v['idleMinutes'] !== 'number') return null;
  const reason = v['reason'];
  if (reason !== null && !(typeof reason === 'string' && REASONS.has(reason))) return null;
  return { locked: v['locked'], reason: reason as LockState['reason'], idleMinutes: v['idleMinutes'] };
}

/** Follows main's lock from now on; returns the function that stops following. */
export function watchLock(): () => void {
  const stop = window.confidant.on('lock:changed', (payload) => {
    const state = parseLockState(payload);
    if (state) useConsole.getState().setLock(state);
  });
  // After a reload the renderer asks, rather than trusting its (now empty) memory.
  void call('lock:status', {})
    .then((state) => useConsole.getState().setLock(state))
    .catch(() => undefined);
  return stop;
}

export async function unlock(password: string, totp: string): Promise<void> {
  const trimmed = totp.trim();
  useConsole.getState().setLock(await call('auth:unlock', { password, ...(trimmed ? { totp: trimmed } : {}) }));
}

export async function lockNow(): Promise<void> {
  useConsole.getState().setLock(await call('auth:lock', {}));
}
