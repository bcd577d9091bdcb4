/**
 * End-to-end media encryption's transforms in real Chromium (issue 19): the sender's frames
 * sealed in its frame worker, opened only by a receiver holding the same group key. A receiver
 * with no key, another key, or no transform at all (what a tap on the SFU would be) decodes
 * no video frame. Bundled for the page with esbuild (the bundler tsx already brings), served
 * on loopback (a secure context, so WebCrypto is there).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { expect, test } from '../support/e2eTest';
import type { HarnessResult, ReceiverSetup } from './fixtures/frameCipherHarness';

let dir: string;
let server: Server;
let url: string;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'confidant-frames-'));
  await build({
    entryPoints: {
      harness: resolve(import.meta.dirname, 'fixtures/frameCipherHarness.ts'),
      transformWorker: resolve(import.meta.dirname, '../../src/client/e2ee/transformWorker.ts'),
    },
    bundle: true,
    format: 'esm',
    outdir: dir,
    logLevel: 'silent',
  });
  server = createServer((req, res) => {
    const name = req.url === '/' ? 'index.html' : (req.url ?? '').slice(1);
    if (name === 'index.html') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "default-src 'self'; worker-src 'self'" });
      return res.end('<!doctype html><title>frames</title><script type="module" src="/harness.js"></script>');
    }
    if (name === 'favicon.ico') return res.writeHead(204).end();
    if (!/^(harness|transformWorker)\.js$/.test(name)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(readFileSync(join(dir, name)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

test.afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function call(page: import('@playwright/test').Page, setup: ReceiverSetup): Promise<HarnessResult> {
  await page.goto(url);
  await page.waitForFunction(() => 'run' in window);
  return page.evaluate((s) => (window as unknown as { run: (s: ReceiverSetup) => Promise<HarnessResult> }).run(s), setup);
}

test('frames sealed by the sender open only with the group key; without it no video frame decodes', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));

  const ok = await call(page, 'same key');
  expect(ok.sent.sealed).toBeGreaterThan(50);
  expect(ok.sent.dropped).toBe(0);
  expect(ok.received!.opened).toBeGreaterThan(50);
  expect(ok.framesDecoded).toBeGreaterThan(20);
  expect(ok.videoWidth).toBe(320);

  // The key after the camera's first frames (a newcomer's page opens it as the camera starts):
  // those frames were kept and go sealed once it comes, key frame first, so the receiver's
  // first frame is a key frame and it never has to ask for one. (Dropped instead, the stream
  // began with a delta and every receiver asked.)
  const late = await call(page, 'same key, sender keyed late');
  expect(late.sent.heldBeforeKey).toBeGreaterThanOrEqual(2);
  // (The microphone's frames from before the key are dropped: a voice is not held back.)
  expect(late.received!.keyFrameAsks).toBe(0);
  expect(late.framesDecoded).toBeGreaterThan(20);
  expect(late.videoWidth).toBe(320);

  for (const setup of ['no key', 'other key', 'no transform'] as const) {
    const blind = await call(page, setup);
    expect(blind.sent.sealed, setup).toBeGreaterThan(50);
    expect(blind.framesDecoded, setup).toBe(0);
    expect(blind.videoWidth, setup).toBe(0);
    if (blind.received) expect(blind.received.opened, setup).toBe(0);
  }
  expect(errors).toEqual([]);
});
