/**
 * Moderation against the real server and a real mediasoup worker: the server enforces
 * every decision itself, whatever a console or page would do.
 */
import { describe, expect, it } from 'vitest';
import { admitted, connectClinician, knock } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { produceAudio } from './support/media.js';
import { TestClient } from './support/wsClient.js';

const demo = sharedTestDemo(19);
const inv = (i: number) => demo.info.invitations[i]!;

/** The server's own producer object: the truth about whether media is paused. */
function serverProducer(participantId: string, producerId: string) {
  return demo.server.rooms.get(demo.info.sessionId)?.peer(participantId)?.media.producer(producerId);
}

async function facilitatorAccountId(): Promise<string> {
  return (await demo.server.store.clinicians.byUsername(demo.info.facilitator.username))!.id;
}

async function closeAll(...clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

describe('mute', () => {
  it('pauses the producer on the server; the client cannot unpause until allowUnmute, which resumes nothing', async () => {
    const fac = await connectClinician(demo.info);
    const alice = await admitted(demo.info, inv(0), fac.client, 'Alice');
    const bob = await admitted(demo.info, inv(1), fac.client, 'Bob');
    const producerId = await produceAudio(alice.client);
    await bob.client.waitFor('producerAdded', (d) => d.producerId === producerId);

    expect(await fac.client.call('mute', { participantId: alice.participantId, kind: 'audio' })).toEqual({});
    expect(await alice.client.waitFor('mutedByFacilitator')).toEqual({ kind: 'audio' });
    await bob.client.waitFor('producerPaused', (d) => d.producerId === producerId && d.paused);
    expect(serverProducer(alice.participantId, producerId)?.paused).toBe(true);
    const update = await fac.client.waitFor('participantUpdated', (d) => d.participant.mutedByFacilitator.audio);
    expect(update.participant.participantId).toBe(alice.participantId);
    expect(await fac.client.request('mute', { participantId: alice.participantId, kind: 'audio' })).toMatchObject({
      error: { code: 'CONFLICT' },
    });

    // Pausing is always allowed; unpausing is not.
    expect(await alice.client.call('setProducerPaused', { producerId, paused: true })).toEqual({});
    expect(await alice.client.request('setProducerPaused', { producerId, paused: false })).toMatchObject({
      error: { code: 'MUTED_BY_FACILITATOR' },
    });
    expect(serverProducer(alice.participantId, producerId)?.paused).toBe(true);

    expect(await fac.client.call('allowUnmute', { participantId: alice.participantId, kind: 'audio' })).toEqual({});
    expect(await alice.client.waitFor('unmuteAllowed')).toEqual({ kind: 'audio' });
    // A facilitator never turns anyone's microphone on: it is still paused.
    expect(serverProducer(alice.participantId, producerId)?.paused).toBe(true);
    expect(await alice.client.call('setProducerPaused', { producerId, paused: false })).toEqual({});
    expect(serverProducer(alice.participantId, producerId)?.paused).toBe(false);
    await bob.client.waitFor('producerPaused', (d) => d.producerId === producerId && !d.paused);
    expect(await fac.client.request('allowUnmute', { participantId: alice.participantId, kind: 'audio' })).toMatchObject({
      error: { code: 'CONFLICT' },
    });
    await closeAll(alice.client, bob.client, fac.client);
  });

  it('holds before the client produces: a later producer of that kind is born paused and announced paused', async () => {
    const fac = await connectClinician(demo.info);
    const carol = await admitted(demo.info, inv(2), fac.client, 'Carol');
    await fac.client.call('mute', { participantId: carol.participantId, kind: 'audio' });
    const producerId = await produceAudio(carol.client);
    expect(serverProducer(carol.participantId, producerId)?.paused).toBe(true);
    await fac.client.waitFor('producerAdded', (d) => d.producerId === producerId);
    await fac.client.waitFor('producerPaused', (d) => d.producerId === producerId && d.paused);
    expect(await carol.client.request('setProducerPaused', { producerId, paused: false })).toMatchObject({
      error: { code: 'MUTED_BY_FACILITATOR' },
    });
    await closeAll(carol.client, fac.client);
  });

  it('muteAll mutes every admitted client and spares facilitators and waiting clients', async () => {
    const fac = await connectClinician(demo.info);
    const dana = await admitted(demo.info, inv(3), fac.client, 'Dana');
    const eli = await admitted(demo.info, inv(4), fac.client, 'Eli');
    const waiting = await knock(demo.info, inv(5), 'Fay');
    const facProducer = await produceAudio(fac.client);
    const danaProducer = await produceAudio(dana.client);

    const result = await fac.client.call('muteAll', { kind: 'audio' });
    expect((result.participantIds as string[]).sort()).toEqual([dana.participantId, eli.participantId].sort());
    await dana.client.waitFor('mutedByFacilitator');
    await eli.client.waitFor('mutedByFacilitator');
    expect(serverProducer(dana.participantId, danaProducer)?.paused).toBe(true);
    expect(serverProducer(String(fac.hello.participantId), facProducer)?.paused).toBe(false);
    expect(fac.client.notifications.map((n) => n.notification)).not.toContain('mutedByFacilitator');
    expect(waiting.client.notifications.map((n) => n.notification)).not.toContain('mutedByFacilitator');
    // Everyone is muted already: a second muteAll mutes nobody.
    expect(await fac.client.call('muteAll', { kind: 'audio' })).toEqual({ participantIds: [] });
    await closeAll(dana.client, eli.client, waiting.client, fac.client);
  });

  it('admitAll admits every waiting client in knock order, each admission on the audit log', async () => {
    const fac = await connectClinician(demo.info);
    const knocked = [];
    for (const [i, name] of [[16, 'Dana'], [17, 'Eli'], [18, 'Fay']] as const) knocked.push(await knock(demo.info, inv(i), name));
    const ids = knocked.map((k) => k.participantId);
    const participantIds = (await fac.client.call('admitAll', {})).participantIds as string[];
    expect(participantIds.filter((id) => ids.includes(id))).toEqual(ids);
    for (const k of knocked) await k.client.waitFor('admitted');
    const entries = await demo.server.store.audit.list({ sessionId: demo.info.sessionId });
    const admissions = entries.filter((e) => e.event === 'client.admitted' && e.detail === 'admit-all' && ids.includes(e.subjectId ?? ''));
    expect(admissions.map((e) => e.subjectId)).toEqual(ids);
    const facilitator = await facilitatorAccountId();
    expect(admissions.every((e) => e.actorId === facilitator)).toBe(true);
    await closeAll(...knocked.map((k) => k.client), fac.client);
  });

  it('a waiting client can be muted ahead of admission; clinicians cannot be muted at all', async () => {
    const fac = await connectClinician(demo.info);
    const gus = await knock(demo.info, inv(6), 'Gus');
    expect(await fac.client.call('mute', { participantId: gus.participantId, kind: 'video' })).toEqual({});
    await gus.client.waitFor('mutedByFacilitator');
    const sup = await connectClinician(demo.info, 'supervisor');
    const self = String(fac.hello.participantId);
    expect(await fac.client.request('mute', { participantId: self, kind: 'audio' })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await fac.client.request('mute', { participantId: String(sup.hello.participantId), kind: 'audio' })).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
    await closeAll(gus.client, sup.client, fac.client);
  });
});

describe('verify', () => {
  it('marks a client verified; clinicians see the method, peers only `verified`; it is recorded', async () => {
    const fac = await connectClinician(demo.info);
    const hal = await admitted(demo.info, inv(7), fac.client, 'Hal');
    const ivy = await knock(demo.info, inv(8), 'Ivy');
    expect(await fac.client.call('verify', { participantId: ivy.participantId, method: 'photo-id' })).toEqual({});
    const update = await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === ivy.participantId && d.participant.verified);
    expect(update.participant.verificationMethod).toBe('photo-id');

    await fac.client.call('admit', { participantId: ivy.participantId });
    const joined = await hal.client.waitFor('peerJoined', (d) => d.participant.participantId === ivy.participantId);
    expect(joined.participant.verified).toBe(true);
    expect('verificationMethod' in joined.participant).toBe(false);

    expect(await demo.server.store.moderation.verifications(demo.info.sessionId)).toEqual([
      expect.objectContaining({ participantId: ivy.participantId, method: 'photo-id', verifiedBy: await facilitatorAccountId() }),
    ]);
    expect(await fac.client.request('verify', { participantId: 'p-nobody', method: 'verbal-code' })).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
    await closeAll(hal.client, ivy.client, fac.client);
  });
});

