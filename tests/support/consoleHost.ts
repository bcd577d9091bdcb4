/**
 * Test host for the console renderer (test code only; it never ships). It serves the
 * built renderer on loopback and answers the page's bridge calls with the very same IPC
 * handlers and dispatcher that src/main registers with ipcMain.handle. Playwright injects
 * a `window.confidant` shaped exactly like the preload's: one function per IPC channel.
 */
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { createIpcDispatcher } from '../../src/main/ipc/dispatch';
import { captureProtectionFor, createHandlers } from '../../src/main/ipc/handlers';
import { NotesService } from '../../src/main/notes/notesService';
import { RostersService } from '../../src/main/rosters/rostersService';
import { createKeytarKeyStore } from '../../src/main/notes/vault';
import { ServerSession } from '../../src/main/services/serverSession';
import { BRIDGE_NAME, IPC_CHANNELS } from '../../src/shared/ipc';

const rendererDir = resolve(import.meta.dirname, '../../out/renderer');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
};

export interface ConsoleHost {
  url: string;
  /** Desktop notifications main would have shown (Electron's Notification is the glue left out). */
  notifications: { title: string; body: string }[];
  /** What main would have put on the system clipboard (Electron's clipboard is glue left out). */
  clipboard: { text: string };
  /** Files main would have saved where the clinician chose (Electron's save dialog is glue left out). */
  savedFiles: { suggestedName: string; path: string }[];
  /** Give a page the bridge; call before the page navigates. */
  attach(page: Page): Promise<void>;
  close(): Promise<void>;
}

export interface ConsoleHostOptions {
  defaultServerUrl: string | null;
  /** Where the console keeps its user data (note vaults); a fresh temp dir by default. */
  userDataDir?: string;
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
  const exportsDir = join(userDataDir, 'exports');
  return {
    url: `http://127.0.0.1:${port}/`,
    notifications,
    clipboard,
    savedFiles,
    async attach(page) {
      // One ServerSession per page, as one console window has one main process.
      const server = new ServerSession();
      const keyStore = createKeytarKeyStore();
      const dispatch = createIpcDispatcher(
        createHandlers({
          appInfo: {
            platform: process.platform,
            version: 'test',
            captureProtection: captureProtectionFor(process.platform),
            defaultServerUrl: options.defaultServerUrl,
          },
          server,
          // The real OS keychain (gnome-keyring in the test run's private D-Bus session).
          notes: new NotesService({ baseDir: userDataDir, keyStore, server }),
          rosters: new RostersService({ baseDir: userDataDir, keyStore, server }),
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
        ({ name, channels }) => {
          const invoke = (window as unknown as { __confidantIpc(c: string, p: unknown): Promise<unknown> }).__confidantIpc;
          const api = Object.freeze(Object.fromEntries(channels.map((c) => [c, (p: unknown) => invoke(c, p)])));
          Object.defineProperty(window, name, { value: api, writable: false, configurable: false });
        },
        { name: BRIDGE_NAME, channels: [...IPC_CHANNELS] as string[] },
      );
    },
    close: async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      // The vaults this host made are the test's own; one it was handed is the caller's.
      if (!options.userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
