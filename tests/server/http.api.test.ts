import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/server/auth/password.js';
import { base32Encode, newTotpSecret } from '../../src/server/auth/totp.js';
import { parseConfig } from '../../src/server/config.js';
import { setLogLevel } from '../../src/common/logger.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { SessionList } from '../../src/shared/protocol.js';
import { freshTotp } from '../support/totpCodes.js';
import { signIn } from './support/signIn.js';

setLogLevel('error');

let server: RunningServer;
let dataDir: string;
let pageDir: string;
const ids: Record<string, string> = {};
const sessions: Record<string, string> = {};

async function post(p: string, body: unknown, token?: string): Promise<Response> {
  return fetch(server.httpUrl + p, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const secrets: Record<string, string> = {};
const tokens: Record<string, string> = {};

/** Signs in with password and a fresh TOTP code; reuses the token unless `fresh`. */
async function login(username: string, fresh = false): Promise<string> {
  if (!fresh && tokens[username]) return tokens[username];
  const token = await signIn(server.httpUrl, username, 'pw-' + username, secrets[username]!);
  if (!fresh) tokens[username] = token;
  return token;
}

async function sessionIdsFor(username: string): Promise<string[]> {
  const token = await login(username);
  const res = await fetch(server.httpUrl + '/api/sessions', { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return SessionList.parse(await res.json()).map((s) => s.id);
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'confidant-http-'));
  pageDir = path.join(dataDir, 'participant');
  server = await startServer(parseConfig({ dataDir: path.join(dataDir, 'db'), port: 0, rtcPort: 0, workers: 1, participantDir: pageDir }));
  const { clinicians, sessions: repo } = server.store;
  const make = async (username: string, roles: ('facilitator' | 'supervisor' | 'admin')[]): Promise<void> => {
    ids[username] = (
      await clinicians.create({
        username,
        displayName: username,
        roles,
        passwordHash: await hashSecret('pw-' + username, { N: 1024, r: 8, p: 1 }),
      })
    ).id;
    const secret = newTotpSecret();
    await clinicians.setTotpSecret(ids[username]!, secret);
    secrets[username] = base32Encode(secret);
  };
  await make('fay', ['facilitator']);
  await make('cole', ['facilitator']);
  await make('gus', ['facilitator']);
  await make('sue', ['supervisor']);
  await make('ada', ['admin']);
  await make('nobody', []);
  await clinicians.addSupervision(ids.sue!, ids.cole!);
  const at = (h: number): Date => new Date(Date.UTC(2026, 10, 24, h));
  sessions.fays = (await repo.create({ title: 'A', startsAt: at(9), endsAt: at(10), facilitatorId: ids.fay! })).id;
  sessions.shared = (await repo.create({ title: 'B', startsAt: at(11), endsAt: at(12), facilitatorId: ids.gus!, coFacilitatorIds: [ids.cole!] })).id;
  sessions.gus = (await repo.create({ title: 'C', startsAt: at(13), endsAt: at(14), facilitatorId: ids.gus! })).id;
});

afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('sign-in', () => {
  it('answers a token, its expiry in 12 hours and the user', async () => {
    const res = await post('/api/login', { username: 'fay', password: 'pw-fay', totp: await freshTotp(secrets.fay!, `${server.httpUrl}|fay`) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; expiresAt: string; user: unknown };
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    expect(body.user).toEqual({ id: ids.fay, username: 'fay', displayName: 'fay', roles: ['facilitator'] });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers an unknown user and a wrong password alike, with 401', async () => {
    const a = await post('/api/login', { username: 'fay', password: 'wrong', totp: '123456' });
    const b = await post('/api/login', { username: 'ghost', password: 'wrong', totp: '123456' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(await a.json()).toEqual(await b.json());
  });

  it('rejects bad JSON with 400 and a huge body with 413', async () => {
    const bad = await post('/api/login', '{"username":');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    const huge = await post('/api/login', { username: 'x', password: 'y'.repeat(100_000) });
    expect(huge.status).toBe(413);
    const missing = await post('/api/login', { username: 'fay' });
    expect(missing.status).toBe(400);
  });

  it('sign-out revokes the token', async () => {
    const token = await login('fay', true);
    const out = await post('/api/logout', {}, token);
    expect(out.status).toBe(200);
    const res = await fetch(server.httpUrl + '/api/sessions', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });

  it('refuses the session list without a token', async () => {
    const res = await fetch(server.httpUrl + '/api/sessions');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });
});

describe('the session list', () => {
  it('shows a facilitator the sessions they lead', async () => {
    expect(await sessionIdsFor('fay')).toEqual([sessions.fays]);
  });
  it('shows a co-facilitator the sessions they co-facilitate', async () => {
    expect(await sessionIdsFor('cole')).toEqual([sessions.shared]);
  });
  it('shows a supervisor the sessions of facilitators they supervise', async () => {
    expect(await sessionIdsFor('sue')).toEqual([sessions.shared]);
  });
  it('shows an admin every session, in start order', async () => {
    expect(await sessionIdsFor('ada')).toEqual([sessions.fays, sessions.shared, sessions.gus]);
  });
  it('shows an account without roles nothing', async () => {
    expect(await sessionIdsFor('nobody')).toEqual([]);
  });
  it('lists co-facilitators with each session', async () => {
    const token = await login('gus');
    const res = await fetch(server.httpUrl + '/api/sessions', { headers: { authorization: `Bearer ${token}` } });
    const list = SessionList.parse(await res.json());
    expect(list.find((s) => s.id === sessions.shared)?.coFacilitatorIds).toEqual([ids.cole]);
  });
});

describe('the participant page and headers', () => {
  it('answers 503 with a plain message while the page is not built', async () => {
    const res = await fetch(server.httpUrl + '/join/abc');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('participant page not built: run npm run build');
  });

  it('serves index.html for /join/:token and assets under /p/ with their types', async () => {
    mkdirSync(path.join(pageDir, 'assets'), { recursive: true });
    writeFileSync(path.join(pageDir, 'index.html'), '<!doctype html><title>join</title>');
    writeFileSync(path.join(pageDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(dataDir, 'secret.txt'), 'secret');
    const join = await fetch(server.httpUrl + '/join/SOMETOKEN');
    expect(join.status).toBe(200);
    expect(join.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(join.headers.get('cache-control')).toBe('no-store');
    expect(join.headers.get('referrer-policy')).toBe('no-referrer');
    expect(join.headers.get('x-content-type-options')).toBe('nosniff');
    expect(join.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
        "style-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const js = await fetch(server.httpUrl + '/p/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
    // The background-blur model's WebAssembly (issue 21), with the type that lets it compile as it streams.
    mkdirSync(path.join(pageDir, 'segmentation'), { recursive: true });
    writeFileSync(path.join(pageDir, 'segmentation', 'model.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
    const wasm = await fetch(server.httpUrl + '/p/segmentation/model.wasm');
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
  });

  it('never serves files outside the page directory', async () => {
    for (const p of ['/p/../secret.txt', '/p/%2e%2e/secret.txt', '/p/..%2fsecret.txt', '/p/assets/..%2f..%2fsecret.txt']) {
      const res = await fetch(server.httpUrl + p);
      expect([400, 404]).toContain(res.status);
      expect(await res.text()).not.toContain('secret');
    }
  });

  it('answers /healthz and 404 elsewhere, with security headers on every response', async () => {
    const ok = await fetch(server.httpUrl + '/healthz');
    expect(await ok.json()).toEqual({ ok: true });
    const missing = await fetch(server.httpUrl + '/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
    expect(missing.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
