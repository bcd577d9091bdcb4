import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  isAllowedExternalUrl,
  isAppResource,
  isAppUrl,
  isPermissionAllowed,
  isRendererRequestAllowed,
  isTrustedSender,
  RENDERER_CSP,
  rendererEntryUrl,
  secureWebPreferences,
} from '../../src/main/security';

const root = resolve(import.meta.dirname, '../..');

const built = { url: 'app://confidant/index.html' };
const dev = { url: 'http://localhost:5173/' };

describe('where the console loads from', () => {
  it('is its own app:// scheme, always when packaged, whatever ELECTRON_RENDERER_URL says', () => {
    expect(APP_ENTRY_URL).toBe('app://confidant/index.html');
    expect(rendererEntryUrl(undefined, true)).toBe(APP_ENTRY_URL);
    // A packaged console launched with the variable set would otherwise make a remote page "the app".
    expect(rendererEntryUrl('https://evil.example/', true)).toBe(APP_ENTRY_URL);
    expect(rendererEntryUrl(undefined, false)).toBe(APP_ENTRY_URL);
  });

  it('is electron-vite\'s dev server only in development', () => {
    expect(rendererEntryUrl('http://localhost:5173/', false)).toBe('http://localhost:5173/');
    expect(rendererEntryUrl('', false)).toBe(APP_ENTRY_URL);
  });
});

