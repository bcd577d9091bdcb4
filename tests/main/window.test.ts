/** The console window, made through a typed fake of Electron's BrowserWindow. */
import { describe, expect, it } from 'vitest';
import { protectEveryWindow } from '../../src/main/shell';
import { createConsoleWindow } from '../../src/main/window';
import { FakeApp, fakeBrowserWindowClass } from './support/fakeElectron';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

function consoleWindow(devTools: boolean) {
  const app = new FakeApp();
  protectEveryWindow(app, silent);
  const BrowserWindow = fakeBrowserWindowClass(app);
  return createConsoleWindow(BrowserWindow, '/app/out/preload', { devTools });
}

describe('the console window', () => {
  it('is sandboxed and isolated, has no Node and uses the checklist\'s preferences', () => {
    const win = consoleWindow(false);
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      devTools: false,
    });
  });

  it('keeps developer tools for development only', () => {
    expect(consoleWindow(true).options.webPreferences?.devTools).toBe(true);
  });

  it('is capture-protected before it is ever shown, and shown only once painted', () => {
    const win = consoleWindow(false);
    expect(win.options.show).toBe(false);
    expect(win.visible).toBe(false);
    win.events.emit('ready-to-show');
    expect(win.visible).toBe(true);
    expect(win.protectedWhenShown).toBe(true);
  });
});
