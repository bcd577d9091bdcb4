/**
 * Whether the console is locked, held in main: the renderer only shows what main says, and
 * while locked main refuses every IPC call that would hand the renderer names, notes or
 * rosters (see lockGate.ts). Locking only means something while a clinician is signed in;
 * signed out, the sign-in screen already shows nothing.
 */
import type { LockReason, LockState } from '../../shared/ipc';

export interface ConsoleLockOptions {
  idleMinutes: number;
  isSignedIn(): boolean;
}

export class ConsoleLock {
  private locked: { reason: LockReason } | null = null;
  private readonly listeners = new Set<(state: LockState) => void>();

  constructor(private readonly options: ConsoleLockOptions) {}

  /** Locks (keeping the first reason if already locked); false when nobody is signed in. */
  lock(reason: LockReason): boolean {
    if (!this.options.isSignedIn()) return false;
    if (this.locked) return true;
    this.locked = { reason };
    this.emit();
    return true;
  }

  /** Unlocks after the server accepted the clinician's password and code, or at sign-out. */
  unlock(): void {
    if (!this.locked) return;
    this.locked = null;
    this.emit();
  }

  isLocked(): boolean {
    return this.locked !== null;
  }

  state(): LockState {
    return { locked: this.locked !== null, reason: this.locked?.reason ?? null, idleMinutes: this.options.idleMinutes };
  }

  /** Main forwards changes to the renderer; returns the unsubscribe. */
  onChange(listener: (state: LockState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    const state = this.state();
    for (const listener of this.listeners) listener(state);
  }
}
