/**
 * The participant page: its pure helpers (reading its own URL, keeping the invitation out of
 * the address bar, the agreement's Markdown) and how the server serves it (the headers of
 * /join and /p/, from a real server on 127.0.0.1).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INVITATION_STORAGE_KEY,
  inviteTokenFrom,
  LINK_SECRET_STORAGE_KEY,
  linkSecretFrom,
  socketUrlFor,
  takeInvitation,
  TOKENLESS_PATH,
  type PageWindow,
} from '../../src/participant/location';
import { inlineRuns, parseAgreementBlocks } from '../../src/participant/agreementMarkdown';
import { parseConfig } from '../../src/server/config.js';
import { setLogLevel } from '../../src/common/logger.js';
import { startServer, type RunningServer } from '../../src/server/server.js';

describe('the invitation token comes from the page URL', () => {
  it('reads /join/TOKEN, with or without a trailing slash', () => {
    expect(inviteTokenFrom('/join/abc-DEF_123')).toBe('abc-DEF_123');
    expect(inviteTokenFrom('/join/abc/')).toBe('abc');
  });
  it('refuses anything else', () => {
    for (const p of ['/', '/join/', '/join', '/p/index.html', '/join/a/b', '/join/%E0%A4%A']) {
      expect(inviteTokenFrom(p)).toBeNull();
    }
    expect(inviteTokenFrom(`/join/${'x'.repeat(300)}`)).toBeNull();
  });
  it('talks to the same origin, over wss when the page is https', () => {
    expect(socketUrlFor({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws');
    expect(socketUrlFor({ protocol: 'https:', host: 'clinic.example' })).toBe('wss://clinic.example/ws');
  });
});

describe('the agreement text', () => {
  it('keeps headings, paragraphs and lists, joining wrapped lines', () => {
    const text = [
      '# Our agreement',
      '',
      'This group works because',
      'everyone can speak freely.',
      '',
      '- **Stays in group.** You may share what you',
      '  learned about yourself.',
      '- **No recording.**',
      '',
      'Thank you.',
    ].join('\n');
    expect(parseAgreementBlocks(text)).toEqual([
      { kind: 'heading', text: 'Our agreement' },
      { kind: 'para', text: 'This group works because everyone can speak freely.' },
      { kind: 'list', items: ['**Stays in group.** You may share what you learned about yourself.', '**No recording.**'] },
      { kind: 'para', text: 'Thank you.' },
    ]);
  });
  it('splits bold runs and leaves anything else as plain text', () => {
    expect(inlineRuns('**Bold** then <b>not html</b> and ** stray')).toEqual([
      { text: 'Bold', bold: true },
      { text: ' then <b>not html</b> and ** stray', bold: false },
    ]);
  });
});

/** A window's location, history and sessionStorage, as a browser keeps them for one tab. */
function tab(pathname: string, storage = new Map<string, string>(), hash = '') {
  const urls: string[] = [pathname + hash];
  const win: PageWindow = {
    location: { pathname, hash },
    history: {
      replaceState: (_data, _unused, url) => {
        urls[urls.length - 1] = String(url);
        win.location.pathname = String(url);
        win.location.hash = '';
      },
    },
    sessionStorage: {
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
    },
  };
  return { win, urls, storage };
}

