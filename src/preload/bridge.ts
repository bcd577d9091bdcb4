/**
 * Builds the object the preload exposes as `window.confidant`: one function per IPC
 * channel and `on` for main's events, nothing else. Kept apart from the contextBridge call
 * so a test can check exactly what is exposed without Electron.
 */
import type { ConfidantApi } from '../shared/ipc';
import { IPC_CHANNELS, IPC_EVENTS, type IpcEvent } from '../shared/ipcChannels';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface BridgeIpc {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

const isEvent = (name: unknown): name is IpcEvent => (IPC_EVENTS as readonly unknown[]).includes(name);

export function buildBridge(ipc: BridgeIpc): ConfidantApi {
  const api: Record<string, unknown> = Object.fromEntries(
    IPC_CHANNELS.map((channel) => [channel, (request: unknown) => ipc.invoke(channel, request)]),
  );
  api['on'] = (event: unknown, listener: unknown): (() => void) => {
    if (!isEvent(event) || typeof listener !== 'function') throw new TypeError('unknown event');
    // The page gets the payload only: never the IpcRendererEvent, whose `sender` is
    // ipcRenderer itself and would hand the page every channel there is.
    const forward = (_event: unknown, payload: unknown) => (listener as (payload: unknown) => void)(payload);
    ipc.on(event, forward);
    return () => {
      ipc.removeListener(event, forward);
    };
  };
  return Object.freeze(api) as unknown as ConfidantApi;
}
