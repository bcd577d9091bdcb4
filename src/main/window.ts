/**
 * Creates the console's windows. Every window is sandboxed, isolated, has no Node, and
 * asks the OS to keep it out of screen capture and screen sharing.
 */
import { BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createLogger } from './log';
import { isAppUrl, secureWebPreferences, type AppLocation } from './security';

const log = createLogger('window');


export function createConsoleWindow(app: AppLocation, preloadDir: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Confidant',
    backgroundColor: '#f6f4ef',
    show: false,
    webPreferences: secureWebPreferences(join(preloadDir, 'index.cjs')),
  });
  // Faces, names and notes of people in treatment: keep them out of screenshots and shares.
  win.setContentProtection(true);

  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, app)) {
      event.preventDefault();
      log.warn('blocked a navigation away from the console');
    }
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  return win;
}
