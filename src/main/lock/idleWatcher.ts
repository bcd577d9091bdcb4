/**
 * Watches the system for the moments the console must lock: input idle for the configured
 * time (Electron's powerMonitor counts keyboard and mouse input anywhere on the system, not
 * just in the console), the screen locking, and the machine going to sleep. Free of
 * Electron so it can be tested, and so the console's test host can drive it.
 */
import type { LockReason } from '../../shared/ipc';

/** The part of Electron's powerMonitor the watcher uses. */
export interface PowerSource {
  /** Seconds since the last keyboard or mouse input on the system. */
  getSystemIdleTime(): number;
  on(event: 'lock-screen' | 'suspend', listener: () => void): unknown;
  removeListener(event: 'lock-screen' | 'suspend', listener: () => void): unknown;
}

export interface IdleWatchOptions {
  idleMinutes: number;
  /** How often the idle time is read; every 5 s by default. */
  pollMs?: number;
  onLock(reason: LockReason): void;
}

export const DEFAULT_IDLE_POLL_MS = 5000;

/** Starts watching; returns the function that stops it. */
export function watchIdle(power: PowerSource, options: IdleWatchOptions): () => void {
  const limitSeconds = options.idleMinutes * 60;
  // Lock once when idleness crosses the limit, not on every poll while it stays above it:
  // otherwise a console unlocked before any input reached the OS's counter (a test, or a
  // password manager) would lock again at once.
  let wasIdle = false;
  const poll = () => {
    const idle = power.getSystemIdleTime() >= limitSeconds;
    if (idle && !wasIdle) options.onLock('idle');
    wasIdle = idle;
  };
  const onLockScreen = () => options.onLock('lock-screen');
  const onSuspend = () => options.onLock('suspend');
  power.on('lock-screen', onLockScreen);
  power.on('suspend', onSuspend);
  const timer = setInterval(poll, options.pollMs ?? DEFAULT_IDLE_POLL_MS);
  timer.unref?.();
  return () => {
    clearInterval(timer);
    power.removeListener('lock-screen', onLockScreen);
    power.removeListener('suspend', onSuspend);
  };
}
