/**
 * The console shell's Electron glue: the security rules of security.ts applied to the
 * app, its session, every webContents and ipcMain. Everything here takes the narrow slice
 * of Electron's API it uses, as an interface that Electron's real objects satisfy (main
 * passes them in, so the compiler checks each against Electron's declarations), so the unit
 * tests drive it with a typed fake and no Electron binary.
 */
import type { Logger } from '../common/logger';
import {
  isAllowedExternalUrl,
  isAppUrl,
  isPermissionAllowed,
  isRendererRequestAllowed,
  isTrustedSender,
  type AppLocation,
  type SenderFrame,
} from './security';

// The slices of Electron's API the shell uses, typed narrowly enough for a test fake and
// broadly enough that Electron's real objects satisfy them (main passes the real ones, so
// the compiler checks every type here against Electron's declarations).

interface Preventable {
  preventDefault(): void;
}

/** What the shell needs of `app`. */
export interface ShellApp {
  on(event: 'browser-window-created', listener: (event: Preventable, window: ProtectableWindow) => void): unknown;
  on(event: 'web-contents-created', listener: (event: Preventable, contents: ShellWebContents) => void): unknown;
}

export interface ProtectableWindow {
  setContentProtection(enable: boolean): void;
}

/** The page asking for a permission. */
export interface PermissionPage {
  getURL(): string;
}

export interface PermissionRequestDetails {
  isMainFrame: boolean;
  requestingUrl: string;
  mediaTypes?: ('video' | 'audio')[];
}

export interface PermissionCheckDetails {
  isMainFrame: boolean;
  requestingUrl?: string;
  mediaType?: 'video' | 'audio' | 'unknown';
}

export interface RendererRequest {
  url: string;
  resourceType: string;
}

/** What the shell needs of a session. */
export interface ShellSession {
  setPermissionRequestHandler(
    handler: (page: PermissionPage, permission: string, callback: (granted: boolean) => void, details: PermissionRequestDetails) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (page: PermissionPage | null, permission: string, requestingOrigin: string, details: PermissionCheckDetails) => boolean,
  ): void;
  setDevicePermissionHandler(handler: () => boolean): void;
  on(event: 'will-download', listener: (event: Preventable) => void): unknown;
  webRequest: {
    onBeforeRequest(listener: (details: RendererRequest, callback: (response: { cancel: boolean }) => void) => void): void;
  };
}

export interface FrameNavigation extends Preventable {
  url: string;
  isMainFrame: boolean;
}

/** What the shell needs of a webContents. */
export interface ShellWebContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: Preventable, url: string) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: FrameNavigation) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: Preventable) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** What the shell needs of `shell`. */
export interface ShellOpener {
  openExternal(url: string): Promise<void>;
}

/** An IPC call as main sees it: the frame that sent it, and its window's top-level frame. */
export interface IpcSenderEvent {
  senderFrame: SenderFrame | null;
  sender: { mainFrame: SenderFrame };
}

/** What the shell needs of `ipcMain`. */
export interface ShellIpcMain {
  handle(channel: string, listener: (event: IpcSenderEvent, payload: unknown) => unknown): void;
}

/**
 * Capture protection from one place no window can bypass: Electron emits
 * 'browser-window-created' from inside the BrowserWindow constructor, before the window can
 * be shown, for every window the app ever makes (dialog parents and any future window
 * included), so none is ever on screen unprotected.
 */
export function protectEveryWindow(app: ShellApp, log: Logger): void {
  app.on('browser-window-created', (_event, win) => {
    win.setContentProtection(true);
    log.info('window.content_protection');
  });
}

/**
 * Camera and microphone for the app's own top-level page; every other permission, device
 * and origin refused, both when a page asks (request) and when it merely checks (check).
 * Requests the renderer makes are filtered too: its own files, media blobs, and the
 * WebSockets of the server the clinician is signed in to and the servers of its deployment
 * (`servers`). No download ever
 * starts: the console saves files only through main's own save dialog.
 */
