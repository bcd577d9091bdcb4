/**
 * The clinician hello's session ticket: the console's renderer opens the live socket with a
 * single-use, session-scoped, short-lived ticket that main asked for with the bearer token,
 * so the renderer never holds the token itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TICKETS_PER_TOKEN, SessionTickets, TICKET_TTL_MS } from '../../src/server/auth/sessionTickets.js';
import { startDemo, type RunningDemo } from '../../src/server/demo.js';
import { CLOSE_SIGNED_OUT } from '../../src/shared/protocol.js';
import { clinicianHello, sessionTicket } from '../support/clinicianHello.js';
import { api, FAST_SCRYPT, makeClinician } from './support/api.js';
import { login } from './support/testServer.js';
import { TestClient } from './support/wsClient.js';

let demo: RunningDemo;
/** How far the server's clock runs ahead of the real one; tests move it forward only. */
let ahead = 0;

beforeAll(async () => {
  demo = await startDemo({
    invitations: 1,
    workers: 1,
    participantDir: '/nonexistent',
    start: { scrypt: FAST_SCRYPT, now: () => new Date(Date.now() + ahead) },
  });
});
afterAll(async () => {
  await demo?.close();
});

async function hello(data: unknown) {
  const client = await TestClient.connect(demo.info.wsUrl);
  return { client, answer: await client.request('hello', data) };
}

describe('the session ticket', () => {
  it('is issued to who may join the session, and to nobody else', async () => {
    const token = await login(demo.info);
    const issued = await api(demo.server, 'POST', `/api/sessions/${demo.info.sessionId}/ticket`, token);
    expect(issued.status).toBe(200);
    expect(issued.body.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(String(issued.body.expiresAt))).toBeGreaterThan(Date.now());
    // Not the token, nor derived from it: a fresh one every time.
    expect(issued.body.ticket).not.toBe(token);
    expect(await sessionTicket(demo.info.httpUrl, token, demo.info.sessionId)).not.toBe(issued.body.ticket);

    const stranger = await makeClinician(demo.server, 'ticket.stranger', ['facilitator', 'supervisor']);
    const strangerToken = await stranger.signIn();
    // Someone else's session and an unknown one answer alike.
    for (const sessionId of [demo.info.sessionId, 'not-a-session']) {
      const refused = await api(demo.server, 'POST', `/api/sessions/${sessionId}/ticket`, strangerToken);
      expect([refused.status, refused.body.error?.code]).toEqual([403, 'FORBIDDEN']);
    }
    const anonymous = await api(demo.server, 'POST', `/api/sessions/${demo.info.sessionId}/ticket`);
    expect([anonymous.status, anonymous.body.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('gets a clinician in once; the same ticket again is refused', async () => {
    const data = await clinicianHello(demo.info.httpUrl, await login(demo.info), demo.info.sessionId);
    const first = await hello(data);
    expect(first.answer).toMatchObject({ ok: true, data: { role: 'facilitator' } });
    await first.client.close();
    const again = await hello(data);
    expect(again.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    await again.client.close();
  });

  it('is refused for another session, and is spent by the try', async () => {
    const token = await login(demo.info);
    const starts = new Date(Date.now() + ahead + 3 * 3_600_000);
    const other = await api(demo.server, 'POST', '/api/sessions', token, {
      title: 'Another group',
      startsAt: starts.toISOString(),
      endsAt: new Date(starts.getTime() + 3_600_000).toISOString(),
    });
    expect(other.status).toBe(201);
    const otherId = String(other.body.id);
    const ticket = await sessionTicket(demo.info.httpUrl, token, otherId);
    const elsewhere = await hello({ as: 'clinician', ticket, sessionId: demo.info.sessionId });
    expect(elsewhere.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    await elsewhere.client.close();
    // Its own session's clinicians may not join yet (three hours early), but the ticket is
    // refused before that: it was used up by the try above.
    const own = await hello({ as: 'clinician', ticket, sessionId: otherId });
    expect(own.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    await own.client.close();
  });

  it('opens a socket that still closes when the sign-in behind it ends', async () => {
    const stranger = await makeClinician(demo.server, 'ticket.signout', ['facilitator']);
    await demo.server.store.sessions.update(demo.info.sessionId, { coFacilitatorIds: [stranger.id] });
    const token = await stranger.signIn();
    const { client, answer } = await hello(await clinicianHello(demo.info.httpUrl, token, demo.info.sessionId));
    expect(answer).toMatchObject({ ok: true, data: { role: 'facilitator' } });
    // A ticket asked for before the sign-out gets nobody in after it.
    const unused = await clinicianHello(demo.info.httpUrl, token, demo.info.sessionId);
    expect((await api(demo.server, 'POST', '/api/logout', token, {})).status).toBe(200);
    expect(await client.closed).toMatchObject({ code: CLOSE_SIGNED_OUT });
    const after = await hello(unused);
    expect(after.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    await after.client.close();
  });

  it('is the only way in: a bearer token in the hello is refused', async () => {
    const { client, answer } = await hello({ as: 'clinician', token: await login(demo.info), sessionId: demo.info.sessionId });
    expect(answer).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await client.close();
  });

  // Last: the server's clock stays ahead afterwards, where no TOTP code would match.
  it('is refused once it has expired', async () => {
    const data = await clinicianHello(demo.info.httpUrl, await login(demo.info), demo.info.sessionId);
    ahead += TICKET_TTL_MS + 1;
    const late = await hello(data);
    expect(late.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    await late.client.close();
  });
});

describe('the ticket store', () => {
  const grant = { clinicianId: 'c1', tokenHash: 'h1', sessionId: 's1' };

  it('keeps nothing past a ticket\'s minute, and at most a few unspent tickets per sign-in', () => {
    let t = 0;
    const tickets = new SessionTickets(() => new Date(t));
    const issued = Array.from({ length: MAX_TICKETS_PER_TOKEN + 3 }, () => tickets.issue(grant).ticket);
    expect(tickets.size).toBe(MAX_TICKETS_PER_TOKEN);
    // The oldest were dropped for the newest.
    expect(tickets.redeem(issued[0] ?? '', 's1')).toBeUndefined();
    expect(tickets.redeem(issued.at(-1) ?? '', 's1')).toEqual(grant);
    tickets.issue({ ...grant, tokenHash: 'h2' });
    t = TICKET_TTL_MS;
    expect(tickets.size).toBe(0);
  });

  it('spends a ticket on its first presentation, whatever the outcome', () => {
    const tickets = new SessionTickets(() => new Date(0));
    const { ticket } = tickets.issue(grant);
    expect(tickets.redeem(ticket, 's2')).toBeUndefined();
    expect(tickets.redeem(ticket, 's1')).toBeUndefined();
    expect(tickets.size).toBe(0);
  });
});
