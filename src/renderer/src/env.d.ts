import type { ConfidantApi } from '../../shared/ipc';

declare global {
  interface Window {
    /** The preload's bridge: exactly the IPC contract in src/shared/ipc.ts. */
    readonly confidant: ConfidantApi;
  }
}
export {};
