/**
 * Electron-free security decisions for the console shell, so each rule has a unit test:
 * which pages count as the app itself, which permission requests are granted, which IPC
 * senders are trusted, which requests the renderer may make, where a window may navigate
 * (nowhere) and which links may open in the system browser.
 */

import type { WebPreferences } from 'electron';

/** The web preferences of every console window: Electron's security checklist, item by item. */
export const secureWebPreferences = (preload: string): WebPreferences => ({
  preload,
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  // No Blink runtime features beyond the release's defaults ('' enables none).
  enableBlinkFeatures: '',
  // A middle click fires 'auxclick', which can open a link in a new window past the click
  // handlers the app expects.
  disableBlinkFeatures: 'Auxclick',
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  // Hunspell dictionaries are downloaded from Google on Linux and Windows; notes stay local.
  spellcheck: false,
});

/**
 * The scheme the built renderer is served from (appProtocol.ts), registered standard and
 * secure so the page is an origin of its own (`app://confidant`) rather than a file://
 * page, which would share its origin with every file on the disk.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'confidant';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Where the renderer is loaded from: the app:// scheme, or electron-vite's dev server. */
export interface AppLocation {
  /** `app://confidant/index.html` in a build, `http://localhost:5173/` in dev. */
  url: string;
}

/**
 * The page the console window loads. electron-vite's dev server (ELECTRON_RENDERER_URL) only
 * when not packaged: a packaged console started with that variable set would otherwise make
 * whatever page it names "the app", trusted IPC sender with camera and notes.
 */
export function rendererEntryUrl(devServerUrl: string | undefined, isPackaged: boolean): string {
  return !isPackaged && devServerUrl ? devServerUrl : APP_ENTRY_URL;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Scheme and host alike. (A non-http URL's `origin` is "null", the same for all of them.) */
function sameSite(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}

/** True when `url` is the app's own renderer page (the app:// entry page, or the dev server's origin). */
export function isAppUrl(url: string, app: AppLocation): boolean {
  const candidate = parse(url);
  const own = parse(app.url);
  if (!candidate || !own) return false;
  if (own.protocol === `${APP_SCHEME}:`) {
    // appProtocol.ts serves the entry page at the root too.
    return sameSite(candidate, own) && (candidate.pathname === own.pathname || candidate.pathname === '/');
  }
  return (own.protocol === 'http:' || own.protocol === 'https:') && candidate.origin === own.origin;
}

/** True for any file the renderer's own page loads: what the app:// scheme serves, or the dev server. */
export function isAppResource(url: string, app: AppLocation): boolean {
  const candidate = parse(url);
  const own = parse(app.url);
  if (!candidate || !own) return false;
  // appProtocol.ts keeps every app:// path inside the renderer folder.
  if (own.protocol === `${APP_SCHEME}:`) return sameSite(candidate, own);
  // The dev server also serves its hot-reload socket on the same host and port.
  const sameHost = candidate.host === own.host;
  return sameHost && (candidate.protocol === own.protocol || candidate.protocol === 'ws:');
}

/**
 * Permissions the console grants: camera and microphone ('media') to its own top-level
 * page and nothing else, ever — no notifications prompt, geolocation, clipboard, HID,
 * serial, screen capture, etc.
 */
export function isPermissionAllowed(
  permission: string,
  requestingUrl: string,
  app: AppLocation,
  mediaTypes: readonly string[] = [],
  isMainFrame = true,
): boolean {
  if (!isMainFrame) return false;
  if (!isAppUrl(requestingUrl, app)) return false;
  if (permission !== 'media') return false;
  return mediaTypes.every((t) => t === 'audio' || t === 'video');
}

/** What main knows about the frame that sent an IPC message (Electron's WebFrameMain). */
export interface SenderFrame {
  readonly url: string;
}

/**
 * An IPC message is trusted only from the app's own page in the top-level frame of the
 * window that sent it: never from a subframe (CSP forbids them, but a bug must not become
 * a way in) and never from a page the window was somehow navigated to.
 */
export function isTrustedSender(
  frame: SenderFrame | null | undefined,
  mainFrame: SenderFrame | null | undefined,
  app: AppLocation,
): boolean {
  if (!frame || !mainFrame || frame !== mainFrame) return false;
  return isAppUrl(frame.url, app);
}

/**
 * Links the console may open in the system browser: https only, to these origins only (the
 * US crisis line, for the crisis information a facilitator may need mid-session). Anything
 * added here is a deliberate decision with a test.
 */
export const EXTERNAL_ORIGINS: readonly string[] = ['https://988lifeline.org'];

export function isAllowedExternalUrl(url: string, origins: readonly string[] = EXTERNAL_ORIGINS): boolean {
  const u = parse(url);
  if (!u || u.protocol !== 'https:' || u.username !== '' || u.password !== '') return false;
  return origins.includes(u.origin);
}

/**
 * The requests the renderer may make, decided in main for every request its session sees:
 * its own files, in-memory media (blob:, data:), and the live WebSocket to the server the
 * clinician is signed in to or to another server of its deployment, as that server lists them
 * (`servers`, http(s) base URLs) — nothing else. HTTP calls to the servers go through main,
 * so the renderer never needs http(s) beyond its own files.
 */
export function isRendererRequestAllowed(url: string, app: AppLocation, servers: readonly string[]): boolean {
  const u = parse(url);
  if (!u) return false;
  if (u.protocol === 'blob:' || u.protocol === 'data:' || u.protocol === 'devtools:') return true;
  if (isAppResource(url, app)) return true;
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return false;
  return servers.some((serverUrl) => {
    const server = parse(serverUrl);
    if (!server || (server.protocol !== 'http:' && server.protocol !== 'https:')) return false;
    const expected = server.protocol === 'https:' ? 'wss:' : 'ws:';
    return u.protocol === expected && u.host === server.host;
  });
}

/**
 * The renderer's Content-Security-Policy, also written into src/renderer/index.html (a test
 * checks the two agree) and sent as a header with every app:// file. `'self'` is
 * `app://confidant` (a standard, secure scheme, so an origin of its own; under file:// it
 * would have been every file on the disk). `connect-src` allows WebSockets by scheme because
 * the servers are known only at sign-in, after the page has loaded with its policy; main's
 * request filter (`isRendererRequestAllowed`), which sees every request, narrows that to
 * exactly the signed-in server and the servers of its deployment it lists. `blob:` carries the call's media streams.
 * `worker-src 'self'` admits the one worker the renderer starts: the call's frame cipher
 * (src/client/e2ee/transformWorker.ts, built beside the page), which seals and opens every frame.
 * `'wasm-unsafe-eval'` lets the renderer compile WebAssembly, and only that (no eval, no inline
 * script): the background-blur model (issue 21, src/client/backdrop.ts), served from app://.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "worker-src 'self'",
  "manifest-src 'none'",
].join('; ');
