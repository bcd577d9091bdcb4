/**
 * A small typed fake of the parts of Electron the console shell uses (app, session,
 * webContents, BrowserWindow, shell, ipcMain, protocol). Each implements the interface shell.ts and
 * window.ts declare — interfaces Electron's real objects are compiled against in
 * src/main/index.ts — and records what was done to it, so a test can fire the events
 * Electron would and read back the answers.
 */
import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions } from 'electron';
import type {
  FrameNavigation,
  IpcSenderEvent,
  PermissionCheckDetails,
  PermissionPage,
  PermissionRequestDetails,
  ProtectableWindow,
  RendererRequest,
  ShellApp,
  ShellIpcMain,
  ShellOpener,
  ShellSession,
  ShellWebContents,
} from '../../../src/main/shell';
import type { AppProtocol } from '../../../src/main/appProtocol';
import type { ConsoleWindow } from '../../../src/main/window';

type Listener = (...args: never[]) => void;

export class FakeApp implements ShellApp {
  readonly events = new EventEmitter();
  on(event: 'browser-window-created' | 'web-contents-created', listener: Listener): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
}

/** The `event` argument of will-navigate and friends; remembers preventDefault. */
export class FakeEvent {
  prevented = false;
  preventDefault(): void {
    this.prevented = true;
  }
}

export class FakeFrameNavigation extends FakeEvent implements FrameNavigation {
  constructor(
    readonly url: string,
    readonly isMainFrame: boolean,
  ) {
    super();
  }
}

export class FakeWebContents implements ShellWebContents {
  readonly events = new EventEmitter();
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  on(event: string, listener: Listener): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  /** Fires will-navigate (or will-redirect) as Electron does; true when it was blocked. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    const e = new FakeEvent();
    this.events.emit(event, e, url);
    return e.prevented;
  }
}

export class FakeSession implements ShellSession {
  readonly events = new EventEmitter();
  on(event: 'will-download', listener: Listener): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
  /** Starts a download of `url` as Electron would; true when the session refused it. */
  download(url: string): boolean {
    const e = new FakeEvent();
    this.events.emit('will-download', e, { getURL: () => url });
    return e.prevented;
  }
  requestHandler: Parameters<ShellSession['setPermissionRequestHandler']>[0] | null = null;
  checkHandler: Parameters<ShellSession['setPermissionCheckHandler']>[0] | null = null;
  deviceHandler: (() => boolean) | null = null;
  beforeRequest: ((details: RendererRequest, callback: (response: { cancel: boolean }) => void) => void) | null = null;
  readonly webRequest = {
    onBeforeRequest: (listener: NonNullable<FakeSession['beforeRequest']>) => {
      this.beforeRequest = listener;
    },
  };
  setPermissionRequestHandler(handler: NonNullable<FakeSession['requestHandler']>): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: NonNullable<FakeSession['checkHandler']>): void {
    this.checkHandler = handler;
  }
  setDevicePermissionHandler(handler: () => boolean): void {
    this.deviceHandler = handler;
  }

  /** Asks for a permission as a page would; resolves with the handler's answer. */
  request(permission: string, page: PermissionPage, details: PermissionRequestDetails): Promise<boolean> {
    const handler = this.requestHandler;
    if (!handler) throw new Error('no permission request handler');
    return new Promise((resolve) => handler(page, permission, resolve, details));
  }
  check(permission: string, page: PermissionPage | null, details: PermissionCheckDetails): boolean {
    if (!this.checkHandler) throw new Error('no permission check handler');
    return this.checkHandler(page, permission, page ? new URL(page.getURL()).origin : '', details);
  }
  /** True when the request filter lets the renderer load `url`. */
  allows(url: string, resourceType = 'other'): boolean {
    if (!this.beforeRequest) throw new Error('no request filter');
    let cancel: boolean | undefined;
    this.beforeRequest({ url, resourceType }, (response) => {
      cancel = response.cancel;
    });
    if (cancel === undefined) throw new Error('the request filter did not answer');
    return !cancel;
  }
}

/** Electron's `protocol`: the handler a scheme was given, and a way to request its URLs. */
export class FakeProtocol implements AppProtocol {
  readonly handlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    if (this.handlers.has(scheme)) throw new Error(`${scheme} is already handled`);
    this.handlers.set(scheme, handler);
  }
  async fetch(url: string): Promise<Response> {
    const handler = this.handlers.get(new URL(url).protocol.slice(0, -1));
    if (!handler) throw new Error(`no handler for ${url}`);
    return handler(new Request(url));
  }
}

export class FakeShell implements ShellOpener {
  readonly opened: string[] = [];
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  }
}

export class FakeIpcMain implements ShellIpcMain {
  readonly handlers = new Map<string, (event: IpcSenderEvent, payload: unknown) => unknown>();
  handle(channel: string, listener: (event: IpcSenderEvent, payload: unknown) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`a second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  invoke(channel: string, event: IpcSenderEvent, payload: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return Promise.resolve(handler(event, payload));
  }
}

/** A frame as main sees it (Electron's WebFrameMain). */
export class FakeFrame {
  constructor(public url: string) {}
}

/**
 * A BrowserWindow class bound to a fake app: like Electron's, its constructor announces the
 * new window with 'browser-window-created' before returning.
 */
export function fakeBrowserWindowClass(app: FakeApp) {
  return class FakeBrowserWindow implements ConsoleWindow, ProtectableWindow {
    static readonly made: FakeBrowserWindow[] = [];
    readonly events = new EventEmitter();
    contentProtected = false;
    visible = false;
    /** Whether content protection was already on the first time the window was shown. */
    protectedWhenShown: boolean | null = null;
    constructor(readonly options: BrowserWindowConstructorOptions) {
      FakeBrowserWindow.made.push(this);
      app.events.emit('browser-window-created', new FakeEvent(), this);
    }
    setContentProtection(enable: boolean): void {
      this.contentProtected = enable;
    }
    once(event: 'ready-to-show', listener: () => void): this {
      this.events.once(event, listener);
      return this;
    }
    show(): void {
      this.protectedWhenShown ??= this.contentProtected;
      this.visible = true;
    }
  };
}
