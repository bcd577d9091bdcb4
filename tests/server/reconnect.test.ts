/**
 * Dropped connections and restarts on the real server (real mediasoup worker, loopback): a
 * client whose socket drops keeps its place for the grace period and comes back with its
 * resume token (admitted stays admitted, no new knock; the facilitator sees "reconnecting"
 * meanwhile); after the grace period the place is gone. Across a server restart, graceful or
 * a crash, sessions, invitations and the roster survive, and admitted clients are let in
 * again (or sent to the waiting room, per the session's policy).
 */
import { describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.js';
import type { DemoInfo } from '../../src/shared/protocol.js';
import { signIn } from './support/signIn.js';
import { AGREEMENT_VERSION_OF, connectClinician, knock, admitted } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { clinicianHello } from '../support/clinicianHello.js';
import { TestClient } from './support/wsClient.js';
import { serverRestarts } from './support/serverRestarts.js';

const resumeTokenOf = (hello: Record<string, unknown>): string => String(hello.resumeToken);

/** A client through hello and check-in that keeps its hello answer (for the resume token). */
async function checkedIn(info: { wsUrl: string }, invitation: { token: string; passcode: string }, displayName: string) {
  const client = await TestClient.connect(info.wsUrl);
  const hello = await client.call('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
  await client.call('checkIn', { displayName, agreementVersion: AGREEMENT_VERSION_OF(hello), media: { audio: true, video: false } });
  return { client, participantId: String(hello.participantId), resumeToken: resumeTokenOf(hello) };
}

async function resume(wsUrl: string, resumeToken: string): Promise<{ client: TestClient; answer: Record<string, unknown> }> {
  const client = await TestClient.connect(wsUrl);
  const answer = (await client.request('hello', { as: 'resume', resumeToken })) as Record<string, unknown>;
  return { client, answer };
}

describe('a dropped connection', () => {
  const demo = sharedTestDemo(8, { reconnectGraceSeconds: 5 });
  const inv = (i: number) => demo.info.invitations[i]!;

  it('admitted stays admitted: the facilitator sees them reconnecting, then back, with no new knock', async () => {
    const fac = await connectClinician(demo.info);
    const alice = await checkedIn(demo.info, inv(0), 'Alice');
    await fac.client.call('admit', { participantId: alice.participantId });
    await alice.client.waitFor('admitted');
    const bob = await admitted(demo.info, inv(1), fac.client, 'Bob');

    await alice.client.close();
    const away = await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === alice.participantId && d.participant.connection === 'reconnecting');
    expect(away.participant.state).toBe('admitted');
    await bob.client.waitFor('peerLeft', (d) => d.participantId === alice.participantId);
    // A facilitator joining now still sees her, reconnecting, in her place.
    const sup = await connectClinician(demo.info, 'supervisor');
    const seen = (sup.hello.participants as { participantId: string; connection?: string }[]).find((p) => p.participantId === alice.participantId);
    expect(seen?.connection).toBe('reconnecting');

    const knocksBefore = fac.client.notifications.filter((n) => n.notification === 'knock').length;
    const back = await resume(demo.info.wsUrl, alice.resumeToken);
    expect(back.answer).toMatchObject({ ok: true, data: { participantId: alice.participantId, state: 'waiting', resumed: true } });
    const welcome = await back.client.waitFor('admitted');
    expect(welcome.participants.some((p) => p.participantId === bob.participantId)).toBe(true);
    await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === alice.participantId && d.participant.connection === 'connected' && d.participant.state === 'admitted');
    await bob.client.waitFor('peerJoined', (d) => d.participant.participantId === alice.participantId);
    expect(fac.client.notifications.filter((n) => n.notification === 'knock')).toHaveLength(knocksBefore);

    // A resume token works once.
    const again = await resume(demo.info.wsUrl, alice.resumeToken);
    expect(again.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    await again.client.close();

    const roster = await demo.server.rosters.roster((await demo.server.store.clinicians.byUsername(demo.info.facilitator.username))!, demo.info.sessionId);
    expect(roster.entries.find((e) => e.participantId === alice.participantId)).toMatchObject({ reconnects: 1, status: 'present' });
    for (const c of [back.client, bob.client, sup.client, fac.client]) await c.close();
  });

  it('waiting stays waiting, without a second knock', async () => {
    const fac = await connectClinician(demo.info);
    const carol = await checkedIn(demo.info, inv(2), 'Carol');
    await fac.client.waitFor('knock', (d) => d.participant.participantId === carol.participantId);
    await carol.client.close();
    await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === carol.participantId && d.participant.connection === 'reconnecting');
    const back = await resume(demo.info.wsUrl, carol.resumeToken);
    expect(back.answer).toMatchObject({ ok: true, data: { state: 'waiting', resumed: true } });
    const update = await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === carol.participantId && d.participant.connection === 'connected');
    expect(update.participant.state).toBe('waiting');
    await new Promise((r) => setTimeout(r, 200));
    expect(fac.client.notifications.filter((n) => n.notification === 'knock' && (n.data as { participant: { participantId: string } }).participant.participantId === carol.participantId)).toHaveLength(1);
    expect(back.client.notifications.map((n) => n.notification)).not.toContain('admitted');
    // The facilitator can admit them as before.
    await fac.client.call('admit', { participantId: carol.participantId });
    await back.client.waitFor('admitted');
    for (const c of [back.client, fac.client]) await c.close();
  });

  it('after the grace period the place is gone: the facilitator hears they left and the token no longer works', async () => {
    const fac = await connectClinician(demo.info);
    const dee = await checkedIn(demo.info, inv(3), 'Dee');
    await fac.client.call('admit', { participantId: dee.participantId });
    await dee.client.waitFor('admitted');
    await dee.client.close();
    await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === dee.participantId && d.participant.connection === 'reconnecting');
    await fac.client.waitFor('participantLeft', (d) => d.participantId === dee.participantId, 8_000);
    const late = await resume(demo.info.wsUrl, dee.resumeToken);
    expect(late.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.stringContaining('invitation link') } });
    // The invitation itself still works: the long way back is a knock.
    const longWay = await knock(demo.info, inv(3), 'Dee');
    await longWay.client.waitFor('admitted');
    for (const c of [late.client, longWay.client, fac.client]) await c.close();
  }, 20_000);

  it('a facilitator whose socket is still open elsewhere takes over with the new connection', async () => {
    const first = await connectClinician(demo.info);
    const second = await connectClinician(demo.info);
    expect((await first.client.closed).reason).toBe('replaced by a new connection');
    expect(second.hello.role).toBe('facilitator');
    await second.client.close();
  });

  /** An admitted client whose socket has dropped, the facilitator seeing them reconnecting. */
  async function away(invitation: number, name: string) {
    const fac = await connectClinician(demo.info);
    const client = await checkedIn(demo.info, inv(invitation), name);
    await fac.client.call('admit', { participantId: client.participantId });
    await client.client.waitFor('admitted');
    await client.client.close();
    await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === client.participantId && d.participant.connection === 'reconnecting');
    return { fac, ...client };
  }

  it('a resume whose answer never reached the client: the token it spent works once more, and once only', async () => {
    const eve = await away(4, 'Eve');
    // The link drops again as the resume is answered: the server's answer and its ping after it
    // go unanswered (this client sends no pong), and the socket closes.
    eve.fac.client.notifications.length = 0;
    const lost = await TestClient.connect(demo.info.wsUrl, { autoPong: false });
    expect(await lost.request('hello', { as: 'resume', resumeToken: eve.resumeToken })).toMatchObject({ ok: true });
    await lost.close();
    // The server has seen that socket go: she is reconnecting again.
    await eve.fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === eve.participantId && d.participant.connection === 'reconnecting');

    // Back with the only token the client has: into the group, with no knock.
    const back = await resume(demo.info.wsUrl, eve.resumeToken);
    expect(back.answer).toMatchObject({ ok: true, data: { participantId: eve.participantId, resumed: true, readmitting: true } });
    await back.client.waitFor('admitted');
    // This connection is heard from (any request), so the spent token is spent for good.
    expect(await back.client.request('hello', { as: 'resume', resumeToken: eve.resumeToken })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const again = await resume(demo.info.wsUrl, eve.resumeToken);
    expect(again.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(back.client.isOpen).toBe(true);
    for (const c of [again.client, back.client, eve.fac.client]) await c.close();
  });

  it('a resume answered on a link that went silent: the spent token takes the place back, and the silent socket is closed', async () => {
    const fay = await away(5, 'Fay');
    // Answered, then nothing: no pong, no request, the socket never closes on our side.
    const silent = await TestClient.connect(demo.info.wsUrl, { autoPong: false });
    const answered = await silent.call('hello', { as: 'resume', resumeToken: fay.resumeToken });
    await silent.waitFor('admitted');

    const back = await resume(demo.info.wsUrl, fay.resumeToken);
    expect(back.answer).toMatchObject({ ok: true, data: { participantId: fay.participantId, resumed: true } });
    expect((await silent.closed).reason).toBe('resumed elsewhere');
    await back.client.waitFor('admitted');
    // The token the silent socket was given was never used: now that this one is back, it is no good either.
    const stale = await resume(demo.info.wsUrl, String(answered.resumeToken));
    expect(stale.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    for (const c of [stale.client, back.client, fay.fac.client]) await c.close();
  });

  it('after a lost answer, two resumes at once with the spent token: exactly one gets in', async () => {
    const hal = await away(7, 'Hal');
    hal.fac.client.notifications.length = 0;
    const lost = await TestClient.connect(demo.info.wsUrl, { autoPong: false });
    expect(await lost.request('hello', { as: 'resume', resumeToken: hal.resumeToken })).toMatchObject({ ok: true });
    await lost.close();
    await hal.fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === hal.participantId && d.participant.connection === 'reconnecting');
    const tries = await Promise.all(Array.from({ length: 4 }, () => resume(demo.info.wsUrl, hal.resumeToken)));
    expect(tries.filter((t) => t.answer.ok)).toHaveLength(1);
    for (const t of tries.filter((t) => !t.answer.ok)) expect(t.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    for (const c of [...tries.map((t) => t.client), hal.fac.client]) await c.close();
  });

  it('a resume whose client is heard from after the answer spends its token for good', async () => {
    const gil = await checkedIn(demo.info, inv(6), 'Gil');
    await gil.client.close();
    const back = await resume(demo.info.wsUrl, gil.resumeToken);
    expect(back.answer).toMatchObject({ ok: true });
    // Any frame from the client after the answer says it arrived.
    expect(await back.client.request('hello', { as: 'resume', resumeToken: gil.resumeToken })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const replay = await resume(demo.info.wsUrl, gil.resumeToken);
    expect(replay.answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(back.client.isOpen).toBe(true);
    for (const c of [replay.client, back.client]) await c.close();
  });
});

describe('a server restart', () => {
  const restarts = serverRestarts({ tmpPrefix: 'confidant-restart-', invitations: 4, config: { reconnectGraceSeconds: 30 } });
  const { servers, start } = restarts;

  let token: string | undefined;
  /** Signs in once: the sign-in, like everything else in the store, outlives a restart. */
  async function facilitatorOn(server: RunningServer): Promise<TestClient> {
    const { username, password, totpSecret } = restarts.seed.facilitator;
    token ??= await signIn(server.httpUrl, username, password, totpSecret!);
    const client = await TestClient.connect(server.wsUrl);
    await client.call('hello', await clinicianHello(server.httpUrl, token, restarts.seed.sessionId));
    return client;
  }

  it('graceful: admitted clients are let back in, waiting ones wait, and the roster keeps everything', async () => {
    const server = servers[0]!;
    const fac = await facilitatorOn(server);
    const alice = await checkedIn(server, restarts.seed.invitations[0]!, 'Alice');
    await fac.call('admit', { participantId: alice.participantId });
    await alice.client.waitFor('admitted');
    await fac.call('verify', { participantId: alice.participantId, method: 'verbal-code' });
    await fac.call('mute', { participantId: alice.participantId, kind: 'audio' });
    const bob = await checkedIn(server, restarts.seed.invitations[1]!, 'Bob');
    await fac.waitFor('knock', (d) => d.participant.participantId === bob.participantId);

    await server.close();
    await alice.client.closed;
    const restarted = await start();
    const fac2 = await facilitatorOn(restarted);
    const aliceBack = await resume(restarted.wsUrl, alice.resumeToken);
    expect(aliceBack.answer).toMatchObject({ ok: true, data: { resumed: true, state: 'waiting' } });
    const welcome = await aliceBack.client.waitFor('admitted');
    // Moderation outlives the restart: still muted.
    expect(welcome.participants.find((p) => p.participantId === alice.participantId)?.mutedByFacilitator.audio).toBe(true);
    const bobBack = await resume(restarted.wsUrl, bob.resumeToken);
    expect(bobBack.answer).toMatchObject({ ok: true, data: { state: 'waiting' } });
    await fac2.waitFor('participantUpdated', (d) => d.participant.participantId === alice.participantId && d.participant.state === 'admitted');

    const facilitator = (await restarted.store.clinicians.byUsername(restarts.seed.facilitator.username))!;
    const entry = (await restarted.rosters.roster(facilitator, restarts.seed.sessionId)).entries.find((e) => e.participantId === alice.participantId)!;
    expect(entry).toMatchObject({ displayName: 'Alice', admittedBy: facilitator.displayName, verificationMethod: 'verbal-code', reconnects: 1, status: 'present' });
    expect(await restarted.store.audit.verify()).toMatchObject({ ok: true });
    for (const c of [aliceBack.client, bobBack.client, fac2]) await c.close();
  });

  it('a crash: the next process takes the connected as dropped at their last heartbeat, and the session policy may send them to the waiting room', async () => {
    const server = servers[servers.length - 1]!;
    await server.store.sessions.update(restarts.seed.sessionId, { rejoinPolicy: 'waiting-room' });
    const fac = await facilitatorOn(server);
    const carol = await checkedIn(server, restarts.seed.invitations[2]!, 'Carol');
    await fac.call('admit', { participantId: carol.participantId });
    await carol.client.waitFor('admitted');

    // The old process is left running without a word, as if it had died: the new one
    // opens the same data directory and sees only what the old one wrote.
    const next = await start();
    const fac2 = await facilitatorOn(next);
    const back = await resume(next.wsUrl, carol.resumeToken);
    expect(back.answer).toMatchObject({ ok: true, data: { resumed: true, state: 'waiting' } });
    const knockAgain = await fac2.waitFor('knock', (d) => d.participant.participantId === carol.participantId);
    expect(knockAgain.participant.displayName).toBe('Carol');
    await new Promise((r) => setTimeout(r, 200));
    expect(back.client.notifications.map((n) => n.notification)).not.toContain('admitted');
    await fac2.call('admit', { participantId: carol.participantId });
    await back.client.waitFor('admitted');
    const kinds = (await next.store.attendance.forSession(restarts.seed.sessionId)).filter((e) => e.participantId === carol.participantId).map((e) => e.kind);
    expect(kinds).toEqual(['knock', 'admit', 'drop', 'knock', 'admit']);
    for (const c of [back.client, fac2, fac, carol.client]) await c.close();
  });
});

export type { DemoInfo };
