/**
 * Electron-free security decisions for the console shell, so each rule has a unit test:
 * which pages count as the app itself, which permission requests are granted, and where
 * a window may navigate (nowhere).
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
  webviewTag: false,
  spellcheck: false,
});

/** Where the renderer is loaded from: the built file, or electron-vite's dev server. */
export interface AppLocation {
  /** `file:///…/out/renderer/index.html` in a build, `http://localhost:5173/` in dev. */
  url: string;
}

/** True when `url` is the app's own renderer page (same file, or same dev-server origin). */
export function isAppUrl(url: string, app: AppLocation): boolean {
  let candidate: URL;
  let own: URL;
  try {
    candidate = new URL(url);
    own = new URL(app.url);
  } catch {
    return false;
  }
  if (own.protocol === 'file:') {
    return candidate.protocol === 'file:' && candidate.pathname === own.pathname;
  }
  return candidate.origin === own.origin;
}

/**
 * Permissions the console grants: camera and microphone ('media') to its own page and
 * nothing else, ever — no notifications prompt, geolocation, clipboard, HID, serial, etc.
 */
export function isPermissionAllowed(
  permission: string,
  requestingUrl: string,
  app: AppLocation,
  mediaTypes: readonly string[] = [],
): boolean {
  if (!isAppUrl(requestingUrl, app)) return false;
  if (permission !== 'media') return false;
  return mediaTypes.every((t) => t === 'audio' || t === 'video');
}
