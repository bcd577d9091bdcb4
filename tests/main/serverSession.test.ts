import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createIpcDispatcher } from '../../src/main/ipc/dispatch';
import { createHandlers } from '../../src/main/ipc/handlers';
import { consoleServices } from './support/consoleServices';
import { startDemoServer, type DemoServer } from '../support/demoServer';
import { freshTotp } from '../support/totpCodes';

let demo: DemoServer;

beforeAll(async () => {
  demo = await startDemoServer();
});
afterAll(async () => {
  await demo?.stop();
});

/** A code from the facilitator's authenticator, never one used before (each works once). */
function facilitatorCode(): Promise<string> {
  return freshTotp(demo.info.facilitator.totpSecret ?? '', `${demo.info.httpUrl}|facilitator`);
}

/**
 * Main's services and dispatcher, with the real fetch; `tokensSent` records the bearer
 * tokens main sent the server, so a test can look for them where they must not be.
 */
function consoleMain() {
  const tokensSent = new Set<string>();
  const recordingFetch: typeof fetch = (input, init) => {
    const authorization = new Headers(init?.headers).get('authorization');
    if (authorization) tokensSent.add(authorization.replace(/^Bearer /, ''));
    return fetch(input, init);
  };
  const services = consoleServices({ fetch: recordingFetch });
  return { server: services.server, dispatch: createIpcDispatcher(createHandlers(services)), tokensSent };
}

/** The facilitator signs in through main, as the console's sign-in screen does, at `serverUrl`. */
async function facilitatorSignsIn(dispatch: ReturnType<typeof consoleMain>['dispatch'], serverUrl = demo.info.httpUrl) {
  return dispatch('auth:signIn', {
    serverUrl,
    username: demo.info.facilitator.username,
    password: demo.info.facilitator.password,
    totp: await facilitatorCode(),
  });
}

/** Opens the session's live socket with what `sessions:connect` gave the renderer. */
async function helloWith(data: unknown): Promise<{ ok: boolean; error?: { code: string } }> {
  const socket = new WebSocket(demo.info.wsUrl);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ id: 1, method: 'hello', data }));
  const answer = await new Promise<string>((resolve) => socket.once('message', (raw) => resolve(String(raw))));
  socket.close();
  return JSON.parse(answer) as { ok: boolean; error?: { code: string } };
}

describe('the console signed in to a real session server', () => {
  it('signs in, lists today\'s session and never hands the token to the renderer with the account', async () => {
    const { dispatch } = consoleMain();
    const signIn = await facilitatorSignsIn(dispatch, `${demo.info.httpUrl}/ignored/path`);
    expect(signIn).toMatchObject({ ok: true, data: { serverUrl: demo.info.httpUrl, user: { roles: ['facilitator'] } } });
    expect(JSON.stringify(signIn)).not.toMatch(/token/i);
    expect(JSON.stringify(await dispatch('auth:current', {}))).not.toMatch(/token/i);

    const sessions = await dispatch('sessions:list', {});
    expect(sessions.ok && (sessions.data as { id: string }[]).map((s) => s.id)).toEqual([demo.info.sessionId]);

    const connection = await dispatch('sessions:connect', { sessionId: demo.info.sessionId });
    expect(connection).toMatchObject({ ok: true, data: { wsUrl: demo.info.wsUrl, sessionId: demo.info.sessionId } });
  });

  it('gives the renderer a fresh single-use ticket for the live socket, never the bearer token', async () => {
    const { dispatch, tokensSent } = consoleMain();
    await facilitatorSignsIn(dispatch);
    const answers = [
      await dispatch('sessions:connect', { sessionId: demo.info.sessionId }),
      await dispatch('sessions:connect', { sessionId: demo.info.sessionId }),
    ];
    expect(tokensSent.size).toBe(1);
    for (const token of tokensSent) expect(JSON.stringify(answers)).not.toContain(token);
    const [first, second] = answers.map((a) => (a.ok ? (a.data as Record<string, unknown>) : {}));
    expect(Object.keys(first ?? {}).sort()).toEqual(['sessionId', 'ticket', 'wsUrl']);
    expect(second?.ticket).not.toBe(first?.ticket);

    const hello = { as: 'clinician', ticket: first?.ticket, sessionId: demo.info.sessionId };
    await expect(helloWith(hello)).resolves.toMatchObject({ ok: true });
    // The ticket the renderer holds is spent: whoever reads it from the page later gets nothing.
    await expect(helloWith(hello)).resolves.toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a sign-in without the TOTP code', async () => {
    const { dispatch } = consoleMain();
    const result = await dispatch('auth:signIn', {
      serverUrl: demo.info.httpUrl,
      username: demo.info.facilitator.username,
      password: demo.info.facilitator.password,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    await expect(dispatch('auth:current', {})).resolves.toEqual({ ok: true, data: null });
  });

  it('answers a wrong password with UNAUTHENTICATED and stays signed out', async () => {
    const { dispatch } = consoleMain();
    const result = await dispatch('auth:signIn', {
      serverUrl: demo.info.httpUrl,
      username: demo.info.facilitator.username,
      password: 'not-the-password',
      totp: '000000',
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    await expect(dispatch('auth:current', {})).resolves.toEqual({ ok: true, data: null });
  });

  it('says clearly when no server answers at the address', async () => {
    const { dispatch } = consoleMain();
    const result = await dispatch('auth:signIn', { serverUrl: 'http://127.0.0.1:9', username: 'a', password: 'b' });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(result.ok === false && result.error.message).toContain('http://127.0.0.1:9');
  });

  it('signs out by revoking the token on the server', async () => {
    const { dispatch, tokensSent } = consoleMain();
    await facilitatorSignsIn(dispatch);
    await dispatch('sessions:list', {});
    const [token] = [...tokensSent];
    await expect(dispatch('auth:signOut', {})).resolves.toEqual({ ok: true, data: {} });
    const after = await fetch(`${demo.info.httpUrl}/api/sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    await expect(dispatch('sessions:list', {})).resolves.toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});
