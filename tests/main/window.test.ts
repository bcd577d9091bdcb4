/** The console window, made through a typed fake of Electron's BrowserWindow. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { secureWebPreferences } from '../../src/main/security';
import { protectEveryWindow } from '../../src/main/shell';
import { createConsoleWindow } from '../../src/main/window';
import { FakeApp, fakeBrowserWindowClass } from './support/fakeElectron';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

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

  it('has exactly the web preferences security.ts prescribes, and developer tools as asked', () => {
    for (const devTools of [false, true]) {
      expect(consoleWindow(devTools).options.webPreferences).toEqual({ ...secureWebPreferences('/app/out/preload/index.cjs'), devTools });
    }
  });

  it('writes them out at the `new BrowserWindow` call, where a reviewer or a scanner reads them', () => {
    const source = readFileSync(resolve(import.meta.dirname, '../../src/main/window.ts'), 'utf8');
    const call = /new BrowserWindow\(\{[\s\S]*?webPreferences: \{([\s\S]*?)\n {4}\},/.exec(source)?.[1] ?? '';
    // Every rule, by name and value, as a literal (the preload path and devTools are the
    // window's own): a spread or a helper call there would hide them from a reader.
    const literal = Object.fromEntries([...call.matchAll(/^\s*(\w+): ([^,\n]+),?$/gm)].map((m) => [m[1], m[2]]));
    const { preload: _preload, ...rules } = secureWebPreferences('/p');
    for (const [name, value] of Object.entries(rules)) expect(literal[name], name).toBe(JSON.stringify(value).replaceAll('"', "'"));
    expect(call).not.toMatch(/\.\.\.|secureWebPreferences/);
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
