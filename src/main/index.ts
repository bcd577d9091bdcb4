/**
 * The console's main process: one window, the typed IPC contract, and the shell's
 * security rules. Network calls to the session server's HTTP API run here so tokens
 * never enter the renderer's storage.
 */
import { app, BrowserWindow, clipboard, dialog, ipcMain, Notification, session, type IpcMainInvokeEvent } from 'electron';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CHANNELS } from '../shared/ipc';
import { createIpcDispatcher } from './ipc/dispatch';
import { captureProtectionFor, createHandlers } from './ipc/handlers';
import { createLogger } from './log';
import { isAppUrl, isPermissionAllowed, type AppLocation } from './security';
import { NotesService } from './notes/notesService';
import { RostersService } from './rosters/rostersService';
import { createKeytarKeyStore } from './notes/vault';
import { ServerSession } from './services/serverSession';
import { createConsoleWindow } from './window';

const log = createLogger('main');

const rendererDevUrl = process.env['ELECTRON_RENDERER_URL'];
const appLocation: AppLocation = {
  url: rendererDevUrl ?? pathToFileURL(join(__dirname, '../renderer/index.html')).toString(),
};

app.enableSandbox();

function registerIpc(): void {
  const server = new ServerSession();
  // One keychain door for the vault and the roster cache, which is sealed under the vault's key.
  const keyStore = createKeytarKeyStore();
  const dispatch = createIpcDispatcher(
    createHandlers({
      appInfo: {
        platform: process.platform,
        version: app.getVersion(),
        captureProtection: captureProtectionFor(process.platform),
        defaultServerUrl: process.env['CONFIDANT_SERVER_URL'] ?? null,
      },
      server,
      notes: new NotesService({ baseDir: app.getPath('userData'), keyStore, server }),
      rosters: new RostersService({ baseDir: app.getPath('userData'), keyStore, server }),
      files: {
        saveText: async (suggestedName, text) => {
          const options = {
            defaultPath: join(app.getPath('documents'), suggestedName),
            filters: [{ name: 'CSV', extensions: ['csv'] }],
          };
          const parent = BrowserWindow.getFocusedWindow();
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
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, payload: unknown) => {
      // Only the app's own top-level page may call into main.
      const frame = event.senderFrame;
      if (!frame || frame.parent !== null || !isAppUrl(frame.url, appLocation)) {
        log.warn(`refused ${channel} from an untrusted sender`);
        return { ok: false, error: { code: 'FORBIDDEN', message: 'untrusted sender' } };
      }
      return dispatch(channel, payload);
    });
  }
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    callback(isPermissionAllowed(permission, webContents.getURL(), appLocation, mediaTypes));
  });
  ses.setPermissionCheckHandler((webContents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, webContents?.getURL() ?? requestingOrigin, appLocation),
  );
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.whenReady().then(() => {
  hardenSession();
  registerIpc();
  const win = createConsoleWindow(appLocation, join(__dirname, '../preload'));
  if (rendererDevUrl) void win.loadURL(rendererDevUrl);
  else void win.loadFile(join(__dirname, '../renderer/index.html'));
});

app.on('window-all-closed', () => app.quit());
