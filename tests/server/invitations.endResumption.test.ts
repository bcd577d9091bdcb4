/**
 * Re-issuing, revoking or removing a client's invitation ends every way back through the old
 * one: the old holder's resume token is refused within the grace period, whether the client
 * was connected at that moment, had already dropped, or was in the store only (the server had
 * restarted and the client had not come back yet). Otherwise the old link's holder would be
 * readmitted without a knock, past a lock, after the clinic had taken the link away.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FAST_SCRYPT } from './support/api.js';
import { signIn } from './support/signIn.js';
import { AGREEMENT_VERSION_OF, connectClinician } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { clinicianHello } from '../support/clinicianHello.js';
import { TestClient } from './support/wsClient.js';
import { serverRestarts } from './support/serverRestarts.js';

interface Holder {
  client: TestClient;
  participantId: string;
  resumeToken: string;
}

/** A client through hello and check-in, keeping the resume token its hello answered with. */
async function checkedIn(wsUrl: string, invitation: { token: string; passcode: string }, displayName: string): Promise<Holder> {
  const client = await TestClient.connect(wsUrl);
  const hello = await client.call('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
  await client.call('checkIn', { displayName, agreementVersion: AGREEMENT_VERSION_OF(hello), media: { audio: true, video: false } });
  return { client, participantId: String(hello.participantId), resumeToken: String(hello.resumeToken) };
}

/** The old holder tries to come back with its resume token; returns the answer. */
async function tryResume(wsUrl: string, resumeToken: string) {
  const client = await TestClient.connect(wsUrl);
  const answer = await client.request('hello', { as: 'resume', resumeToken });
  await client.close();
  return answer;
}

type Change = 'reissue' | 'revoke' | 'remove';

describe('a changed invitation cannot be resumed', () => {
  // A long grace period: every resume below is well within it.
  const demo = sharedTestDemo(8, { reconnectGraceSeconds: 300 });
  let next = 0;

  const facilitatorAccount = async () => (await demo.server.store.clinicians.byUsername(demo.info.facilitator.username))!;
  const invitationOf = async (participantId: string) => (await demo.server.store.invitations.byParticipantId(demo.info.sessionId, participantId))!;

  /** An admitted client in a locked room; `change` is made by the facilitator, then the old holder tries to resume. */
  async function changedWhile(change: Change, dropFirst: boolean) {
    const fac = await connectClinician(demo.info);
    const holder = await checkedIn(demo.info.wsUrl, demo.info.invitations[next++]!, 'Alice');
    await fac.client.call('admit', { participantId: holder.participantId });
    await holder.client.waitFor('admitted');
    await fac.client.call('lock', { locked: true });
    try {
      if (dropFirst) {
        holder.client.socket.terminate();
        await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === holder.participantId && d.participant.connection === 'reconnecting');
      }
      const invitation = await invitationOf(holder.participantId);
      if (change === 'reissue') await demo.server.invitations.reissue(await facilitatorAccount(), invitation.id);
      else if (change === 'revoke') await demo.server.invitations.revoke(await facilitatorAccount(), invitation.id);
      else await fac.client.call('remove', { participantId: holder.participantId, reason: 'test' });
      await holder.client.closed;
      const answer = await tryResume(demo.info.wsUrl, holder.resumeToken);
      const inRoom = demo.server.rooms.get(demo.info.sessionId)?.hasPeer(holder.participantId) ?? false;
      // Clinicians stop seeing the client: nobody is coming back on that link.
      const left = fac.client.notifications.some((n) => n.notification === 'participantLeft' && n.data.participantId === holder.participantId);
      return { answer, inRoom, left };
    } finally {
      await fac.client.call('lock', { locked: false });
      await fac.client.close();
    }
  }

  for (const change of ['reissue', 'revoke', 'remove'] as const) {
    it(`${change} while the client is connected: the old resume token is refused, even within the grace period`, async () => {
      const { answer, inRoom, left } = await changedWhile(change, false);
      expect(answer.ok).toBe(false);
      expect(left).toBe(true);
      expect(answer.ok ? null : answer.error.code).toMatch(/^(UNAUTHENTICATED|REMOVED)$/);
      expect(inRoom).toBe(false);
    });

    it(`${change} while the client is reconnecting: the old resume token is refused`, async () => {
      const { answer, inRoom, left } = await changedWhile(change, true);
      expect(answer.ok).toBe(false);
      expect(left).toBe(true);
      expect(inRoom).toBe(false);
    });
  }

  it('re-issue answers the old resume token exactly like an unknown one', async () => {
    const { answer } = await changedWhile('reissue', false);
    const unknown = await tryResume(demo.info.wsUrl, randomBytes(32).toString('base64url'));
    expect(answer).toMatchObject({ ok: false, error: unknown.ok ? {} : unknown.error });
  });
});

describe('a changed invitation cannot be resumed after a restart', () => {
  const restarts = serverRestarts({ tmpPrefix: 'confidant-endresume-', invitations: 3, config: { reconnectGraceSeconds: 300 }, start: { scrypt: FAST_SCRYPT } });
  const { servers, start } = restarts;

  it('re-issued while only the store knew the client: the old holder is refused, no room lets them in', async () => {
    const first = servers[0]!;
    const { username, password, totpSecret } = restarts.seed.facilitator;
    const token = await signIn(first.httpUrl, username, password, totpSecret!);
    const fac = await TestClient.connect(first.wsUrl);
    await fac.call('hello', await clinicianHello(first.httpUrl, token, restarts.seed.sessionId));
    const holder = await checkedIn(first.wsUrl, restarts.seed.invitations[0]!, 'Alice');
    await fac.call('admit', { participantId: holder.participantId });
    await holder.client.waitFor('admitted');

    // A graceful restart keeps the client's place; before they come back, the link is re-issued.
    await first.close();
    await holder.client.closed;
    const restarted = await start();
    const facilitator = (await restarted.store.clinicians.byUsername(username))!;
    const invitation = (await restarted.store.invitations.byParticipantId(restarts.seed.sessionId, holder.participantId))!;
    await restarted.invitations.reissue(facilitator, invitation.id);

    const answer = await tryResume(restarted.wsUrl, holder.resumeToken);
    expect(answer).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(restarted.rooms.get(restarts.seed.sessionId)?.hasPeer(holder.participantId) ?? false).toBe(false);
  });

  it('revoked while only the store knew the client: refused too', async () => {
    const server = servers[servers.length - 1]!;
    const holder = await checkedIn(server.wsUrl, restarts.seed.invitations[1]!, 'Bob');
    await server.close();
    await holder.client.closed;
    const restarted = await start();
    const facilitator = (await restarted.store.clinicians.byUsername(restarts.seed.facilitator.username))!;
    const invitation = (await restarted.store.invitations.byParticipantId(restarts.seed.sessionId, holder.participantId))!;
    await restarted.invitations.revoke(facilitator, invitation.id);
    const answer = await tryResume(restarted.wsUrl, holder.resumeToken);
    expect(answer.ok).toBe(false);
    expect(restarted.rooms.get(restarts.seed.sessionId)?.hasPeer(holder.participantId) ?? false).toBe(false);
  });
});
