/**
 * The console's preload: exposes exactly the IPC contract of src/shared/ipc.ts as
 * `window.confidant`, one function per channel, and nothing else (no ipcRenderer).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ConfidantApi } from '../shared/ipc';
import { BRIDGE_NAME, IPC_CHANNELS } from '../shared/ipcChannels';

const api = Object.fromEntries(
  IPC_CHANNELS.map((channel) => [channel, (request: unknown) => ipcRenderer.invoke(channel, request)]),
) as ConfidantApi;

contextBridge.exposeInMainWorld(BRIDGE_NAME, Object.freeze(api));