describe('the invitation token leaves the address bar', () => {
  it('is kept for this tab and replaced in the URL and its history entry', () => {
    const t = tab('/join/abc-DEF_123');
    expect(takeInvitation(t.win)).toEqual({ token: 'abc-DEF_123' });
    expect(t.urls).toEqual([TOKENLESS_PATH]);
    expect(t.storage.get(INVITATION_STORAGE_KEY)).toBe('abc-DEF_123');
  });

  it('a reload of the tokenless URL finds the invitation again', () => {
    const first = tab('/join/abc');
    takeInvitation(first.win);
    const reload = tab(TOKENLESS_PATH, first.storage);
    expect(takeInvitation(reload.win)).toEqual({ token: 'abc' });
    expect(takeInvitation(tab(`${TOKENLESS_PATH}/`, first.storage).win)).toEqual({ token: 'abc' });
  });

  it('a fresh tab of the tokenless URL asks for the invitation link again', () => {
    expect(takeInvitation(tab(TOKENLESS_PATH).win)).toEqual({ token: null, missing: 'linkNeeded' });
  });

  it('a malformed link is still a malformed link', () => {
    const t = tab('/join/a/b');
    expect(takeInvitation(t.win)).toEqual({ token: null, missing: 'invalidLink' });
    expect(t.urls).toEqual(['/join/a/b']);
  });

  it('the secret in the link’s fragment goes the same way: kept for this tab, out of the address bar', () => {
    const secret = Buffer.alloc(32, 7).toString('base64url');
    const t = tab('/join/abc', new Map(), `#k=${secret}`);
    expect(takeInvitation(t.win)).toEqual({ token: 'abc', linkSecret: new Uint8Array(32).fill(7) });
    expect(t.urls).toEqual([TOKENLESS_PATH]);
    expect(t.storage.get(LINK_SECRET_STORAGE_KEY)).toBe(secret);
    expect(takeInvitation(tab(TOKENLESS_PATH, t.storage).win)).toEqual({ token: 'abc', linkSecret: new Uint8Array(32).fill(7) });
    // A later link without one in the same tab leaves no stale secret behind.
    const later = tab('/join/def', t.storage);
    expect(takeInvitation(later.win)).toEqual({ token: 'def' });
    expect(takeInvitation(tab(TOKENLESS_PATH, t.storage).win)).toEqual({ token: 'def' });
    // Anything else in the fragment is not a secret.
    for (const hash of ['#k=short', `#k=${secret}x`, `#x=${secret}`, `#k=${secret.slice(0, 42)}+`, `#k=${secret}.short`]) expect(linkSecretFrom(hash)).toBeUndefined();
  });

  it('the fragment also names the console that made the secret, and a reload keeps both', () => {
    const secret = Buffer.alloc(32, 9).toString('base64url');
    const issuer = Buffer.alloc(8, 3).toString('base64url');
    const t = tab('/join/abc', new Map(), `#k=${secret}.${issuer}`);
    const expected = { token: 'abc', linkSecret: new Uint8Array(32).fill(9), linkIssuer: issuer };
    expect(takeInvitation(t.win)).toEqual(expected);
    expect(t.urls).toEqual([TOKENLESS_PATH]);
    expect(takeInvitation(tab(TOKENLESS_PATH, t.storage).win)).toEqual(expected);
  });

  it('without sessionStorage (a browser that refuses it) the token stays, so a reload still works', () => {
    const t = tab('/join/abc');
    t.win.sessionStorage.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    expect(takeInvitation(t.win)).toEqual({ token: 'abc' });
    expect(t.urls).toEqual(['/join/abc']);
  });
});

describe('the server serves the page', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    setLogLevel('error');
    dir = mkdtempSync(path.join(os.tmpdir(), 'confidant-page-'));
    const pageDir = path.join(dir, 'participant');
    mkdirSync(path.join(pageDir, 'assets'), { recursive: true });
    writeFileSync(path.join(pageDir, 'index.html'), '<!doctype html><title>join</title>');
    writeFileSync(path.join(pageDir, 'assets', 'app.css'), 'body{}');
    server = await startServer(parseConfig({ dataDir: path.join(dir, 'db'), port: 0, rtcPort: 0, workers: 1, participantDir: pageDir }));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with a CSP that allows no inline style and no form submission', async () => {
    for (const url of ['/join/SOMETOKEN', TOKENLESS_PATH, '/p/assets/app.css']) {
      const res = await fetch(server.httpUrl + url);
      expect(res.status, url).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
      expect(directives.get('style-src'), url).toEqual(["'self'"]);
      expect(directives.get('form-action'), url).toEqual(["'none'"]);
      expect(directives.get('default-src'), url).toEqual(["'self'"]);
      // Own scripts only, and WebAssembly for the background-blur model (issue 21): no eval, nothing inline.
      expect(directives.get('script-src'), url).toEqual(["'self'", "'wasm-unsafe-eval'"]);
      expect(directives.get('worker-src'), url).toEqual(["'self'"]);
      expect(csp, url).not.toContain('unsafe-inline');
    }
  });

  it('at the tokenless URL too, never cached, so a reload works from what the tab kept', async () => {
    for (const url of [TOKENLESS_PATH, `${TOKENLESS_PATH}/`]) {
      const res = await fetch(server.httpUrl + url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('cache-control'), url).toBe('no-store');
      expect(await res.text()).toContain('<title>join</title>');
    }
  });
});