describe('returnToWaiting', () => {
  it('closes the client’s media, keeps its socket, and lets it be admitted again', async () => {
    const fac = await connectClinician(demo.info);
    const jo = await admitted(demo.info, inv(9), fac.client, 'Jo');
    const kai = await admitted(demo.info, inv(10), fac.client, 'Kai');
    const producerId = await produceAudio(jo.client);

    expect(await fac.client.call('returnToWaiting', { participantId: jo.participantId })).toEqual({});
    await jo.client.waitFor('returnedToWaiting');
    await kai.client.waitFor('producerClosed', (d) => d.producerId === producerId);
    await kai.client.waitFor('peerLeft', (d) => d.participantId === jo.participantId);
    await fac.client.waitFor('participantUpdated', (d) => d.participant.participantId === jo.participantId && d.participant.state === 'waiting');
    expect(jo.client.isOpen).toBe(true);
    expect(demo.server.rooms.get(demo.info.sessionId)?.peer(jo.participantId)?.media.listProducers()).toEqual([]);
    // Back in the waiting room, the producer it had in the group is gone with its place there.
    expect(await jo.client.request('setProducerPaused', { producerId, paused: false })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await fac.client.request('returnToWaiting', { participantId: jo.participantId })).toMatchObject({
      error: { code: 'CONFLICT' },
    });

    await fac.client.call('admit', { participantId: jo.participantId });
    await jo.client.waitFor('admitted', () => jo.client.notifications.filter((n) => n.notification === 'admitted').length === 2);
    expect(await produceAudio(jo.client)).toEqual(expect.any(String));
    await closeAll(jo.client, kai.client, fac.client);
  });
});

