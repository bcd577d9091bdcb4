/** Issuing, re-issuing and revoking invitations, and how guessing passcodes ends. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/server/demo.js';
import { InvitationList, InvitationSummary, IssuedInvitation, Participant } from '../../src/shared/protocol.js';
import { api, FAST_SCRYPT, makeClinician } from './support/api.js';
import { AGREEMENT_VERSION_OF, login } from './support/testServer.js';
import { clinicianHello } from '../support/clinicianHello.js';
import { TestClient } from './support/wsClient.js';

let demo: RunningDemo;
let facToken: string;
let facilitatorWs: TestClient;

async function issue(participantRef: string, verificationHint?: string): Promise<IssuedInvitation> {
  const res = await api(demo.server, 'POST', `/api/sessions/${demo.info.sessionId}/invitations`, facToken, {
    participantRef,
    ...(verificationHint !== undefined ? { verificationHint } : {}),
  });
  expect(res.status).toBe(201);
  return IssuedInvitation.parse(res.body);
}

async function hello(token: string, passcode: string): Promise<{ client: TestClient; answer: Awaited<ReturnType<TestClient['request']>> }> {
  const client = await TestClient.connect(demo.info.wsUrl);
  return { client, answer: await client.request('hello', { as: 'participant', invite: token, passcode }) };
}

beforeAll(async () => {
  demo = await startDemo({
    invitations: 0,
    workers: 1,
    participantDir: '/nonexistent',
    // Lowered so the per-address limit is reached within a test.
    start: { scrypt: FAST_SCRYPT, limits: { passcodeFailures: 4, helloAddressFailures: 12 } },
  });
  facToken = await login(demo.info);
  facilitatorWs = await TestClient.connect(demo.info.wsUrl);
  await facilitatorWs.call('hello', await clinicianHello(demo.info.httpUrl, facToken, demo.info.sessionId));
});
afterAll(async () => {
  await facilitatorWs.close();
  await demo.close();
});

describe('issuing', () => {
  it('shows link and passcode once; lists show neither, but the hint', async () => {
    const issued = await issue('IOP-2001', 'knows the code word');
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued.url).toBe(`${demo.info.httpUrl}/join/${issued.token}`);
    expect(issued.passcode).toMatch(/^\d{6}$/);
    expect(issued.invitation).toMatchObject({ participantRef: 'IOP-2001', verificationHint: 'knows the code word', state: 'active', revokedAt: null });
    // What the issuing console derives the link's secret from, and finds the client by in the room.
    expect(issued.invitation.participantId).toMatch(/^p-/);
    expect(issued.invitation.issuedAt).toBe(issued.invitation.createdAt);
    const list = InvitationList.parse((await api(demo.server, 'GET', `/api/sessions/${demo.info.sessionId}/invitations`, facToken)).list);
    const listed = list.find((i) => i.id === issued.invitation.id);
    expect(listed).toEqual(issued.invitation);
    expect(listed).toMatchObject({ participantId: issued.invitation.participantId, issuedAt: issued.invitation.issuedAt });
    expect(JSON.stringify(list)).not.toContain(issued.token);
    // One invitation per client per session.
    const dup = await api(demo.server, 'POST', `/api/sessions/${demo.info.sessionId}/invitations`, facToken, { participantRef: 'IOP-2001' });
    expect(dup.status).toBe(409);
  });

  it('gives the verification hint to clinicians in the knock, never to the client', async () => {
    const issued = await issue('IOP-2002', 'photo ID: red glasses');
    const { client, answer } = await hello(issued.token, issued.passcode);
    expect(answer.ok).toBe(true);
    expect(JSON.stringify(answer)).not.toContain('red glasses');
    await client.call('checkIn', { displayName: 'Robin', agreementVersion: AGREEMENT_VERSION_OF(answer.ok ? answer.data : {}), media: { audio: true, video: false } });
    const knock = await facilitatorWs.waitFor('knock', (k) => k.participant.participantRef === 'IOP-2002');
    expect(Participant.parse(knock.participant).verificationHint).toBe('photo ID: red glasses');
    expect(JSON.stringify(client.notifications)).not.toContain('red glasses');
    await client.close();
  });

  it('is only for the session\'s facilitators and admins', async () => {
    const stranger = await makeClinician(demo.server, 'stranger', ['facilitator']);
    const sup = await login(demo.info, 'supervisor');
    for (const token of [await stranger.signIn(), sup]) {
      expect((await api(demo.server, 'GET', `/api/sessions/${demo.info.sessionId}/invitations`, token)).status).toBe(403);
      expect((await api(demo.server, 'POST', `/api/sessions/${demo.info.sessionId}/invitations`, token, { participantRef: 'X' })).status).toBe(403);
    }
    const some = (await api(demo.server, 'GET', `/api/sessions/${demo.info.sessionId}/invitations`, facToken)).list[0];
    expect((await api(demo.server, 'POST', `/api/invitations/${String(some?.id)}/revoke`, sup, {})).status).toBe(403);
    expect((await api(demo.server, 'POST', `/api/invitations/${String(some?.id)}/reissue`, sup, {})).status).toBe(403);
    const admin = await makeClinician(demo.server, 'ada', ['admin']);
    const byAdmin = await api(demo.server, 'POST', `/api/sessions/${demo.info.sessionId}/invitations`, await admin.signIn(), { participantRef: 'IOP-ADMIN' });
    expect(byAdmin.status).toBe(201);
    expect((await api(demo.server, 'POST', '/api/invitations/nope/revoke', facToken, {})).status).toBe(404);
  });
});

describe('re-issuing', () => {
  it('makes the old link an unknown one, lets the new one in, and disconnects whoever held the old', async () => {
    const first = await issue('IOP-3001');
    const old = await hello(first.token, first.passcode);
    expect(old.answer).toMatchObject({ ok: true, data: { participantId: first.invitation.participantId } });

    const res = await api(demo.server, 'POST', `/api/invitations/${first.invitation.id}/reissue`, facToken, {});
    const second = IssuedInvitation.parse(res.body);
    expect(second.invitation.id).toBe(first.invitation.id);
    expect(second.token).not.toBe(first.token);
    // The same client in the room, a link issued later (so the console gives it a new secret).
    expect(second.invitation.participantId).toBe(first.invitation.participantId);
    expect(second.invitation.createdAt).toBe(first.invitation.createdAt);
    expect(Date.parse(second.invitation.issuedAt)).toBeGreaterThan(Date.parse(first.invitation.issuedAt));
    const listed = InvitationList.parse((await api(demo.server, 'GET', `/api/sessions/${demo.info.sessionId}/invitations`, facToken)).list);
    expect(listed.find((i) => i.id === first.invitation.id)).toEqual(second.invitation);
    await old.client.closed;

    const stale = await hello(first.token, first.passcode);
    const unknown = await hello('never-issued-token', '123456');
    expect(stale.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(stale.answer).toEqual({ ...unknown.answer, id: stale.answer.id });
    const fresh = await hello(second.token, second.passcode);
    expect(fresh.answer).toMatchObject({ ok: true, data: { participantId: old.answer.ok ? old.answer.data.participantId : 'x' } });
    for (const c of [stale, unknown, fresh]) await c.client.close();
  });
});

describe('revoking', () => {
  it('answers REMOVED to the link afterwards, and removes a connected client', async () => {
    const issued = await issue('IOP-4001');
    const { client } = await hello(issued.token, issued.passcode);
    const res = await api(demo.server, 'POST', `/api/invitations/${issued.invitation.id}/revoke`, facToken, {});
    expect(InvitationSummary.parse(res.body)).toMatchObject({ state: 'revoked' });
    await client.waitFor('removed');
    await client.closed;
    const again = await hello(issued.token, issued.passcode);
    expect(again.answer).toMatchObject({ ok: false, error: { code: 'REMOVED' } });
    await again.client.close();
    expect((await api(demo.server, 'POST', `/api/invitations/${issued.invitation.id}/revoke`, facToken, {})).status).toBe(409);
    expect((await api(demo.server, 'POST', `/api/invitations/${issued.invitation.id}/reissue`, facToken, {})).status).toBe(409);
    const events = (await demo.server.store.audit.list(issued.invitation.id)).map((e) => e.event);
    expect(events).toEqual(['invitation.created', 'invitation.revoked']);
  });
});

describe('guessing passcodes', () => {
  it('ends in RATE_LIMITED for the invitation, across fresh sockets, even with the right passcode', async () => {
    const issued = await issue('IOP-5001');
    const wrong = issued.passcode === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) {
      const { client, answer } = await hello(issued.token, wrong);
      expect(answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
      await client.close();
    }
    const { client, answer } = await hello(issued.token, issued.passcode);
    expect(answer).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    await client.close();
  });

  it('ends in RATE_LIMITED for the address, across invitations and unknown links', async () => {
    const spare = await issue('IOP-6001');
    // Earlier tests spent some of this address's allowance; spend the rest on unknown links.
    let answer: Awaited<ReturnType<TestClient['request']>> | undefined;
    for (let i = 0; i < 12 && !(answer && !answer.ok && answer.error.code === 'RATE_LIMITED'); i++) {
      const h = await hello(`guess-${i}`, '123456');
      answer = h.answer;
      await h.client.close();
    }
    const { client, answer: last } = await hello(spare.token, spare.passcode);
    expect(last).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    await client.close();
  });
});
