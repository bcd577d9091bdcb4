/**
 * The app:// scheme the console's renderer is served from (instead of file://, whose extra
 * privileges are fused off): only files inside the built renderer folder, nothing above it
 * or beside it however the path is spelled.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_SCHEME_PRIVILEGES, appFilePath, serveAppFiles } from '../../src/main/appProtocol';
import { APP_ENTRY_URL, RENDERER_CSP } from '../../src/main/security';
import { FakeProtocol } from './support/fakeElectron';

/** Every folder the tests made, removed at the end. */
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A built renderer folder with a secret beside it, as out/renderer sits beside out/main. */
function builtRenderer() {
  const out = mkdtempSync(join(tmpdir(), 'confidant-app-scheme-'));
  made.push(out);
  const rendererDir = join(out, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Confidant</title>');
  writeFileSync(join(rendererDir, 'assets', 'index-abc.js'), 'export {};');
  writeFileSync(join(rendererDir, 'assets', 'index-abc.css'), 'body{}');
  mkdirSync(join(out, 'main'));
  writeFileSync(join(out, 'main', 'secret.txt'), 'not for the renderer');
  writeFileSync(join(out, 'renderer-other.txt'), 'not for the renderer either');
  return rendererDir;
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the app:// scheme', () => {
  it('is registered as a standard, secure scheme, the way a web origin is', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
    });
  });

  it('maps the console\'s URLs to files inside the renderer folder', () => {
    const dir = builtRenderer();
    expect(appFilePath(dir, APP_ENTRY_URL)).toBe(join(dir, 'index.html'));
    expect(appFilePath(dir, 'app://confidant/')).toBe(join(dir, 'index.html'));
    expect(appFilePath(dir, 'app://confidant/assets/index-abc.js?v=1#x')).toBe(join(dir, 'assets', 'index-abc.js'));
  });

  it('refuses every way out of the renderer folder, and other hosts', () => {
    const dir = builtRenderer();
    // The URL parser resolves plain and %2e dot segments first: these name renderer/main/…
    expect(appFilePath(dir, 'app://confidant/../main/secret.txt')).toBe(join(dir, 'main', 'secret.txt'));
    expect(appFilePath(dir, 'app://confidant/%2e%2e/main/secret.txt')).toBe(join(dir, 'main', 'secret.txt'));
    // …and what decodes to a way out only afterwards is refused.
    for (const url of [
      'app://confidant/assets/..%2f..%2fmain%2fsecret.txt',
      'app://confidant/..%5cmain%5csecret.txt',
      'app://confidant/%2e%2e%2frenderer-other.txt',
      'app://confidant/assets/%00.js',
      'app://confidant/%E0%A4%A',
      'app://elsewhere/index.html',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(appFilePath(dir, url), url).toBeNull();
    }
  });

  it('serves the files with their type and the console\'s CSP, and 404 for anything else', async () => {
    const dir = builtRenderer();
    const protocol = new FakeProtocol();
    serveAppFiles(protocol, dir, quiet);
    const page = await protocol.fetch(APP_ENTRY_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(await page.text()).toContain('<title>Confidant</title>');
    const script = await protocol.fetch('app://confidant/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    for (const url of ['app://confidant/assets/missing.js', 'app://confidant/%2e%2e/main/secret.txt', 'app://confidant/assets']) {
      const refused = await protocol.fetch(url);
      expect(refused.status, url).toBe(404);
      expect(await refused.text()).not.toContain('not for the renderer');
    }
  });
});
