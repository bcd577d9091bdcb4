/**
 * Media negotiation at the protocol level against a real mediasoup worker: transports,
 * DTLS parameters, a producer with browser-like RTP parameters, and a paused consumer on
 * another peer that resumes. No packets flow (that is the end-to-end tests' job).
 */
import { describe, expect, it } from 'vitest';
import type { RtpCapabilities } from '../../src/shared/protocol.js';
import { fingerprint, opusRtpParameters, vp8RtpParameters } from './support/media.js';
import { KEY_FRAME_INTERVAL_MS } from '../../src/server/media/peerMedia.js';
import { admitted, connectClinician } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import type { TestClient } from './support/wsClient.js';

const demo = sharedTestDemo(5, { reconnectGraceSeconds: 5 });

async function transport(client: TestClient, direction: 'send' | 'recv'): Promise<string> {
  const t = await client.call('createTransport', { direction });
  expect(t).toMatchObject({ id: expect.any(String), iceParameters: expect.any(Object), dtlsParameters: { fingerprints: expect.any(Array) } });
  const candidates = t.iceCandidates as { ip: string; protocol: string }[];
  expect(candidates.every((c) => c.ip === '127.0.0.1')).toBe(true);
  expect(new Set(candidates.map((c) => c.protocol))).toEqual(new Set(['udp', 'tcp']));
  expect(await client.call('connectTransport', { transportId: t.id, dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: fingerprint() }] } })).toEqual({});
  return String(t.id);
}

