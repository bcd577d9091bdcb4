/**
 * The console's main process: one window, the typed IPC contract, the shell's security
 * rules (shell.ts) and the idle lock (lock/). Network calls to the session server's HTTP
 * API run here so tokens never enter the renderer's storage.
 */
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  Notification,
  powerMonitor,
  protocol,
  session,
  shell,
} from 'electron';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IPC_CHANNELS, type IpcEvent, type IpcEventPayloads } from '../shared/ipc';
import { APP_SCHEME_PRIVILEGES, serveAppFiles } from './appProtocol';
import { createIpcDispatcher } from './ipc/dispatch';
import { captureProtectionFor, createHandlers } from './ipc/handlers';
import { ConsoleLock } from './lock/consoleLock';
import { watchIdle } from './lock/idleWatcher';
import { idleLockMinutes } from './lock/settings';
import { createLogger } from '../common/logger';
import { rendererEntryUrl, type AppLocation } from './security';
import { claimSingleInstance, hardenAllWebContents, hardenSession, protectEveryWindow, registerIpcHandlers } from './shell';
import { bundledIndexWorker } from './notes/indexBuild';
import { NotesService } from './notes/notesService';
import { RostersService } from './rosters/rostersService';
import { createKeytarKeyStore } from './notes/vault';
import { ServerSession } from './services/serverSession';
import { loadDeviceId } from './services/deviceId';
import { createConsoleWindow } from './window';
import { warmSealing } from './sealing';

const log = createLogger('main');

// The dev server only when not packaged (see rendererEntryUrl); otherwise the app:// scheme.
const appLocation: AppLocation = { url: rendererEntryUrl(process.env['ELECTRON_RENDERER_URL'], app.isPackaged) };

/** The one console window, once made: dialogs are its children, lock events go to it. */
let consoleWindow: BrowserWindow | null = null;

function send<E extends IpcEvent>(event: E, payload: IpcEventPayloads[E]): void {
  if (consoleWindow && !consoleWindow.isDestroyed()) consoleWindow.webContents.send(event, payload);
}

function registerIpc(server: ServerSession, lock: ConsoleLock): void {
  // One keychain door for the vault, the roster cache (sealed under the vault's key) and
  // invitation links' secrets (derived from it).
  const keyStore = createKeytarKeyStore();
  // Ready before anyone signs in: the vault's first open after sign-in then reads the key
  // without loading keytar and opening the keychain's connection first.
  setTimeout(() => void keyStore.warm?.(), 0);
  // And the cipher compiled: the vault's first open after sign-in then opens its search
  // snapshot at full speed (sealing.ts). Once the window has had its first second to itself.
  setTimeout(() => warmSealing(), 1_000);
  const dispatch = createIpcDispatcher(
    createHandlers({
      appInfo: {
        platform: process.platform,
        version: app.getVersion(),
        captureProtection: captureProtectionFor(process.platform),
        defaultServerUrl: process.env['CONFIDANT_SERVER_URL'] ?? null,
      },
      server,
      lock,
      notes: new NotesService({ baseDir: app.getPath('userData'), keyStore, server, indexWorker: bundledIndexWorker }),
      rosters: new RostersService({ baseDir: app.getPath('userData'), keyStore, server }),
      keyStore,
      files: {
        saveText: async (suggestedName, text) => {
          const options = {
            defaultPath: join(app.getPath('documents'), suggestedName),
            filters: [{ name: 'CSV', extensions: ['csv'] }],
          };
          // A child of the console window: a sheet on macOS, modal elsewhere, never a
          // free-floating window of its own.
          const parent = consoleWindow ?? BrowserWindow.getFocusedWindow();
          const choice = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
          if (choice.canceled || !choice.filePath) return null;
          // Only the clinician's account may read an export: it names clients.
          await writeFile(choice.filePath, text, { encoding: 'utf8', mode: 0o600 });
          return choice.filePath;
        },
      },
      clipboard: { writeText: (text) => clipboard.writeText(text), readText: () => clipboard.readText() },
      notifier: {
        show: (title, body) => {
          // Silent: the console plays its own chime, and only while the session is open.
          if (Notification.isSupported()) new Notification({ title, body, silent: true }).show();
        },
      },
    }),
  );
  registerIpcHandlers(ipcMain, IPC_CHANNELS, dispatch, appLocation, log);
}

function start(idleMinutes: number): void {
  app.enableSandbox();
  // Only before the app is ready can a scheme be made standard and secure.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  // Before any window exists, so that none is ever without them.
  protectEveryWindow(app, log);
  hardenAllWebContents(app, appLocation, shell, log);

  void app.whenReady().then(() => {
    const server = new ServerSession(fetch, loadDeviceId(app.getPath('userData')));
    const lock = new ConsoleLock({ idleMinutes, isSignedIn: () => server.current() !== null });
    hardenSession(session.defaultSession, appLocation, () => server.servers(), log);
    serveAppFiles(protocol, join(__dirname, '../renderer'), log);
    registerIpc(server, lock);
    if (app.isPackaged && process.platform !== 'darwin') {
      // The default menu's Reload and Toggle Developer Tools have no place in a clinic.
      Menu.setApplicationMenu(null);
    }
    consoleWindow = createConsoleWindow(BrowserWindow, join(__dirname, '../preload'), { devTools: !app.isPackaged });
    consoleWindow.on('closed', () => {
      consoleWindow = null;
    });
    lock.onChange((state) => send('lock:changed', state));
    watchIdle(powerMonitor, {
      idleMinutes,
      onLock: (reason) => {
        if (lock.lock(reason)) log.info('console.locked', { reason });
      },
    });
    void consoleWindow.loadURL(appLocation.url);
  });

  app.on('window-all-closed', () => app.quit());
}

function main(): void {
  let idleMinutes: number;
  try {
    idleMinutes = idleLockMinutes(process.env);
  } catch (err) {
    // A mistyped setting must not leave the console locking later (or never): say so, stop.
    dialog.showErrorBox('Confidant cannot start', err instanceof Error ? err.message : String(err));
    app.exit(1);
    return;
  }
  const first = claimSingleInstance(app, () => {
    if (!consoleWindow) return;
    if (consoleWindow.isMinimized()) consoleWindow.restore();
    consoleWindow.focus();
  });
  if (first) start(idleMinutes);
}

main();