export function hardenSession(ses: ShellSession, app: AppLocation, servers: () => readonly string[], log: Logger): void {
  ses.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    const url = details.requestingUrl || webContents.getURL();
    const granted = isPermissionAllowed(permission, url, app, mediaTypes, details.isMainFrame);
    if (!granted) log.warn('permission.refused', { permission });
    callback(granted);
  });
  ses.setPermissionCheckHandler((webContents, permission, _requestingOrigin, details) => {
    const url = details.requestingUrl ?? webContents?.getURL() ?? '';
    const mediaTypes = details.mediaType && details.mediaType !== 'unknown' ? [details.mediaType] : [];
    return isPermissionAllowed(permission, url, app, mediaTypes, details.isMainFrame);
  });
  // HID, serial and USB devices: never.
  ses.setDevicePermissionHandler(() => false);
  // A link with `download`, a blob the page made, a response that says attachment: whatever
  // the page is tricked into saving, nothing lands on the clinician's disk.
  ses.on('will-download', (event) => {
    event.preventDefault();
    log.warn('download.refused');
  });
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isRendererRequestAllowed(details.url, app, servers());
    if (!allowed) log.warn('request.blocked', { resourceType: details.resourceType });
    callback({ cancel: !allowed });
  });
}

/**
 * Every webContents the app creates: no navigation away from the console (a link, a
 * redirect, a form, a frame), no <webview>, no new windows; a link to an allow-listed https
 * origin opens in the system browser instead.
 */
export function hardenWebContents(contents: ShellWebContents, app: AppLocation, shell: ShellOpener, log: Logger): void {
  const blockUnlessApp = (what: string) => (event: { preventDefault(): void }, url: string) => {
    if (isAppUrl(url, app)) return;
    event.preventDefault();
    log.warn('navigation.blocked', { what });
  };
  contents.on('will-navigate', blockUnlessApp('navigation'));
  contents.on('will-redirect', blockUnlessApp('redirect'));
  contents.on('will-frame-navigate', (event) => {
    // Subframes are forbidden by the CSP; the top frame may only reload the console.
    if (event.isMainFrame && isAppUrl(event.url, app)) return;
    event.preventDefault();
    log.warn('frame_navigation.blocked');
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('webview.blocked');
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) {
      void shell.openExternal(url).catch(() => log.warn('external_link.failed'));
    } else {
      log.warn('new_window.refused');
    }
    return { action: 'deny' };
  });
}

/** Applies `hardenWebContents` to every webContents, from the moment Electron creates it. */
export function hardenAllWebContents(app: ShellApp, location: AppLocation, shell: ShellOpener, log: Logger): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, location, shell, log));
}

/** What single-instance handling needs of `app`. */
export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  quit(): void;
}

/**
 * One console per desktop session: two would each hold the note vault open and each lock on
 * its own. A second launch quits at once and brings the first one's window forward.
 * Returns whether this process is the one that runs.
 */
export function claimSingleInstance(app: SingleInstanceApp, bringForward: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', bringForward);
  return true;
}

/** The answer every untrusted IPC sender gets; the payload is never looked at. */
export const UNTRUSTED_SENDER = { ok: false, error: { code: 'FORBIDDEN', message: 'untrusted sender' } } as const;

/**
 * Registers one ipcMain handler per channel. Each checks the sender first (the app's own
 * page in the top-level frame of its window) and only then hands the payload to `dispatch`,
 * which validates it against the channel's schema.
 */
export function registerIpcHandlers(
  ipcMain: ShellIpcMain,
  channels: readonly string[],
  dispatch: (channel: string, payload: unknown) => Promise<unknown>,
  app: AppLocation,
  log: Logger,
): void {
  for (const channel of channels) {
    ipcMain.handle(channel, (event, payload) => {
      if (!isTrustedSender(event.senderFrame, event.sender.mainFrame, app)) {
        log.warn('ipc.untrusted_sender', { channel });
        return UNTRUSTED_SENDER;
      }
      return dispatch(channel, payload);
    });
  }
}
