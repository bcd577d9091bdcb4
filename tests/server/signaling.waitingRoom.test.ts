import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/server/auth/password.js';
import { base32Encode, newTotpSecret } from '../../src/server/auth/totp.js';
import { Participant } from '../../src/shared/protocol.js';
import { signIn } from './support/signIn.js';
import { admitted, AGREEMENT_VERSION_OF, connectClinician, connectParticipant, knock, login } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { clinicianHello, sessionTicket } from '../support/clinicianHello.js';
import { TestClient } from './support/wsClient.js';

const demo = sharedTestDemo(8);
const inv = (i: number) => demo.info.invitations[i]!;

describe('participant hello', () => {
  it('answers a wrong passcode with UNAUTHENTICATED and keeps the socket open; the right one then works', async () => {
    const c = await TestClient.connect(demo.info.wsUrl);
    const wrong = await c.request('hello', { as: 'participant', invite: inv(0).token, passcode: '000000x' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const unknown = await c.request('hello', { as: 'participant', invite: 'no-such-token', passcode: inv(0).passcode });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    // Nobody learns which tokens exist: both failures read the same.
    expect(!wrong.ok && !unknown.ok && wrong.error.message === unknown.error.message).toBe(true);
    expect(c.isOpen).toBe(true);
    const hello = await c.call('hello', { as: 'participant', invite: inv(0).token, passcode: inv(0).passcode });
    expect(hello).toMatchObject({ state: 'check-in', session: { id: demo.info.sessionId, title: expect.any(String) } });
    expect(hello.agreement).toMatchObject({ version: '2026-11', text: expect.stringContaining('stays in group') });
    await c.close();
  });

  it('answers a second live connection on the same invitation with CONFLICT', async () => {
    const first = await connectParticipant(demo.info, inv(1));
    const second = await TestClient.connect(demo.info.wsUrl);
    expect(await second.request('hello', { as: 'participant', invite: inv(1).token, passcode: inv(1).passcode })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    await first.client.close();
    // Once the first has gone, the invitation works again with the same participantId.
    const again = await second.call('hello', { as: 'participant', invite: inv(1).token, passcode: inv(1).passcode });
    expect(again.participantId).toBe(first.participantId);
    await second.close();
  });

  it('answers a revoked invitation with REMOVED', async () => {
    const record = (await demo.server.store.invitations.bySession(demo.info.sessionId)).find((i) => i.participantRef === inv(7).participantRef)!;
    await demo.server.store.invitations.revoke(record.id, new Date());
    const c = await TestClient.connect(demo.info.wsUrl);
    expect(await c.request('hello', { as: 'participant', invite: inv(7).token, passcode: inv(7).passcode })).toMatchObject({
      error: { code: 'REMOVED' },
    });
    await c.close();
  });

  it('rejects a check-in quoting another agreement version with CONFLICT', async () => {
    const { client } = await connectParticipant(demo.info, inv(2));
    expect(
      await client.request('checkIn', { displayName: 'Kim', agreementVersion: '1999-01', media: { audio: true, video: true } }),
    ).toMatchObject({ error: { code: 'CONFLICT' } });
    await client.close();
  });
});

describe('the waiting room', () => {
  it('knock → admit → admitted with the router capabilities, and everyone hears of it', async () => {
    const fac = await connectClinician(demo.info);
    expect(fac.hello).toMatchObject({ role: 'facilitator', locked: false, waiting: [], producers: [] });
    const codecs = (fac.hello.routerRtpCapabilities as { codecs: { mimeType: string }[] }).codecs.map((c) => c.mimeType);
    expect(codecs).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264']));

    const first = await admitted(demo.info, inv(3), fac.client, 'Jordan');

    const { client, participantId, hello } = await connectParticipant(demo.info, inv(4));
    const checkedIn = await client.call('checkIn', {
      displayName: '  Alex  ',
      agreementVersion: AGREEMENT_VERSION_OF(hello),
      media: { audio: true, video: true },
      location: 'Home, 12 Elm St',
      emergencyContact: 'Sam 555-0100',
    });
    // Only the router's codecs come back, so the page can prepare while it waits: no names.
    expect(checkedIn).toEqual({ state: 'waiting', routerRtpCapabilities: fac.hello.routerRtpCapabilities });
    expect(JSON.stringify(checkedIn)).not.toMatch(/Jordan|Ana/);
    const { participant } = await fac.client.waitFor('knock', (d) => d.participant.participantId === participantId);
    expect(Participant.strict().parse(participant)).toMatchObject({
      displayName: 'Alex',
      role: 'client',
      state: 'waiting',
      participantRef: inv(4).participantRef,
      media: { audio: true, video: true },
    });
    // The whole phrases: a random participant id may hold "555" by chance.
    expect(JSON.stringify(participant)).not.toMatch(/12 Elm St|Sam 555-0100/);

    expect(await fac.client.call('admit', { participantId })).toEqual({});
    const welcome = await client.waitFor('admitted');
    expect((welcome.routerRtpCapabilities.codecs ?? []).length).toBeGreaterThan(0);
    const names = welcome.participants.map((p) => p.displayName).sort();
    expect(names).toEqual(['Alex', 'Dr. Ana Demo', 'Jordan']);
    // A client never learns another client's participantRef.
    expect(welcome.participants.every((p) => p.participantRef === undefined)).toBe(true);

    const joined = await first.client.waitFor('peerJoined', (d) => d.participant.participantId === participantId);
    expect(joined.participant.participantRef).toBeUndefined();
    await fac.client.waitFor('peerJoined', (d) => d.participant.participantId === participantId);
    const updated = await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === participantId);
    expect(updated.participant).toMatchObject({ state: 'admitted', participantRef: inv(4).participantRef });

    // leave: {} then the socket closes, and everyone who knew is told.
    expect(await client.call('leave', {})).toEqual({});
    await client.closed;
    await first.client.waitFor('peerLeft', (d) => d.participantId === participantId);
    await fac.client.waitFor('peerLeft', (d) => d.participantId === participantId);
    await fac.client.waitFor('participantLeft', (d) => d.participantId === participantId);

    await first.client.close();
    await fac.client.close();
  });

  it('a client in check-in or waiting never receives another name', async () => {
    const fac = await connectClinician(demo.info);
    const watcher = await connectParticipant(demo.info, inv(5));
    const other = await admitted(demo.info, inv(6), fac.client, 'Morgan');
    await watcher.client.call('checkIn', {
      displayName: 'Quinn',
      agreementVersion: AGREEMENT_VERSION_OF(watcher.hello),
      media: { audio: false, video: false },
    });
    await other.client.close();
    // A dropped socket: clinicians see them reconnecting for the grace period, not gone.
    await fac.client.waitFor(
      'participantUpdated',
      (d) => d.participant.participantId === other.participantId && d.participant.connection === 'reconnecting',
    );
    const sup = await connectClinician(demo.info, 'supervisor');
    await sup.client.close();
    await fac.client.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(watcher.client.notifications).toEqual([]);
    await watcher.client.close();
  });

  it('deny sends denied, closes the socket and leaves the invitation valid', async () => {
    const fac = await connectClinician(demo.info);
    const { client, participantId } = await knock(demo.info, inv(5));
    await fac.client.waitFor('knock', (d) => d.participant.participantId === participantId);
    expect(await fac.client.call('deny', { participantId })).toEqual({});
    await client.waitFor('denied');
    await client.closed;
    await fac.client.waitFor('participantLeft', (d) => d.participantId === participantId);
    const back = await connectParticipant(demo.info, inv(5));
    expect(back.participantId).toBe(participantId);
    await back.client.close();
    await fac.client.close();
  });

  it('admit of someone not waiting is CONFLICT; of an unknown id NOT_FOUND', async () => {
    const fac = await connectClinician(demo.info);
    const { client, participantId } = await connectParticipant(demo.info, inv(5));
    expect(await fac.client.request('admit', { participantId })).toMatchObject({ error: { code: 'CONFLICT' } });
    expect(await fac.client.request('admit', { participantId: 'p-nobody' })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    await client.close();
    await fac.client.close();
  });

  it('a supervisor joins as an observer; a clinician of neither kind is FORBIDDEN', async () => {
    const sup = await connectClinician(demo.info, 'supervisor');
    expect(sup.hello.role).toBe('observer');
    expect(await sup.client.request('createTransport', { direction: 'send' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await sup.client.request('admit', { participantId: 'x' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await sup.client.close();
    const token = { token: await login(demo.info) };
    const c = await TestClient.connect(demo.info.wsUrl);
    // A facilitator of another session, unsupervised, is a stranger here.
    const stranger = await demo.server.store.clinicians.create({ username: 'stranger', displayName: 'S', roles: ['facilitator', 'supervisor'], passwordHash: await hashSecret('pw', { N: 1024, r: 8, p: 1 }) });
    const secret = newTotpSecret();
    await demo.server.store.clinicians.setTotpSecret(stranger.id, secret);
    const strangerLogin = { token: await signIn(demo.info.httpUrl, 'stranger', 'pw', base32Encode(secret)) };
    // Neither gets a ticket into the session (an unknown session answers alike)…
    await expect(sessionTicket(demo.info.httpUrl, strangerLogin.token, demo.info.sessionId)).rejects.toThrow(/403 FORBIDDEN/);
    await expect(sessionTicket(demo.info.httpUrl, token.token, 'not-a-session')).rejects.toThrow(/403 FORBIDDEN/);
    // …and a ticket the server never issued gets nobody in.
    expect(await c.request('hello', { as: 'clinician', ticket: 'forged', sessionId: demo.info.sessionId })).toMatchObject({
      error: { code: 'UNAUTHENTICATED' },
    });
    // A ticket issued while the stranger still co-facilitated is refused once they no longer do.
    await demo.server.store.sessions.update(demo.info.sessionId, { coFacilitatorIds: [stranger.id] });
    const issued = await clinicianHello(demo.info.httpUrl, strangerLogin.token, demo.info.sessionId);
    await demo.server.store.sessions.update(demo.info.sessionId, { coFacilitatorIds: [] });
    expect(await c.request('hello', issued)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await c.close();
  });
});
