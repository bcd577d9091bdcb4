import type { StateCreator } from 'zustand';
import type { LockState } from '../../../shared/ipc';
import type { ConsoleState } from './index';

/** Main's idle lock as the renderer last heard it (main is the source of truth). */
export interface LockSlice {
  lock: LockState | null;
  setLock(lock: LockState): void;
}

export const createLockSlice: StateCreator<ConsoleState, [], [], LockSlice> = (set) => ({
  lock: null,
  setLock: (lock) => set({ lock }),
});