describe('what counts as the console itself', () => {
  it('is the built renderer page on the app:// scheme and nothing else', () => {
    expect(isAppUrl('app://confidant/index.html', built)).toBe(true);
    expect(isAppUrl('app://confidant/index.html#/room', built)).toBe(true);
    // The scheme serves the same page at its root.
    expect(isAppUrl('app://confidant/', built)).toBe(true);
    expect(isAppUrl('app://confidant/assets/evil.html', built)).toBe(false);
    expect(isAppUrl('app://elsewhere/index.html', built)).toBe(false);
    expect(isAppUrl('file:///opt/confidant/out/renderer/index.html', built)).toBe(false);
    expect(isAppUrl('file:///etc/passwd', built)).toBe(false);
    expect(isAppUrl('https://evil.example/', built)).toBe(false);
    expect(isAppUrl('not a url', built)).toBe(false);
  });

  it('is the dev server origin in development', () => {
    expect(isAppUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
  });
});

describe('permissions', () => {
  it('grants camera and microphone to the console only', () => {
    expect(isPermissionAllowed('media', built.url, built, ['audio', 'video'])).toBe(true);
    expect(isPermissionAllowed('media', 'https://evil.example/', built, ['video'])).toBe(false);
  });

  it('grants nothing else, not even to the console', () => {
    for (const p of ['geolocation', 'notifications', 'clipboard-read', 'hid', 'serial', 'usb', 'display-capture', 'openExternal']) {
      expect(isPermissionAllowed(p, built.url, built)).toBe(false);
    }
  });
});

describe('window preferences', () => {
  it('follow Electron\'s security checklist', () => {
    expect(secureWebPreferences('/app/preload/index.cjs')).toEqual({
      preload: '/app/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      enableBlinkFeatures: '',
      // A middle click would otherwise fire 'auxclick', a way to open a link in a new window.
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    });
  });

  it('turn on no Blink feature and no Node anywhere', () => {
    const prefs = secureWebPreferences('/p');
    expect(prefs.enableBlinkFeatures).toBe('');
    expect(Object.entries(prefs).filter(([k, v]) => /node/i.test(k) && v !== false)).toEqual([]);
  });
});

describe('IPC senders', () => {
  it('are trusted only as the console\'s own page in its window\'s top-level frame', () => {
    const top = { url: built.url };
    expect(isTrustedSender(top, top, built)).toBe(true);
    expect(isTrustedSender({ url: built.url }, top, built)).toBe(false);
    expect(isTrustedSender(null, top, built)).toBe(false);
    const away = { url: 'https://evil.example/' };
    expect(isTrustedSender(away, away, built)).toBe(false);
  });
});

describe('the console\'s own files', () => {
  it('are what the app:// scheme serves, and no file:// path at all', () => {
    expect(isAppResource('app://confidant/assets/a.js', built)).toBe(true);
    expect(isAppResource('app://elsewhere/assets/a.js', built)).toBe(false);
    expect(isAppResource('file:///opt/confidant/out/renderer/assets/a.js', built)).toBe(false);
    expect(isAppResource('file:///etc/passwd', built)).toBe(false);
    expect(isAppResource('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAppResource('ws://localhost:5173/', dev)).toBe(true);
    expect(isAppResource('http://localhost:5174/', dev)).toBe(false);
  });
});

describe('renderer requests', () => {
  it('reach the servers of the signed-in deployment, each over wss when it is https, and nothing else', () => {
    const fleet = ['https://s1.clinic.example', 'https://s2.clinic.example:8443', 'ftp://s3.clinic.example', 'nonsense'];
    expect(isRendererRequestAllowed('wss://s1.clinic.example/ws', built, fleet)).toBe(true);
    expect(isRendererRequestAllowed('wss://s2.clinic.example:8443/ws', built, fleet)).toBe(true);
    expect(isRendererRequestAllowed('wss://s2.clinic.example/ws', built, fleet)).toBe(false);
    expect(isRendererRequestAllowed('ws://s1.clinic.example/ws', built, fleet)).toBe(false);
    expect(isRendererRequestAllowed('wss://s3.clinic.example/ws', built, fleet)).toBe(false);
    expect(isRendererRequestAllowed('https://s1.clinic.example/api/sessions', built, fleet)).toBe(false);
  });

  it('reach only the signed-in server, and over wss when it is https', () => {
    expect(isRendererRequestAllowed('ws://127.0.0.1:4780/ws', built, ['http://127.0.0.1:4780'])).toBe(true);
    expect(isRendererRequestAllowed('wss://127.0.0.1:4780/ws', built, ['http://127.0.0.1:4780'])).toBe(false);
    expect(isRendererRequestAllowed('ws://127.0.0.1:4781/ws', built, ['http://127.0.0.1:4780'])).toBe(false);
    expect(isRendererRequestAllowed('http://127.0.0.1:4780/api/sessions', built, ['http://127.0.0.1:4780'])).toBe(false);
    expect(isRendererRequestAllowed('data:image/gif;base64,R0lGOD', built, [])).toBe(true);
    expect(isRendererRequestAllowed('app://confidant/assets/index-abc.js', built, [])).toBe(true);
    expect(isRendererRequestAllowed('blob:app://confidant/6c1e-42', built, [])).toBe(true);
    expect(isRendererRequestAllowed('file:///opt/confidant/out/renderer/assets/index-abc.js', built, [])).toBe(false);
    expect(isRendererRequestAllowed('nonsense', built, [])).toBe(false);
  });
});

describe('external links', () => {
  it('open only over https to an allow-listed origin', () => {
    expect(isAllowedExternalUrl('https://988lifeline.org/chat')).toBe(true);
    expect(isAllowedExternalUrl('http://988lifeline.org/')).toBe(false);
    expect(isAllowedExternalUrl('https://988lifeline.org.evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://a@988lifeline.org/')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalUrl('smb://fileserver/share')).toBe(false);
  });
});

/** `directive -> sources` of a CSP string. */
function parseCsp(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('the renderer\'s Content-Security-Policy', () => {
  const html = readFileSync(resolve(root, 'src/renderer/index.html'), 'utf8');
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];

  it('is in the page, exactly as main declares it', () => {
    expect(meta).toBe(RENDERER_CSP);
  });

  it('runs only the app\'s own scripts and styles: nothing inline, no eval, no plugins, no frames', () => {
    const csp = parseCsp(RENDERER_CSP);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    // WebAssembly for the background-blur model (issue 21), and no other kind of eval.
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    for (const d of ['object-src', 'base-uri', 'form-action', 'frame-src']) expect(csp.get(d)).toEqual(["'none'"]);
    // The one worker the renderer starts is the call's frame cipher, built beside the page.
    expect(csp.get('worker-src')).toEqual(["'self'"]);
    expect(RENDERER_CSP.replace("'wasm-unsafe-eval'", '')).not.toMatch(/unsafe-|\*|https?:/);
  });

  it('still lets the console do its job: the session WebSocket, and call media as blobs', () => {
    const csp = parseCsp(RENDERER_CSP);
    expect(csp.get('connect-src')).toEqual(["'self'", 'ws:', 'wss:']);
    expect(csp.get('media-src')).toContain('blob:');
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
  });
});

describe('Electron', () => {
  const major = (v: string) => Number(/(\d+)\./.exec(v)?.[1]);
  const installed = JSON.parse(readFileSync(resolve(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string };
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

  it('is a current, supported release, and the one package.json asks for', () => {
    // Electron supports its latest three majors; 45 was the newest when this was written.
    // Raise the floor with every upgrade, never lower it.
    const SUPPORTED_FLOOR = 45;
    expect(major(installed.version)).toBeGreaterThanOrEqual(SUPPORTED_FLOOR);
    expect(pkg.devDependencies['electron']).toMatch(/^\^?\d+\./);
    expect(major(pkg.devDependencies['electron']!.replace('^', ''))).toBe(major(installed.version));
  });
});
