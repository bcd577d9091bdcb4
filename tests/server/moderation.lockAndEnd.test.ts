/**
 * Locking the room and ending the session. Lock state lives with the live room; ending is
 * recorded in the store, so it outlives the room and every later hello meets it.
 */
import { describe, expect, it } from 'vitest';
import { SessionList } from '../../src/shared/protocol.js';
import { produceAudio } from './support/media.js';
import { retryWhileConflict } from './support/retry.js';
import { admitted, AGREEMENT_VERSION_OF, connectClinician, connectParticipant, knock, login } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { clinicianHello } from '../support/clinicianHello.js';
import { TestClient } from './support/wsClient.js';

const demo = sharedTestDemo(8);
const inv = (i: number) => demo.info.invitations[i]!;

async function helloCode(i: number): Promise<string> {
  const c = await TestClient.connect(demo.info.wsUrl);
  const r = await c.request('hello', { as: 'participant', invite: inv(i).token, passcode: inv(i).passcode });
  await c.close();
  return r.ok ? 'ok' : r.error.code;
}

/** A client back after a dropped connection: hello and check-in again. */
async function comeBack(i: number): Promise<{ client: TestClient; checkIn: Record<string, unknown> }> {
  const { client, hello } = await retryWhileConflict(() => connectParticipant(demo.info, inv(i)));
  const checkIn = await client.call('checkIn', {
    displayName: 'Back',
    agreementVersion: AGREEMENT_VERSION_OF(hello),
    media: { audio: true, video: false },
  });
  return { client, checkIn };
}

describe('lock', () => {
  it('refuses newcomers, keeps waiting clients waiting, and lets a dropped client straight back in', async () => {
    const fac = await connectClinician(demo.info);
    const alice = await admitted(demo.info, inv(0), fac.client, 'Alice');
    const wren = await knock(demo.info, inv(1), 'Wren');

    expect(await fac.client.call('lock', { locked: true })).toEqual({});
    expect(await alice.client.waitFor('locked')).toEqual({ locked: true });
    expect(await wren.client.waitFor('locked')).toEqual({ locked: true });
    expect(await fac.client.waitFor('locked')).toEqual({ locked: true });
    const sup = await connectClinician(demo.info, 'supervisor');
    expect(sup.hello.locked).toBe(true);

    expect(await helloCode(2)).toBe('ROOM_LOCKED');
    // A waiting client stays waiting: the lock is no admission.
    expect(wren.client.notifications.map((n) => n.notification)).not.toContain('admitted');

    // Alice drops; she was admitted before, so she gets past the lock and is admitted at check-in.
    await fac.client.call('mute', { participantId: alice.participantId, kind: 'audio' });
    await alice.client.close();
    // A dropped socket: clinicians see them reconnecting for the grace period, not gone.
    await fac.client.waitFor(
      'participantUpdated',
      (d) => d.participant.participantId === alice.participantId && d.participant.connection === 'reconnecting',
    );
    const back = await comeBack(0);
    expect(back.checkIn.state).toBe('waiting');
    const welcome = await back.client.waitFor('admitted');
    expect(welcome.locked).toBe(true);
    // Moderation survives the drop: she is still muted, and a new producer is born paused.
    expect(welcome.participants.find((p) => p.participantId === alice.participantId)?.mutedByFacilitator.audio).toBe(true);
    const producerId = await produceAudio(back.client);
    expect(await back.client.request('setProducerPaused', { producerId, paused: false })).toMatchObject({
      error: { code: 'MUTED_BY_FACILITATOR' },
    });
    await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === alice.participantId && d.participant.state === 'admitted');

    expect(await fac.client.call('lock', { locked: false })).toEqual({});
    await wren.client.waitFor('locked', (d) => !d.locked);
    expect(await helloCode(2)).toBe('ok');
    await Promise.all([back.client.close(), wren.client.close(), sup.client.close(), fac.client.close()]);
  });

  it('a client sent back to the waiting room who drops gets past the lock but knocks again', async () => {
    const fac = await connectClinician(demo.info);
    const jo = await admitted(demo.info, inv(3), fac.client, 'Jo');
    await fac.client.call('returnToWaiting', { participantId: jo.participantId });
    await fac.client.call('lock', { locked: true });
    await jo.client.close();
    await fac.client.waitFor(
      'participantUpdated',
      (d) => d.participant.participantId === jo.participantId && d.participant.connection === 'reconnecting',
    );

    const back = await comeBack(3);
    await fac.client.waitFor('knock', (d) => d.participant.participantId === jo.participantId);
    await new Promise((r) => setTimeout(r, 100));
    expect(back.client.notifications.map((n) => n.notification)).not.toContain('admitted');
    await Promise.all([back.client.close(), fac.client.close()]);
  });
});

describe('end', () => {
  it('tells everyone, closes every socket and transport, and records the session as ended', async () => {
    const fac = await connectClinician(demo.info);
    // Clients of the tests above are still within their grace period, so the room (and its
    // lock) is still there.
    await fac.client.call('lock', { locked: false });
    const sup = await connectClinician(demo.info, 'supervisor');
    const ana = await admitted(demo.info, inv(4), fac.client, 'Ana');
    const ben = await knock(demo.info, inv(5), 'Ben');
    const cy = await connectParticipant(demo.info, inv(6));
    await produceAudio(ana.client);

    expect(await fac.client.call('end', {})).toEqual({});
    for (const c of [fac.client, sup.client, ana.client, ben.client, cy.client]) {
      await c.waitFor('sessionEnded');
      await c.closed;
    }
    expect(demo.server.rooms.size).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(demo.server.workers.loads().every((l) => l.routers === 0)).toBe(true);

    expect(await helloCode(4)).toBe('SESSION_ENDED');
    expect(await helloCode(7)).toBe('SESSION_ENDED');
    const late = await TestClient.connect(demo.info.wsUrl);
    const token = await login(demo.info);
    expect(await late.request('hello', await clinicianHello(demo.info.httpUrl, token, demo.info.sessionId))).toMatchObject({
      error: { code: 'SESSION_ENDED' },
    });
    await late.close();

    const res = await fetch(`${demo.info.httpUrl}/api/sessions`, { headers: { authorization: `Bearer ${token}` } });
    const sessions = SessionList.parse(await res.json());
    expect(sessions.find((s) => s.id === demo.info.sessionId)?.state).toBe('ended');
    expect((await demo.server.store.invitations.bySession(demo.info.sessionId)).every((i) => i.expiredAt !== null)).toBe(true);
  });
});
