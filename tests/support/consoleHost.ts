/**
 * Test host for the console renderer (test code only; it never ships). It serves the
 * built renderer on loopback and answers the page's bridge calls with the very same IPC
 * handlers and dispatcher that src/main registers with ipcMain.handle. Playwright injects
 * a `window.confidant` shaped exactly like the preload's: one function per IPC channel.
 */
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { expect, test, type Page } from './e2eTest';
import { createIpcDispatcher } from '../../src/main/ipc/dispatch';
import { captureProtectionFor, createHandlers } from '../../src/main/ipc/handlers';
import { ConsoleLock } from '../../src/main/lock/consoleLock';
import { watchIdle, type PowerSource } from '../../src/main/lock/idleWatcher';
import { DEFAULT_IDLE_LOCK_MINUTES } from '../../src/main/lock/settings';
import { NotesService } from '../../src/main/notes/notesService';
import { startDemoServer, type DemoServer } from './demoServer';
import { indexWorkerFromSource } from './indexWorkerFromSource';
import { RostersService } from '../../src/main/rosters/rostersService';
import { createKeytarKeyStore } from '../../src/main/notes/vault';
import { ServerSession } from '../../src/main/services/serverSession';
import { newDeviceId } from '../../src/main/services/deviceId';
import { BRIDGE_NAME, IPC_CHANNELS, IPC_EVENTS } from '../../src/shared/ipc';

const rendererDir = resolve(import.meta.dirname, '../../out/renderer');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  // The background-blur model's WebAssembly, as app:// serves it (src/main/appProtocol.ts).
  '.wasm': 'application/wasm',
};

export interface ConsoleHost {
  url: string;
  /** Desktop notifications main would have shown (Electron's Notification is the glue left out). */
  notifications: { title: string; body: string }[];
  /** What main would have put on the system clipboard (Electron's clipboard is glue left out). */
  clipboard: { text: string };
  /** Files main would have saved where the clinician chose (Electron's save dialog is glue left out). */
  savedFiles: { suggestedName: string; path: string }[];
  /**
   * The system as Electron's powerMonitor reports it to main's idle watcher: set the
   * seconds since the last input, or fire 'lock-screen' / 'suspend'.
   */
  power: { setIdleSeconds(seconds: number): void; emit(event: 'lock-screen' | 'suspend'): void };
  /** Give a page the bridge; call before the page navigates. */
  attach(page: Page): Promise<void>;
  close(): Promise<void>;
}

export interface ConsoleHostOptions {
  defaultServerUrl: string | null;
  /** Where the console keeps its user data (note vaults); a fresh temp dir by default. */
  userDataDir?: string;
  /** CONFIDANT_IDLE_LOCK_MINUTES; 10 by default, as in main. */
  idleMinutes?: number;
}

/** A stand-in for powerMonitor that the test drives; main's real idle watcher reads it. */
class TestPower extends EventEmitter implements PowerSource {
  idleSeconds = 0;
  getSystemIdleTime(): number {
    return this.idleSeconds;
  }
}

