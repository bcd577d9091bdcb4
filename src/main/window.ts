/**
 * Creates the console's window. Every window is sandboxed, isolated and has no Node (its
 * web preferences are security.ts's); capture protection is applied to every window the
 * app makes, this one included, by shell.ts's `protectEveryWindow`, so no window relies on
 * remembering it here.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { join } from 'node:path';
import { secureWebPreferences } from './security';

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

export function consoleWindowOptions(preloadDir: string, settings: ConsoleWindowSettings): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Confidant',
    backgroundColor: '#f6f4ef',
    // Shown once the first frame is painted, by then long since capture-protected.
    show: false,
    webPreferences: { ...secureWebPreferences(join(preloadDir, 'index.cjs')), devTools: settings.devTools },
  };
}

export function createConsoleWindow<W extends ConsoleWindow>(
  BrowserWindow: WindowFactory<W>,
  preloadDir: string,
  settings: ConsoleWindowSettings,
): W {
  const win = new BrowserWindow(consoleWindowOptions(preloadDir, settings));
  win.once('ready-to-show', () => win.show());
  return win;
}