describe('media negotiation', () => {
  it('produce on one peer, consume paused on another, resume; ownership is enforced', async () => {
    const fac = await connectClinician(demo.info);
    const caps = fac.hello.routerRtpCapabilities as RtpCapabilities;
    const alice = await admitted(demo.info, demo.info.invitations[0]!, fac.client, 'Alice');
    const bob = await admitted(demo.info, demo.info.invitations[1]!, fac.client, 'Bob');

    const aliceSend = await transport(alice.client, 'send');
    const produced = await alice.client.call('produce', { transportId: aliceSend, kind: 'audio', rtpParameters: opusRtpParameters() });
    const producerId = String(produced.id);
    const added = await bob.client.waitFor('producerAdded', (d) => d.producerId === producerId);
    expect(added).toEqual({ producerId, participantId: alice.participantId, kind: 'audio' });
    await fac.client.waitFor('producerAdded', (d) => d.producerId === producerId);
    expect(alice.client.notifications.some((n) => n.notification === 'producerAdded')).toBe(false);

    const bobRecv = await transport(bob.client, 'recv');
    const bobSend = await transport(bob.client, 'send');
    // consume needs the caller's own receive transport
    expect(await bob.client.request('consume', { transportId: bobSend, producerId, rtpCapabilities: caps })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(await bob.client.request('consume', { transportId: aliceSend, producerId, rtpCapabilities: caps })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await bob.client.request('consume', { transportId: bobRecv, producerId: 'nope', rtpCapabilities: caps })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await bob.client.request('consume', { transportId: bobRecv, producerId, rtpCapabilities: { codecs: [] } })).toMatchObject({ error: { code: 'BAD_REQUEST' } });

    const consumed = await bob.client.call('consume', { transportId: bobRecv, producerId, rtpCapabilities: caps });
    expect(consumed).toMatchObject({ id: expect.any(String), producerId, kind: 'audio' });
    expect((consumed.rtpParameters as { codecs: { mimeType: string }[] }).codecs[0]?.mimeType).toBe('audio/opus');
    expect(await alice.client.request('resumeConsumer', { consumerId: consumed.id })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await bob.client.call('resumeConsumer', { consumerId: consumed.id })).toEqual({});

    // An observer may receive too.
    const sup = await connectClinician(demo.info, 'supervisor');
    const supRecv = await transport(sup.client, 'recv');
    expect(await sup.client.call('consume', { transportId: supRecv, producerId, rtpCapabilities: caps })).toMatchObject({ producerId });
    expect(await sup.client.call('restartIce', { transportId: supRecv })).toMatchObject({ iceParameters: { usernameFragment: expect.any(String) } });

    // Self-mute is for one's own producer only.
    expect(await bob.client.request('setProducerPaused', { producerId, paused: true })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await alice.client.call('setProducerPaused', { producerId, paused: true })).toEqual({});
    expect(await bob.client.waitFor('producerPaused', (d) => d.producerId === producerId)).toEqual({ producerId, paused: true });

    // Bad parameters are BAD_REQUEST with a safe message.
    const bad = await alice.client.request('produce', { transportId: aliceSend, kind: 'video', rtpParameters: { codecs: [{ mimeType: 'video/NOPE', payloadType: 96 }] } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    // Leaving closes the producer for everyone admitted.
    await alice.client.close();
    await bob.client.waitFor('producerClosed', (d) => d.producerId === producerId);
    await bob.client.waitFor('peerLeft', (d) => d.participantId === alice.participantId);
    await sup.client.waitFor('producerClosed', (d) => d.producerId === producerId);

    await sup.client.close();
    await bob.client.close();
    await fac.client.close();
  });

  it('closeTransport closes one of the caller’s transports with its producers and consumers, and frees its place', async () => {
    const fac = await connectClinician(demo.info);
    const caps = fac.hello.routerRtpCapabilities as RtpCapabilities;
    const carol = await admitted(demo.info, demo.info.invitations[2]!, fac.client, 'Carol');
    const dan = await admitted(demo.info, demo.info.invitations[3]!, fac.client, 'Dan');

    const carolSend = await transport(carol.client, 'send');
    const producerId = String((await carol.client.call('produce', { transportId: carolSend, kind: 'audio', rtpParameters: opusRtpParameters() })).id);
    const danRecv = await transport(dan.client, 'recv');
    const consumerId = String((await dan.client.call('consume', { transportId: danRecv, producerId, rtpCapabilities: caps })).id);
    const consumersBefore = demo.server.workers.loads().reduce((n, l) => n + l.consumers, 0);

    // Someone else's transport, or one that does not exist, is not the caller's to close.
    expect(await dan.client.request('closeTransport', { transportId: carolSend })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await carol.client.request('closeTransport', { transportId: 'nope' })).toMatchObject({ error: { code: 'NOT_FOUND' } });

    expect(await carol.client.call('closeTransport', { transportId: carolSend })).toEqual({});
    // Everyone admitted hears the producer is gone, and its consumer on Dan's side went with it.
    await dan.client.waitFor('producerClosed', (d) => d.producerId === producerId);
    await fac.client.waitFor('producerClosed', (d) => d.producerId === producerId);
    expect(await dan.client.request('resumeConsumer', { consumerId })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    // The worker's word that the consumer closed follows the producer's own close by a moment.
    const consumers = () => demo.server.workers.loads().reduce((n, l) => n + l.consumers, 0);
    for (const deadline = Date.now() + 5_000; consumers() !== consumersBefore - 1 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(consumers()).toBe(consumersBefore - 1);
    expect(await carol.client.request('produce', { transportId: carolSend, kind: 'audio', rtpParameters: opusRtpParameters() })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await carol.client.request('closeTransport', { transportId: carolSend })).toMatchObject({ error: { code: 'NOT_FOUND' } });

    // Four transports at most at a time; a closed one no longer counts.
    for (let i = 0; i < 4; i++) await carol.client.call('createTransport', { direction: 'send' });
    expect(await carol.client.request('createTransport', { direction: 'send' })).toMatchObject({ error: { code: 'CONFLICT' } });
    const extra = await dan.client.call('createTransport', { direction: 'recv' });
    expect(await dan.client.call('closeTransport', { transportId: String(extra.id) })).toEqual({});
    expect(await dan.client.call('closeTransport', { transportId: danRecv })).toEqual({});
    for (let i = 0; i < 4; i++) await dan.client.call('createTransport', { direction: 'recv' });

    for (const c of [carol.client, dan.client, fac.client]) await c.close();
  });

  it('requestKeyFrame reaches the sender of the caller’s own video consumer, at most once a second; not another’s, not audio', async () => {
    const fac = await connectClinician(demo.info);
    const caps = fac.hello.routerRtpCapabilities as RtpCapabilities;
    const alice = await admitted(demo.info, demo.info.invitations[4]!, fac.client, 'Alice');
    const aliceSend = await transport(alice.client, 'send');
    const video = String((await alice.client.call('produce', { transportId: aliceSend, kind: 'video', rtpParameters: vp8RtpParameters() })).id);
    const audio = String((await alice.client.call('produce', { transportId: aliceSend, kind: 'audio', rtpParameters: opusRtpParameters() })).id);
    const facRecv = await transport(fac.client, 'recv');
    const videoConsumer = String((await fac.client.call('consume', { transportId: facRecv, producerId: video, rtpCapabilities: caps })).id);
    const audioConsumer = String((await fac.client.call('consume', { transportId: facRecv, producerId: audio, rtpCapabilities: caps })).id);
    await fac.client.call('resumeConsumer', { consumerId: videoConsumer });

    expect(await fac.client.call('requestKeyFrame', { consumerId: videoConsumer })).toEqual({});
    expect(await alice.client.request('requestKeyFrame', { consumerId: videoConsumer })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await fac.client.request('requestKeyFrame', { consumerId: 'nope' })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await fac.client.call('requestKeyFrame', { consumerId: audioConsumer })).toEqual({});

    // What reached the sender, from the consumer's own side: one per interval.
    const peer = demo.server.rooms.get(demo.info.sessionId)!.peer(String(fac.hello.participantId))!;
    const t0 = Date.now() + 10 * KEY_FRAME_INTERVAL_MS;
    expect(await peer.media.requestKeyFrame(videoConsumer, t0)).toBe(true);
    expect(await peer.media.requestKeyFrame(videoConsumer, t0 + KEY_FRAME_INTERVAL_MS - 1)).toBe(false);
    expect(await peer.media.requestKeyFrame(videoConsumer, t0 + KEY_FRAME_INTERVAL_MS)).toBe(true);
    expect(await peer.media.requestKeyFrame(audioConsumer, t0 + 5 * KEY_FRAME_INTERVAL_MS)).toBe(false);

    await alice.client.close();
    await fac.client.close();
  });

  it('a room closes its router once everyone has left', async () => {
    const fac = await connectClinician(demo.info);
    expect(demo.server.rooms.size).toBe(1);
    await fac.client.close();
    // Clients of earlier tests dropped without leaving keep their place for the grace period
    // (shortened to 5 s in this file); once it passes, nobody is left and the room closes.
    const deadline = Date.now() + 10_000;
    while (demo.server.rooms.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(demo.server.rooms.size).toBe(0);
    expect(demo.server.workers.loads().every((l) => l.routers === 0 && l.consumers === 0)).toBe(true);
  });
});
