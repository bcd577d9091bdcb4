/**
 * Getting ready in the waiting room: a waiting client may connect a transport pair and produce,
 * but what it produces is held: announced to nobody and consumable by nobody until the client
 * is admitted, when the server announces it in the state the client set while waiting
 * (`setProducerPaused`; paused until it says otherwise, and whatever it says under a mute).
 * Real server and mediasoup worker; the client side is the protocol by hand.
 */
import { describe, expect, it } from 'vitest';
import type { RtpCapabilities } from '../../src/shared/protocol.js';
import { connectedTransport, opusRtpParameters, produceAudio, vp8RtpParameters } from './support/media.js';
import { admitted, connectClinician, knock } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import type { TestClient } from './support/wsClient.js';

const demo = sharedTestDemo(16);
const inv = (i: number) => demo.info.invitations[i]!;

/** Every connected socket has heard everything sent before this: a lock and an unlock reach them all. */
async function barrier(fac: TestClient, ...others: TestClient[]): Promise<void> {
  const seen = (c: TestClient) => c.notifications.filter((n) => n.notification === 'locked').length;
  const before = [fac, ...others].map(seen);
  await fac.call('lock', { locked: true });
  await fac.call('lock', { locked: false });
  await Promise.all([fac, ...others].map((c, i) => c.waitFor('locked', () => seen(c) >= before[i]! + 2)));
}

const heard = (c: TestClient, producerId: string): boolean =>
  c.notifications.some((n) => (n.data as { producerId?: string } | undefined)?.producerId === producerId);

async function produceHeld(client: TestClient, kind: 'audio' | 'video' = 'video'): Promise<{ transportId: string; producerId: string }> {
  const transportId = await connectedTransport(client, 'send');
  const rtpParameters = kind === 'video' ? vp8RtpParameters() : opusRtpParameters();
  const { id } = await client.call('produce', { transportId, kind, rtpParameters });
  return { transportId, producerId: String(id) };
}

function roomPeer(participantId: string) {
  return demo.server.rooms.get(demo.info.sessionId)!.peer(participantId)!;
}

