/**
 * The console's main process signed in to a deployment of several servers on one PostgreSQL
 * database (real server processes, tests/support/fleet.ts): it learns the servers from the one
 * it signed in to, lets the renderer open exactly their sockets, gets the ticket from the
 * server that hosts the session, and when the server it signed in to dies, finds the session
 * again through another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createIpcDispatcher } from '../../src/main/ipc/dispatch';
import { createHandlers } from '../../src/main/ipc/handlers';
import { isRendererRequestAllowed } from '../../src/main/security';
import { startFleet, type Fleet } from '../support/fleet';
import { runPostgres } from '../support/postgres';
import { freshTotp } from '../support/totpCodes';
import { consoleServices } from './support/consoleServices';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ servers: 2, invitations: 0, leaseSeconds: 2, postgres: await runPostgres() });
}, 120_000);
afterAll(async () => {
  await fleet?.dispose();
}, 60_000);

function consoleMain() {
  const services = consoleServices();
  return { server: services.server, dispatch: createIpcDispatcher(createHandlers(services)) };
}

async function signsIn(dispatch: ReturnType<typeof consoleMain>['dispatch'], who: 'facilitator' | 'supervisor', serverUrl: string) {
  const account = fleet.seed[who];
  const answer = await dispatch('auth:signIn', {
    serverUrl,
    username: account.username,
    password: account.password,
    // One database: a code is spent on every server at once.
    totp: await freshTotp(account.totpSecret, `fleet|${account.username}`),
  });
  expect(answer).toMatchObject({ ok: true });
}

/** What the renderer does with `sessions:connect`'s answer: hello on that socket. */
async function helloWith(connection: { wsUrl: string; ticket: string; sessionId: string }): Promise<{ socket: WebSocket; answer: { ok: boolean } }> {
  const socket = new WebSocket(connection.wsUrl);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ id: 1, method: 'hello', data: { as: 'clinician', ticket: connection.ticket, sessionId: connection.sessionId } }));
  const answer = await new Promise<string>((resolve) => socket.once('message', (raw) => resolve(String(raw))));
  return { socket, answer: JSON.parse(answer) as { ok: boolean } };
}

describe('the console and a deployment of several servers', () => {
  it('connects where the session is hosted, allows exactly the fleet, and finds the session again when its server dies', async () => {
    const [a, b] = fleet.members as [(typeof fleet.members)[0], (typeof fleet.members)[0]];
    const sessionId = fleet.seed.sessionId;
    const lead = consoleMain();
    await signsIn(lead.dispatch, 'facilitator', a.url);
    expect([...lead.server.servers()].sort()).toEqual([a.url, b.url].sort());
    const app = { url: 'app://confidant/index.html' };
    expect(isRendererRequestAllowed(b.wsUrl, app, lead.server.servers())).toBe(true);
    expect(isRendererRequestAllowed('ws://127.0.0.1:9/ws', app, lead.server.servers())).toBe(false);

    const first = await lead.dispatch('sessions:connect', { sessionId });
    expect(first).toMatchObject({ ok: true, data: { wsUrl: a.wsUrl } });
    const leadSocket = await helloWith((first as { data: { wsUrl: string; ticket: string; sessionId: string } }).data);
    expect(leadSocket.answer).toMatchObject({ ok: true });

    // A supervisor signed in through the other server is sent to the host for the ticket.
    const supervisor = consoleMain();
    await signsIn(supervisor.dispatch, 'supervisor', b.url);
    const watching = await supervisor.dispatch('sessions:connect', { sessionId });
    expect(watching).toMatchObject({ ok: true, data: { wsUrl: a.wsUrl } });
    const supervisorSocket = await helloWith((watching as { data: { wsUrl: string; ticket: string; sessionId: string } }).data);
    expect(supervisorSocket.answer).toMatchObject({ ok: true });

    // The server the facilitator signed in to dies with the session on it.
    const dropped = new Promise((resolve) => leadSocket.socket.once('close', resolve));
    await fleet.kill(0);
    await dropped;
    // Until its lease runs out the session cannot be had; then the other server takes it.
    let again: Awaited<ReturnType<typeof lead.dispatch>> | undefined;
    for (let tries = 0; tries < 50; tries++) {
      again = await lead.dispatch('sessions:connect', { sessionId });
      if (again.ok) break;
      expect(['NOT_FOUND', 'HOSTED_ELSEWHERE']).toContain((again as { error: { code: string } }).error.code);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(again).toMatchObject({ ok: true, data: { wsUrl: b.wsUrl } });
    const back = await helloWith((again as { data: { wsUrl: string; ticket: string; sessionId: string } }).data);
    expect(back.answer).toMatchObject({ ok: true, data: { role: 'facilitator' } });
    // Still signed in, and the rest of the API reachable through the live server.
    expect(await lead.dispatch('sessions:list', {})).toMatchObject({ ok: true });
    for (const s of [back.socket, supervisorSocket.socket]) s.close();
  }, 40_000);
});
