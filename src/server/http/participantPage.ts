/**
 * Serves the built participant page: `/join/:token` answers its index.html (the page reads
 * the token from its own URL, keeps it in the tab's sessionStorage and replaces the URL with
 * `/join`, which answers the same page so that a reload works: src/participant/location.ts)
 * and `/p/*` its assets (Vite builds it with base `/p/`).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { HttpError } from './support.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  // The background-blur model's WebAssembly (issue 21): compiled as it streams only with this type.
  '.wasm': 'application/wasm',
};

export const NOT_BUILT_MESSAGE = 'participant page not built: run npm run build';

/** `/join/TOKEN`, and the tokenless `/join` the page leaves in the address bar. */
export function isJoinPath(pathname: string): boolean {
  return /^\/join(\/[^/]+)?\/?$/.test(pathname);
}

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function sendNotBuilt(res: ServerResponse): void {
  res.statusCode = 503;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(NOT_BUILT_MESSAGE + '\n');
}

async function sendFile(res: ServerResponse, file: string, head: boolean): Promise<void> {
  const info = await stat(file);
  res.statusCode = 200;
  res.setHeader('Content-Type', contentTypeFor(file));
  res.setHeader('Content-Length', info.size);
  if (head) {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file);
    stream.on('error', reject);
    res.on('finish', resolve);
    res.on('close', resolve);
    stream.pipe(res);
  });
}

export async function serveJoinPage(res: ServerResponse, participantDir: string, head: boolean): Promise<void> {
  const index = path.join(participantDir, 'index.html');
  if (!(await isFile(index))) return sendNotBuilt(res);
  await sendFile(res, index, head);
}

/** `rest` is the path after `/p/`, still percent-encoded. */
export async function serveAsset(res: ServerResponse, participantDir: string, rest: string, head: boolean): Promise<void> {
  if (!(await isFile(path.join(participantDir, 'index.html')))) return sendNotBuilt(res);
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'bad path');
  }
  if (decoded.includes('\0') || decoded.includes('\\')) throw new HttpError(400, 'BAD_REQUEST', 'bad path');
  const root = path.resolve(participantDir);
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  // Belt and braces: normalising against '/' already removed '..', this guards the join.
  if (file !== root && !file.startsWith(root + path.sep)) throw new HttpError(404, 'NOT_FOUND', 'not found');
  if (!(await isFile(file))) throw new HttpError(404, 'NOT_FOUND', 'not found');
  await sendFile(res, file, head);
}