describe('remove', () => {
  it('tells the client, closes its socket and media, revokes the invitation and records who and why', async () => {
    const fac = await connectClinician(demo.info);
    const lee = await admitted(demo.info, inv(11), fac.client, 'Lee');
    const mo = await admitted(demo.info, inv(12), fac.client, 'Mo');
    const producerId = await produceAudio(lee.client);

    expect(await fac.client.call('remove', { participantId: lee.participantId, reason: 'abusive language' })).toEqual({});
    await lee.client.waitFor('removed');
    await lee.client.closed;
    await mo.client.waitFor('producerClosed', (d) => d.producerId === producerId);
    await mo.client.waitFor('peerLeft', (d) => d.participantId === lee.participantId);
    await fac.client.waitFor('participantLeft', (d) => d.participantId === lee.participantId);

    const back = await TestClient.connect(demo.info.wsUrl);
    expect(await back.request('hello', { as: 'participant', invite: inv(11).token, passcode: inv(11).passcode })).toMatchObject({
      error: { code: 'REMOVED' },
    });
    expect(await demo.server.store.moderation.removals(demo.info.sessionId)).toEqual([
      expect.objectContaining({ participantId: lee.participantId, removedBy: await facilitatorAccountId(), reason: 'abusive language' }),
    ]);
    expect(await fac.client.request('remove', { participantId: lee.participantId, reason: 'again' })).toMatchObject({
      error: { code: 'CONFLICT' },
    });
    expect(await fac.client.request('remove', { participantId: 'p-nobody', reason: 'x' })).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
    await closeAll(back, mo.client, fac.client);
  });
});

