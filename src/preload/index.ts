/**
 * The console's preload: exposes exactly the IPC contract of src/shared/ipc.ts as
 * `window.confidant` (see bridge.ts), and nothing else (no ipcRenderer).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_NAME } from '../shared/ipcChannels';
import { buildBridge } from './bridge';

contextBridge.exposeInMainWorld(BRIDGE_NAME, buildBridge(ipcRenderer));