export async function startConsoleHost(options: ConsoleHostOptions): Promise<ConsoleHost> {
  const userDataDir = options.userDataDir ?? mkdtempSync(join(tmpdir(), 'confidant-console-'));
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error('the console renderer is not built: run `npm run build` first');
  }
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    const file = normalize(join(rendererDir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(rendererDir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;

  const notifications: { title: string; body: string }[] = [];
  const clipboard = { text: '' };
  const savedFiles: { suggestedName: string; path: string }[] = [];
  const power = new TestPower();
  const idleMinutes = options.idleMinutes ?? DEFAULT_IDLE_LOCK_MINUTES;
  const stopWatching: (() => void)[] = [];
  const exportsDir = join(userDataDir, 'exports');
  return {
    url: `http://127.0.0.1:${port}/`,
    notifications,
    clipboard,
    savedFiles,
    power: {
      setIdleSeconds: (seconds) => {
        power.idleSeconds = seconds;
      },
      emit: (event) => {
        power.emit(event);
      },
    },
    async attach(page) {
      // One ServerSession per page, as one console window has one main process.
      // Each page is a workstation of its own, as each console install is.
      const server = new ServerSession(fetch, newDeviceId());
      const keyStore = createKeytarKeyStore();
      const lock = new ConsoleLock({ idleMinutes, isSignedIn: () => server.current() !== null });
      // As main does: powerMonitor drives the lock, and each change is sent to the page.
      stopWatching.push(watchIdle(power, { idleMinutes, pollMs: 200, onLock: (reason) => lock.lock(reason) }));
      lock.onChange((state) => {
        void page
          .evaluate(([event, payload]) => (window as unknown as { __confidantEvent?(e: string, p: unknown): void }).__confidantEvent?.(event, payload), ['lock:changed', state] as const)
          .catch(() => undefined);
      });
      const dispatch = createIpcDispatcher(
        createHandlers({
          appInfo: {
            platform: process.platform,
            version: 'test',
            captureProtection: captureProtectionFor(process.platform),
            defaultServerUrl: options.defaultServerUrl,
          },
          server,
          lock,
          // The real OS keychain (gnome-keyring in the test run's private D-Bus session).
          notes: new NotesService({ baseDir: userDataDir, keyStore, server, indexWorker: indexWorkerFromSource }),
          rosters: new RostersService({ baseDir: userDataDir, keyStore, server }),
          keyStore,
          // The clinician "chooses" the suggested name in the host's exports folder.
          files: {
            saveText: async (suggestedName, text) => {
              mkdirSync(exportsDir, { recursive: true });
              const path = join(exportsDir, `${savedFiles.length + 1}-${suggestedName}`);
              writeFileSync(path, text, { encoding: 'utf8', mode: 0o600 });
              savedFiles.push({ suggestedName, path });
              return path;
            },
          },
          notifier: { show: (title, body) => notifications.push({ title, body }) },
          clipboard: {
            writeText: (text) => {
              clipboard.text = text;
            },
            readText: () => clipboard.text,
          },
        }),
      );
      await page.exposeFunction('__confidantIpc', (channel: unknown, payload: unknown) => dispatch(channel, payload));
      await page.addInitScript(
        ({ name, channels, events }) => {
          const invoke = (window as unknown as { __confidantIpc(c: string, p: unknown): Promise<unknown> }).__confidantIpc;
          // Main's events, as the preload's `on` delivers them: the payload only.
          const listeners = new Map<string, Set<(payload: unknown) => void>>();
          Object.defineProperty(window, '__confidantEvent', {
            value: (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload)),
          });
          const on = (event: string, listener: (payload: unknown) => void) => {
            if (!events.includes(event)) throw new TypeError('unknown event');
            const set = listeners.get(event) ?? new Set();
            listeners.set(event, set.add(listener));
            return () => set.delete(listener);
          };
          const api = Object.freeze({ ...Object.fromEntries(channels.map((c) => [c, (p: unknown) => invoke(c, p)])), on });
          Object.defineProperty(window, name, { value: api, writable: false, configurable: false });
        },
        { name: BRIDGE_NAME, channels: [...IPC_CHANNELS] as string[], events: [...IPC_EVENTS] as string[] },
      );
    },
    close: async () => {
      stopWatching.forEach((stop) => stop());
      // The pages may still be open (their contexts close after the test's hooks): their
      // keep-alive connections are cut, not waited for.
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
      // The vaults this host made are the test's own; one it was handed is the caller's.
      if (!options.userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers hooks that start a demo server and a console host whose default server it is,
 * before each test or once for the whole file, and close both afterwards (a server kept for
 * the file must then exit cleanly); `demoArgs` go to the demo server's command line and
 * `host` to the console host. Tests read `demo` and `host` from the returned object.
 */
export function consoleWithDemoServer(
  per: 'test' | 'file',
  options: { demoArgs?: string[]; demoEnv?: NodeJS.ProcessEnv; host?: Omit<ConsoleHostOptions, 'defaultServerUrl'> } = {},
): { readonly demo: DemoServer; readonly host: ConsoleHost } {
  let demo: DemoServer | undefined;
  let host: ConsoleHost | undefined;
  const start = async (): Promise<void> => {
    demo = await startDemoServer(options.demoArgs, options.demoEnv);
    host = await startConsoleHost({ ...options.host, defaultServerUrl: demo.info.httpUrl });
  };
  const stop = async (): Promise<number | null | undefined> => {
    await host?.close();
    return demo?.stop();
  };
  if (per === 'file') {
    test.beforeAll(start);
    test.afterAll(async () => expect(await stop()).toBe(0));
  } else {
    test.beforeEach(start);
    test.afterEach(async () => {
      await stop();
    });
  }
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the demo server and console host start in a hook: read them inside a test');
    return value;
  };
  return {
    get demo() {
      return started(demo);
    },
    get host() {
      return started(host);
    },
  };
}
