/**
 * A page a bench built with Vite, served from loopback out of its build folder (deleted on
 * close): the bare loop's page (bareLoop.ts) and the blur bench's (blur.ts). `headersFor` gives
 * each file's response headers.
 */
import { createReadStream, rmSync } from 'node:fs';
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export async function serveBuilt(outDir: string, headersFor: (file: string) => OutgoingHttpHeaders): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = join(outDir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(outDir)) return void res.writeHead(404).end();
    res.writeHead(200, headersFor(file));
    createReadStream(file)
      .on('error', () => res.end())
      .pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