describe('messages', () => {
  it('relay client → facilitators (not observers) and facilitator → a waiting or admitted client', async () => {
    const fac = await connectClinician(demo.info);
    const sup = await connectClinician(demo.info, 'supervisor');
    const ned = await admitted(demo.info, inv(13), fac.client, 'Ned');
    const ola = await knock(demo.info, inv(14), 'Ola');

    expect(await ned.client.call('message', { to: 'facilitator', text: '  can we talk after?  ' })).toEqual({});
    expect(await fac.client.waitFor('message')).toEqual({ from: ned.participantId, text: 'can we talk after?' });
    expect(await fac.client.call('message', { to: ola.participantId, text: 'one minute' })).toEqual({});
    expect(await ola.client.waitFor('message')).toEqual({ from: 'facilitator', text: 'one minute' });

    expect(await ned.client.request('message', { to: ola.participantId, text: 'hi' })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(await fac.client.request('message', { to: 'facilitator', text: 'hi' })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(await fac.client.request('message', { to: 'p-nobody', text: 'hi' })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await sup.client.request('message', { to: ned.participantId, text: 'hi' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(sup.client.notifications.some((n) => n.notification === 'message')).toBe(false);
    expect(ned.client.notifications.some((n) => n.notification === 'message')).toBe(false);
    await closeAll(ned.client, ola.client, sup.client, fac.client);
  });
});

describe('crisisInfo', () => {
  it('returns what the client gave at check-in and records the look, never the content', async () => {
    const fac = await connectClinician(demo.info);
    const client = await TestClient.connect(demo.info.wsUrl);
    const hello = await client.call('hello', { as: 'participant', invite: inv(15).token, passcode: inv(15).passcode });
    await client.call('checkIn', {
      displayName: 'Pat',
      agreementVersion: (hello.agreement as { version: string }).version,
      media: { audio: true, video: false },
      location: 'Flat 3, 9 Birch Rd',
    });
    const participantId = String(hello.participantId);
    expect(await fac.client.call('crisisInfo', { participantId })).toEqual({ location: 'Flat 3, 9 Birch Rd', emergencyContact: null });
    const views = await demo.server.store.moderation.crisisInfoViews(demo.info.sessionId);
    expect(views).toEqual([expect.objectContaining({ participantId, viewedBy: await facilitatorAccountId() })]);
    expect(JSON.stringify(views)).not.toContain('Birch');
    expect(await fac.client.request('crisisInfo', { participantId: 'p-nobody' })).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const sup = await connectClinician(demo.info, 'supervisor');
    expect(await sup.client.request('crisisInfo', { participantId })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await closeAll(client, sup.client, fac.client);
  });
});

describe('observers', () => {
  it('are FORBIDDEN every moderation method, even with valid targets, and nothing happens', async () => {
    const fac = await connectClinician(demo.info);
    const sup = await connectClinician(demo.info, 'supervisor');
    const rue = await admitted(demo.info, inv(5), fac.client, 'Rue');
    const target = { participantId: rue.participantId };
    const calls: [string, unknown][] = [
      ['admitAll', {}], ['verify', { ...target, method: 'photo-id' }], ['mute', { ...target, kind: 'audio' }],
      ['muteAll', { kind: 'audio' }], ['allowUnmute', { ...target, kind: 'audio' }], ['remove', { ...target, reason: 'x' }],
      ['returnToWaiting', target], ['lock', { locked: true }], ['end', {}], ['crisisInfo', target], ['admit', target],
      ['deny', target], ['message', { to: rue.participantId, text: 'hi' }],
    ];
    for (const [method, data] of calls) {
      expect(await sup.client.request(method, data), method).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect(rue.client.isOpen).toBe(true);
    expect(rue.client.notifications.map((n) => n.notification)).not.toContain('mutedByFacilitator');
    await closeAll(rue.client, sup.client, fac.client);
  });
});