describe('a waiting client getting its media ready', () => {
  it('produces a held producer: paused, unannounced and unconsumable while it waits, whatever state it sets', async () => {
    const fac = await connectClinician(demo.info);
    const caps = fac.hello.routerRtpCapabilities as RtpCapabilities;
    const member = await admitted(demo.info, inv(0), fac.client, 'Member');
    const memberRecv = await connectedTransport(member.client, 'recv');
    const newcomer = await knock(demo.info, inv(1), 'Newcomer');

    const { producerId } = await produceHeld(newcomer.client);
    expect(roomPeer(newcomer.participantId).media.ownProducer(producerId).paused).toBe(true);
    // Set to go live at admission: live on the server, and still held.
    expect(await newcomer.client.call('setProducerPaused', { producerId, paused: false })).toEqual({});
    expect(roomPeer(newcomer.participantId).media.ownProducer(producerId).paused).toBe(false);
    expect(roomPeer(newcomer.participantId).media.isHeld(producerId)).toBe(true);
    await barrier(fac.client, member.client, newcomer.client);
    expect(heard(member.client, producerId) || heard(fac.client, producerId)).toBe(false);
    // Nobody can take it, even knowing its id.
    expect(await member.client.request('consume', { transportId: memberRecv, producerId, rtpCapabilities: caps })).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
    // Nor set anything of someone else's.
    const other = await knock(demo.info, inv(2), 'Other');
    expect(await other.client.request('setProducerPaused', { producerId, paused: true })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(roomPeer(newcomer.participantId).media.ownProducer(producerId).paused).toBe(false);

    // Admitted: announced to the group at once, live, and not in what the newcomer itself is told.
    await fac.client.call('admit', { participantId: newcomer.participantId });
    const admittedData = await newcomer.client.waitFor('admitted');
    expect(admittedData.producers.some((p) => p.producerId === producerId)).toBe(false);
    expect(await member.client.waitFor('producerAdded', (d) => d.producerId === producerId)).toEqual({
      producerId,
      participantId: newcomer.participantId,
      kind: 'video',
    });
    await fac.client.waitFor('producerAdded', (d) => d.producerId === producerId);
    expect(roomPeer(newcomer.participantId).media.isHeld(producerId)).toBe(false);
    const consumed = await member.client.call('consume', { transportId: memberRecv, producerId, rtpCapabilities: caps });
    expect(consumed).toMatchObject({ producerId, kind: 'video' });
    // The page asks for the state it has once admitted: no change, nothing heard.
    expect(await newcomer.client.call('setProducerPaused', { producerId, paused: false })).toEqual({});
    // Released once: a later call is an ordinary pause, heard as such.
    await newcomer.client.call('setProducerPaused', { producerId, paused: true });
    await member.client.waitFor('producerPaused', (d) => d.producerId === producerId && d.paused);
    const about = (n: { data?: unknown }): boolean => (n.data as { producerId?: string } | undefined)?.producerId === producerId;
    expect(member.client.notifications.filter(about).map((n) => n.notification)).toEqual(['producerAdded', 'producerPaused']);
    await Promise.all([newcomer.client.close(), member.client.close(), other.client.close(), fac.client.close()]);
  });

  it('at admission the group hears of both held producers at once, right after the newcomer, each as the client left it', async () => {
    const fac = await connectClinician(demo.info);
    const member = await admitted(demo.info, inv(3), fac.client, 'Member');
    const newcomer = await knock(demo.info, inv(11), 'Newcomer');
    const video = await produceHeld(newcomer.client, 'video');
    const { id: audioId } = await newcomer.client.call('produce', { transportId: video.transportId, kind: 'audio', rtpParameters: opusRtpParameters() });
    const audio = String(audioId);
    // The microphone set live, then the camera turned off after being set live: as the person has them now.
    await newcomer.client.call('setProducerPaused', { producerId: audio, paused: false });
    await newcomer.client.call('setProducerPaused', { producerId: video.producerId, paused: false });
    await newcomer.client.call('setProducerPaused', { producerId: video.producerId, paused: true });

    const before = member.client.notifications.length;
    await fac.client.call('admit', { participantId: newcomer.participantId });
    await member.client.waitFor('producerPaused', (d) => d.producerId === video.producerId);
    await barrier(fac.client, member.client);
    const heardNow = member.client.notifications.slice(before).filter((n) => n.notification !== 'locked');
    const what = heardNow.map((n) => {
      const d = n.data as { producerId?: string; participant?: { participantId: string }; paused?: boolean };
      return d.producerId ? `${n.notification}:${d.producerId === audio ? 'audio' : 'video'}${d.paused === undefined ? '' : `:${d.paused}`}` : `${n.notification}`;
    });
    // Nothing of the newcomer's page in between: peerJoined, then both producers in a row, the
    // camera said to be paused as it is announced.
    expect(what[0]).toBe('peerJoined');
    expect(what.slice(1, 4).sort()).toEqual(['producerAdded:audio', 'producerAdded:video', 'producerPaused:video:true']);
    expect(what.indexOf('producerAdded:video')).toBeLessThan(what.indexOf('producerPaused:video:true'));
    expect(what.filter((w) => w.startsWith('producerPaused:audio'))).toEqual([]);
    const peer = roomPeer(newcomer.participantId);
    expect([peer.media.ownProducer(audio).paused, peer.media.ownProducer(video.producerId).paused]).toEqual([false, true]);
    await Promise.all([newcomer.client.close(), member.client.close(), fac.client.close()]);
  });

  it('a mute before admission holds: it pauses a held producer set live, refuses setting it live again, and it is announced paused', async () => {
    const fac = await connectClinician(demo.info);
    const member = await admitted(demo.info, inv(12), fac.client, 'Member');
    const newcomer = await knock(demo.info, inv(13), 'Newcomer');
    const { producerId } = await produceHeld(newcomer.client, 'audio');
    await newcomer.client.call('setProducerPaused', { producerId, paused: false });
    await fac.client.call('mute', { participantId: newcomer.participantId, kind: 'audio' });
    await newcomer.client.waitFor('mutedByFacilitator');
    expect(roomPeer(newcomer.participantId).media.ownProducer(producerId).paused).toBe(true);
    expect(await newcomer.client.request('setProducerPaused', { producerId, paused: false })).toMatchObject({
      error: { code: 'MUTED_BY_FACILITATOR' },
    });
    await barrier(fac.client, member.client);
    expect(heard(member.client, producerId)).toBe(false);

    await fac.client.call('admit', { participantId: newcomer.participantId });
    await newcomer.client.waitFor('admitted');
    await member.client.waitFor('producerAdded', (d) => d.producerId === producerId);
    await member.client.waitFor('producerPaused', (d) => d.producerId === producerId && d.paused);
    expect(roomPeer(newcomer.participantId).media.ownProducer(producerId).paused).toBe(true);
    expect(await newcomer.client.request('setProducerPaused', { producerId, paused: false })).toMatchObject({
      error: { code: 'MUTED_BY_FACILITATOR' },
    });
    await Promise.all([newcomer.client.close(), member.client.close(), fac.client.close()]);
  });

  it('setting a held producer live races a mute and the admission in parallel: the mute holds throughout, until it is lifted', async () => {
    const fac = await connectClinician(demo.info);
    const member = await admitted(demo.info, inv(14), fac.client, 'Member');
    const newcomer = await knock(demo.info, inv(15), 'Newcomer');
    const { producerId } = await produceHeld(newcomer.client, 'audio');
    const setLive = () => Array.from({ length: 10 }, () => newcomer.client.request('setProducerPaused', { producerId, paused: false }));
    const peer = roomPeer(newcomer.participantId);

    // While waiting: ten asks to go live, side by side with the facilitator's mute.
    const [asked] = await Promise.all([Promise.all(setLive()), fac.client.call('mute', { participantId: newcomer.participantId, kind: 'audio' })]);
    expect(asked.every((r) => r.ok || r.error.code === 'MUTED_BY_FACILITATOR')).toBe(true);
    expect([peer.media.isHeld(producerId), peer.media.ownProducer(producerId).paused]).toEqual([true, true]);

    // Admitted with ten more asks in flight: every one refused, and the group hears it paused.
    const [, again] = await Promise.all([fac.client.call('admit', { participantId: newcomer.participantId }), Promise.all(setLive())]);
    expect(again.every((r) => !r.ok && r.error.code === 'MUTED_BY_FACILITATOR')).toBe(true);
    await member.client.waitFor('producerAdded', (d) => d.producerId === producerId);
    await member.client.waitFor('producerPaused', (d) => d.producerId === producerId && d.paused);
    expect(peer.media.ownProducer(producerId).paused).toBe(true);

    // Once the facilitator allows it, the same ask is the ordinary unmute, heard by the group.
    await fac.client.call('allowUnmute', { participantId: newcomer.participantId, kind: 'audio' });
    expect(await newcomer.client.call('setProducerPaused', { producerId, paused: false })).toEqual({});
    await member.client.waitFor('producerPaused', (d) => d.producerId === producerId && !d.paused);
    await Promise.all([newcomer.client.close(), member.client.close(), fac.client.close()]);
  });

  it('a held producer that closes (denied, left, transport closed) is never heard of by anyone', async () => {
    const fac = await connectClinician(demo.info);
    const member = await admitted(demo.info, inv(4), fac.client, 'Member');

    const denied = await knock(demo.info, inv(5), 'Denied');
    const { producerId: deniedProducer } = await produceHeld(denied.client);
    await fac.client.call('deny', { participantId: denied.participantId });
    await denied.client.closed;

    const closer = await knock(demo.info, inv(5), 'Closer');
    const held = await produceHeld(closer.client, 'audio');
    expect(await closer.client.call('closeTransport', { transportId: held.transportId })).toEqual({});
    expect(() => roomPeer(closer.participantId).media.ownProducer(held.producerId)).toThrow(/no such producer/);

    await barrier(fac.client, member.client);
    for (const id of [deniedProducer, held.producerId]) {
      expect(heard(member.client, id) || heard(fac.client, id)).toBe(false);
    }
    await Promise.all([closer.client.close(), member.client.close(), fac.client.close()]);
  });

  it('a media reset reaches a waiting client who was getting ready, and only such a one', { timeout: 30_000 }, async () => {
    const fac = await connectClinician(demo.info);
    const ready = await knock(demo.info, inv(6), 'Ready');
    const idle = await knock(demo.info, inv(7), 'Idle');
    const { transportId } = await produceHeld(ready.client);
    const slot = demo.server.workers.loads().find((l) => l.routers === 1)!;
    process.kill(slot.pid, 'SIGKILL');

    const [, reset] = await Promise.all([fac.client.waitFor('mediaReset', () => true, 15_000), ready.client.waitFor('mediaReset', () => true, 15_000)]);
    expect(reset.routerRtpCapabilities.codecs?.length).toBeGreaterThan(0);
    await barrier(fac.client, ready.client, idle.client);
    expect(idle.client.notifications.some((n) => n.notification === 'mediaReset')).toBe(false);
    // The old transport went with the worker; a new one is made and held on the new router.
    expect(await ready.client.request('produce', { transportId, kind: 'video', rtpParameters: vp8RtpParameters() })).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
    const again = await produceHeld(ready.client);
    expect(roomPeer(ready.participantId).media.isHeld(again.producerId)).toBe(true);
    await Promise.all([ready.client.close(), idle.client.close(), fac.client.close()]);
  });

  it('a waiting client consumes only its own held producer, paused, and cannot resume it', async () => {
    const fac = await connectClinician(demo.info);
    const caps = fac.hello.routerRtpCapabilities as RtpCapabilities;
    const member = await admitted(demo.info, inv(9), fac.client, 'Member');
    const memberProducer = await produceAudio(member.client);
    const newcomer = await knock(demo.info, inv(10), 'Newcomer');
    const { producerId } = await produceHeld(newcomer.client);
    const recv = await connectedTransport(newcomer.client, 'recv');

    expect(await newcomer.client.request('consume', { transportId: recv, producerId: memberProducer, rtpCapabilities: caps })).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
    const own = await newcomer.client.call('consume', { transportId: recv, producerId, rtpCapabilities: caps });
    expect(own).toMatchObject({ producerId, kind: 'video' });
    expect(roomPeer(newcomer.participantId).media.ownConsumer(String(own.id)).paused).toBe(true);
    expect(await newcomer.client.request('resumeConsumer', { consumerId: own.id })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await Promise.all([newcomer.client.close(), member.client.close(), fac.client.close()]);
  });

  it('holds at most the per-peer caps while waiting', async () => {
    const client = (await knock(demo.info, inv(8), 'Greedy')).client;
    const made = await Promise.all([1, 2, 3, 4, 5, 6].map(() => client.request('createTransport', { direction: 'send' })));
    expect(made.filter((r) => r.ok)).toHaveLength(4);
    expect(made.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 'CONFLICT')).toBe(true);
    await client.close();
  });
});
