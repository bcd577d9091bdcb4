/**
 * The app:// scheme the built renderer is served from. A page loaded from file:// has the
 * whole disk as its origin and needs file://'s extra privileges (the
 * GrantFileProtocolExtraPrivileges fuse) to load ES modules; served from its own standard,
 * secure scheme it is one origin (`app://confidant`) whose every path is a file inside the
 * renderer folder, and that fuse stays off (scripts/afterPack.mjs).
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { Logger } from '../common/logger';
import { APP_HOST, APP_SCHEME, RENDERER_CSP } from './security';

/**
 * For `protocol.registerSchemesAsPrivileged`, before the app is ready. `standard`: relative
 * URLs and an origin like a web page's; `secure`: a secure context (camera, microphone);
 * `supportFetchAPI`: module scripts load through fetch; `stream`: media can seek.
 */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
};

/** What serving the scheme needs of Electron's `protocol`. */
export interface AppProtocol {
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  // The background-blur model's WebAssembly (issue 21); its model files go as octet-stream.
  '.wasm': 'application/wasm',
};

/**
 * The file inside `rendererDir` that `url` names, or null: another scheme or host, a path
 * that does not decode, a NUL or a backslash, or anything that resolves outside the folder
 * (`..`, encoded or not).
 */
export function appFilePath(rendererDir: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const root = resolve(rendererDir);
  const file = resolve(root, `.${path === '/' ? '/index.html' : path}`);
  return file.startsWith(root + sep) ? file : null;
}

const notFound = (): Response => new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });

/** Serves app:// from `rendererDir` (inside the asar archive when packaged; Electron's fs reads it). */
export function serveAppFiles(protocol: AppProtocol, rendererDir: string, log: Logger): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFilePath(rendererDir, request.url);
    if (!file) {
      log.warn('app_request.refused');
      return notFound();
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return notFound();
    }
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': RENDERER_CSP,
        'x-content-type-options': 'nosniff',
      },
    });
  });
}
