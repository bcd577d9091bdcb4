/**
 * The console's main process: one window, the typed IPC contract, and the shell's
 * security rules. Network calls to the session server's HTTP API run here so tokens
 * never enter the renderer's storage.
 */
import { app, clipboard, ipcMain, Notification, session, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CHANNELS } from '../shared/ipc';
import { createIpcDispatcher } from './ipc/dispatch';
import { captureProtectionFor, createHandlers } from './ipc/handlers';
import { createLogger } from './log';
import { isAppUrl, isPermissionAllowed, type AppLocation } from './security';
import { NotesService } from './notes/notesService';
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
  const dispatch = createIpcDispatcher(
    createHandlers({
      appInfo: {
        platform: process.platform,
        version: app.getVersion(),
        captureProtection: captureProtectionFor(process.platform),
        defaultServerUrl: process.env['CONFIDANT_SERVER_URL'] ?? null,
      },
      server,
      notes: new NotesService({ baseDir: app.getPath('userData'), keyStore: createKeytarKeyStore(), server }),
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
