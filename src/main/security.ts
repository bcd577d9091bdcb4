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
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  // Hunspell dictionaries are downloaded from Google on Linux and Windows; notes stay local.
  spellcheck: false,
});

/** Where the renderer is loaded from: the built file, or electron-vite's dev server. */
export interface AppLocation {
  /** `file:///…/out/renderer/index.html` in a build, `http://localhost:5173/` in dev. */
  url: string;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True when `url` is the app's own renderer page (same file, or same dev-server origin). */
export function isAppUrl(url: string, app: AppLocation): boolean {
  const candidate = parse(url);
  const own = parse(app.url);
  if (!candidate || !own) return false;
  if (own.protocol === 'file:') {
    return candidate.protocol === 'file:' && candidate.pathname === own.pathname;
  }
  return candidate.origin === own.origin;
}

/** True for any file the renderer's own page loads: its folder on disk, or the dev server. */
export function isAppResource(url: string, app: AppLocation): boolean {
  const candidate = parse(url);
  const own = parse(app.url);
  if (!candidate || !own) return false;
  if (own.protocol === 'file:') {
    const folder = own.pathname.slice(0, own.pathname.lastIndexOf('/') + 1);
    // URL parsing has already resolved `..`, so a prefix test cannot be walked out of.
    return candidate.protocol === 'file:' && candidate.host === own.host && candidate.pathname.startsWith(folder);
  }
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
 * clinician is signed in to (`serverOrigin`, an http(s) origin) — nothing else. HTTP calls to
 * the server go through main, so the renderer never needs http(s) beyond its own files.
 */
export function isRendererRequestAllowed(url: string, app: AppLocation, serverOrigin: string | null): boolean {
  const u = parse(url);
  if (!u) return false;
  if (u.protocol === 'blob:' || u.protocol === 'data:' || u.protocol === 'devtools:') return true;
  if (isAppResource(url, app)) return true;
  if (!serverOrigin || (u.protocol !== 'ws:' && u.protocol !== 'wss:')) return false;
  const server = parse(serverOrigin);
  if (!server) return false;
  const expected = server.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.protocol === expected && u.host === server.host;
}

/**
 * The renderer's Content-Security-Policy, also written into src/renderer/index.html (a test
 * checks the two agree). `connect-src` allows WebSockets by scheme because the server is
 * chosen at sign-in; main's request filter (`isRendererRequestAllowed`) narrows that to the
 * signed-in server. `blob:` carries the call's media streams.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "manifest-src 'none'",
].join('; ');
