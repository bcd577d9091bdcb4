/**
 * Creates the console's window. Every window is sandboxed, isolated and has no Node; its web
 * preferences are written out where the window is made, so a reviewer (or a scanner such
 * as Electronegativity) reads them without running anything, and a test holds them equal to
 * security.ts's `secureWebPreferences`. Capture protection is applied to every window the
 * app makes, this one included, by shell.ts's `protectEveryWindow`, so no window relies on
 * remembering it here.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { join } from 'node:path';

/** The part of a BrowserWindow this module uses. */
export interface ConsoleWindow {
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
}

export type WindowFactory<W extends ConsoleWindow> = new (options: BrowserWindowConstructorOptions) => W;

export interface ConsoleWindowSettings {
  /** Developer tools: on in development, off in a packaged console. */
  devTools: boolean;
}

export function createConsoleWindow<W extends ConsoleWindow>(
  BrowserWindow: WindowFactory<W>,
  preloadDir: string,
  settings: ConsoleWindowSettings,
): W {
  // Each preference is security.ts's rule of the same name (window.test.ts checks it).
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Confidant',
    backgroundColor: '#f6f4ef',
    // Shown once the first frame is painted, by then long since capture-protected.
    show: false,
    webPreferences: {
      preload: join(preloadDir, 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      enableBlinkFeatures: '',
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: settings.devTools,
    },
  });
  win.once('ready-to-show', () => win.show());
  return win;
}
