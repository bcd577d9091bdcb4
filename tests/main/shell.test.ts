/**
 * The console shell against a typed fake of Electron: every item of Electron's security
 * checklist that lives in main's glue is an assertion here (window preferences and the CSP
 * are in security.test.ts, the window itself in window.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { createIpcDispatcher, type IpcHandlers } from '../../src/main/ipc/dispatch';
import { createHandlers } from '../../src/main/ipc/handlers';
import type { Logger } from '../../src/common/logger';
import {
  claimSingleInstance,
  hardenAllWebContents,
  hardenSession,
  hardenWebContents,
  protectEveryWindow,
  registerIpcHandlers,
  UNTRUSTED_SENDER,
} from '../../src/main/shell';
import { IPC_CHANNELS, type IpcChannel } from '../../src/shared/ipc';
import { consoleServices } from './support/consoleServices';
import {
  FakeApp,
  FakeEvent,
  FakeFrame,
  FakeFrameNavigation,
  FakeIpcMain,
  FakeSession,
  FakeShell,
  FakeWebContents,
  fakeBrowserWindowClass,
} from './support/fakeElectron';

const APP = { url: 'app://confidant/index.html' };
const SERVER = 'https://sessions.example-clinic.org';

function quietLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => undefined, info: () => undefined, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
}

const page = (url: string) => ({ getURL: () => url });

describe('capture protection', () => {
  it('is switched on for every window the app makes, from the moment it exists', () => {
    const app = new FakeApp();
    protectEveryWindow(app, quietLog());
    const BrowserWindow = fakeBrowserWindowClass(app);
    const consoleWindow = new BrowserWindow({ show: false });
    // A dialog's parent, or any window added later, goes through the same constructor.
    const another = new BrowserWindow({ parent: undefined, modal: true });
    expect([consoleWindow.contentProtected, another.contentProtected]).toEqual([true, true]);
  });
});

describe('single instance', () => {
  class FakeInstanceApp {
    readonly events = new FakeApp().events;
    quits = 0;
    constructor(private readonly first: boolean) {}
    requestSingleInstanceLock(): boolean {
      return this.first;
    }
    on(event: 'second-instance', listener: () => void): this {
      this.events.on(event, listener);
      return this;
    }
    quit(): void {
      this.quits++;
    }
  }

  it('lets the first console run and brings it forward when another is launched', () => {
    const app = new FakeInstanceApp(true);
    let forward = 0;
    expect(claimSingleInstance(app, () => forward++)).toBe(true);
    app.events.emit('second-instance');
    expect([forward, app.quits]).toEqual([1, 0]);
  });

  it('quits a second console at once', () => {
    const app = new FakeInstanceApp(false);
    expect(claimSingleInstance(app, () => undefined)).toBe(false);
    expect(app.quits).toBe(1);
  });
});

describe('permissions', () => {
  function hardened() {
    const ses = new FakeSession();
    hardenSession(ses, APP, () => [SERVER], quietLog());
    return ses;
  }

  it('grants camera and microphone to the console\'s own top-level page', async () => {
    const ses = hardened();
    await expect(ses.request('media', page(APP.url), { isMainFrame: true, requestingUrl: APP.url, mediaTypes: ['audio', 'video'] })).resolves.toBe(true);
    expect(ses.check('media', page(APP.url), { isMainFrame: true, requestingUrl: APP.url, mediaType: 'video' })).toBe(true);
  });

  it('refuses media to any other page or to a subframe, when asked and when checked', async () => {
    const ses = hardened();
    const evil = 'https://evil.example/';
    await expect(ses.request('media', page(evil), { isMainFrame: true, requestingUrl: evil, mediaTypes: ['video'] })).resolves.toBe(false);
    await expect(ses.request('media', page(APP.url), { isMainFrame: false, requestingUrl: APP.url, mediaTypes: ['audio'] })).resolves.toBe(false);
    // A subframe's own URL decides, not the window it sits in.
    await expect(ses.request('media', page(APP.url), { isMainFrame: true, requestingUrl: evil, mediaTypes: ['audio'] })).resolves.toBe(false);
    expect(ses.check('media', page(evil), { isMainFrame: true, requestingUrl: evil, mediaType: 'audio' })).toBe(false);
    expect(ses.check('media', page(APP.url), { isMainFrame: false, requestingUrl: APP.url, mediaType: 'audio' })).toBe(false);
  });

  it('refuses every other permission and every device, even to the console', async () => {
    const ses = hardened();
    for (const p of ['notifications', 'geolocation', 'clipboard-read', 'display-capture', 'hid', 'serial', 'usb', 'openExternal', 'fullscreen', 'midi']) {
      await expect(ses.request(p, page(APP.url), { isMainFrame: true, requestingUrl: APP.url })).resolves.toBe(false);
      expect(ses.check(p, page(APP.url), { isMainFrame: true, requestingUrl: APP.url })).toBe(false);
    }
    expect(ses.deviceHandler?.()).toBe(false);
  });
});

describe('what the renderer may load', () => {
  it('is its own files, media blobs and the signed-in server\'s WebSocket only', () => {
    let signedInTo: string[] = [];
    const ses = new FakeSession();
    hardenSession(ses, APP, () => signedInTo, quietLog());
    expect(ses.allows('app://confidant/assets/index-abc.js', 'script')).toBe(true);
    expect(ses.allows('blob:app://confidant/6c1e-42', 'media')).toBe(true);
    // Not even the renderer's own files by their path on disk: the app:// scheme serves them.
    expect(ses.allows('file:///opt/confidant/resources/app.asar/out/renderer/assets/index-abc.js', 'script')).toBe(false);
    expect(ses.allows('file:///etc/passwd', 'xhr')).toBe(false);
    expect(ses.allows('https://evil.example/x.js', 'script')).toBe(false);
    expect(ses.allows('https://sessions.example-clinic.org/api/sessions', 'xhr')).toBe(false);
    // Before sign-in no WebSocket at all; after it, only the server's.
    expect(ses.allows('wss://sessions.example-clinic.org/ws', 'webSocket')).toBe(false);
    signedInTo = [SERVER];
    expect(ses.allows('wss://sessions.example-clinic.org/ws', 'webSocket')).toBe(true);
    expect(ses.allows('ws://sessions.example-clinic.org/ws', 'webSocket')).toBe(false);
    expect(ses.allows('wss://elsewhere.example/ws', 'webSocket')).toBe(false);
  });
});

describe('downloads', () => {
  it('are all refused, whatever starts them', () => {
    const ses = new FakeSession();
    const log = quietLog();
    hardenSession(ses, APP, () => [SERVER], log);
    for (const url of ['https://evil.example/payload.exe', 'blob:app://confidant/6c1e-42', 'data:text/csv,a,b', 'app://confidant/index.html']) {
      expect(ses.download(url), url).toBe(true);
    }
    expect(log.warnings.filter((w) => /download/.test(w))).toHaveLength(4);
  });
});

describe('navigation and new windows', () => {
  function hardened() {
    const contents = new FakeWebContents();
    const shell = new FakeShell();
    hardenWebContents(contents, APP, shell, quietLog());
    return { contents, shell };
  }

  it('blocks navigating or redirecting away from the console', () => {
    const { contents } = hardened();
    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    // Reloading the console itself is not navigation away.
    expect(contents.navigate('will-navigate', APP.url)).toBe(false);
  });

  it('blocks every subframe navigation and every <webview>', () => {
    const { contents } = hardened();
    const sub = new FakeFrameNavigation(APP.url, false);
    contents.events.emit('will-frame-navigate', sub);
    const away = new FakeFrameNavigation('https://evil.example/', true);
    contents.events.emit('will-frame-navigate', away);
    const webview = new FakeEvent();
    contents.events.emit('will-attach-webview', webview, {}, {});
    expect([sub.prevented, away.prevented, webview.prevented]).toEqual([true, true, true]);
  });

  it('denies every new window, opening only allow-listed https links in the system browser', () => {
    const { contents, shell } = hardened();
    const open = (url: string) => contents.windowOpenHandler?.({ url });
    for (const url of ['https://988lifeline.org/', 'http://988lifeline.org/', 'https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@988lifeline.org/']) {
      expect(open(url)).toEqual({ action: 'deny' });
    }
    expect(shell.opened).toEqual(['https://988lifeline.org/']);
  });

  it('is applied to every webContents the app creates', () => {
    const app = new FakeApp();
    hardenAllWebContents(app, APP, new FakeShell(), quietLog());
    const contents = new FakeWebContents();
    app.events.emit('web-contents-created', new FakeEvent(), contents);
    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });
});

describe('IPC', () => {
  /** main's registration with recording handlers: which channels ran, with what. */
  function registered() {
    const ran: IpcChannel[] = [];
    const recording = Object.fromEntries(
      IPC_CHANNELS.map((c) => [
        c,
        async () => {
          ran.push(c);
          return {};
        },
      ]),
    ) as unknown as IpcHandlers;
    const ipcMain = new FakeIpcMain();
    registerIpcHandlers(ipcMain, IPC_CHANNELS, createIpcDispatcher(recording), APP, quietLog());
    return { ipcMain, ran };
  }

  const mainFrame = new FakeFrame(APP.url);
  const fromConsole = { senderFrame: mainFrame, sender: { mainFrame } };

  it('registers exactly the channels of the contract', () => {
    expect([...registered().ipcMain.handlers.keys()].sort()).toEqual([...IPC_CHANNELS].sort());
  });

  it('refuses, on every channel, a sender that is not the console\'s own top-level page', async () => {
    const { ipcMain, ran } = registered();
    const subframe = new FakeFrame(APP.url);
    const elsewhere = new FakeFrame('https://evil.example/');
    const senders = [
      { senderFrame: subframe, sender: { mainFrame } },
      { senderFrame: elsewhere, sender: { mainFrame: elsewhere } },
      { senderFrame: null, sender: { mainFrame } },
    ];
    for (const channel of IPC_CHANNELS) {
      for (const event of senders) {
        await expect(ipcMain.invoke(channel, event, {})).resolves.toEqual(UNTRUSTED_SENDER);
      }
    }
    expect(ran).toEqual([]);
  });

  it('refuses, on every channel, a payload that fails the channel\'s schema', async () => {
    const { ipcMain, ran } = registered();
    for (const channel of IPC_CHANNELS) {
      // Every request is an object: these fail every channel's schema.
      for (const payload of [42, 'x', [], true, 'constructor']) {
        const result = await ipcMain.invoke(channel, fromConsole, payload);
        expect(result, `${channel} with ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      }
    }
    // …and so does an object with a field of the wrong type, where the channel has fields.
    for (const [channel, payload] of [
      ['auth:unlock', { password: 7 }],
      ['auth:signIn', { serverUrl: 'file:///etc/passwd', username: 'a', password: 'b' }],
      ['sessions:connect', { sessionId: '' }],
      ['app:info', { extra: true }],
      ['auth:lock', { reason: 'idle' }],
      ['lock:status', { locked: false }],
    ] as const) {
      await expect(ipcMain.invoke(channel, fromConsole, payload)).resolves.toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(ran).toEqual([]);
  });

  it('runs the handler for the console\'s own page with a valid payload', async () => {
    const { ipcMain, ran } = registered();
    await expect(ipcMain.invoke('app:info', fromConsole, {})).resolves.toEqual({ ok: true, data: {} });
    expect(ran).toEqual(['app:info']);
  });

  it('serves main\'s real handlers behind the same checks', async () => {
    const ipcMain = new FakeIpcMain();
    registerIpcHandlers(ipcMain, IPC_CHANNELS, createIpcDispatcher(createHandlers(consoleServices())), APP, quietLog());
    await expect(ipcMain.invoke('app:info', fromConsole, {})).resolves.toMatchObject({ ok: true, data: { captureProtection: 'unavailable' } });
    await expect(ipcMain.invoke('sessions:list', fromConsole, {})).resolves.toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});
