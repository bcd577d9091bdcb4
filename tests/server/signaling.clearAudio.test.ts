/**
 * Audio in the clear for someone whose browser cannot encrypt (issue 19), routed by the real
 * server on real mediasoup (rooms/clearAudio.ts): nothing in the clear until a facilitator
 * allows it; then that person's voice goes to everyone, members' clear copies of their own
 * voices go to that person only, and nothing encrypted (no video at all) goes to them. Every
 * call asks again, so an allowance that ended stops what it let flow.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RtpCapabilities } from '../../src/shared/protocol.js';
import { admitted, connectClinician, knock } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { connectedTransport, opusRtpParameters, vp8RtpParameters } from './support/media.js';
import type { TestClient } from './support/wsClient.js';

const settle = () => new Promise((r) => setTimeout(r, 150));

describe('audio in the clear', () => {
  const demo = sharedTestDemo(6);
  const inv = (i: number) => demo.info.invitations[i]!;
  const opened: TestClient[] = [];
  afterEach(async () => {
    for (const c of opened.splice(0)) await c.close();
  });

  // Each its own mid, as a second audio sender on the same transport has.
  let mid = 10;
  const clearAudio = (client: TestClient, transportId: string) =>
    client.request('produce', { transportId, kind: 'audio', rtpParameters: { ...opusRtpParameters(), mid: String(mid++) }, clear: true });
  const madeClear = async (client: TestClient, transportId: string): Promise<string> => {
    const r = await clearAudio(client, transportId);
    if (!r.ok) throw new Error(`produce in the clear failed: ${r.error.code} ${r.error.message}`);
    return String(r.data.id);
  };
  const heardAdded = (client: TestClient, producerId: string) =>
    client.notifications.find((n) => n.notification === 'producerAdded' && (n.data as { producerId: string }).producerId === producerId)?.data;
  const heardClosed = (client: TestClient, producerId: string) =>
    client.notifications.some((n) => n.notification === 'producerClosed' && (n.data as { producerId: string }).producerId === producerId);

  it('is refused until a facilitator allows it, and then routed only where it is meant to go', async () => {
    const fac = await connectClinician(demo.info);
    opened.push(fac.client);
    const caps = fac.hello.routerRtpCapabilities as RtpCapabilities;
    const robin = await admitted(demo.info, inv(0), fac.client, 'Robin');
    const sam = await admitted(demo.info, inv(1), fac.client, 'Sam');
    opened.push(robin.client, sam.client);
    const robinSend = await connectedTransport(robin.client, 'send');
    const samSend = await connectedTransport(sam.client, 'send');
    const robinRecv = await connectedTransport(robin.client, 'recv');
    const samRecv = await connectedTransport(sam.client, 'recv');
    const facRecv = await connectedTransport(fac.client, 'recv');

    // Default: nobody is in the clear, so nothing may be sent in the clear.
    expect(await clearAudio(robin.client, robinSend)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await clearAudio(sam.client, samSend)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Only a facilitator allows it, and only for a client here.
    expect(await sam.client.request('allowClearAudio', { participantId: robin.participantId, allowed: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await fac.client.request('allowClearAudio', { participantId: 'nobody', allowed: true })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await fac.client.request('allowClearAudio', { participantId: String(fac.hello.participantId), allowed: true })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // Sam's camera and voice, encrypted, made before anyone was in the clear.
    const samCamera = String((await sam.client.call('produce', { transportId: samSend, kind: 'video', rtpParameters: vp8RtpParameters() })).id);
    const samVoice = String((await sam.client.call('produce', { transportId: samSend, kind: 'audio', rtpParameters: opusRtpParameters() })).id);
    const robinHadCamera = String((await robin.client.call('consume', { transportId: robinRecv, producerId: samCamera, rtpCapabilities: caps })).id);

    await fac.client.call('allowClearAudio', { participantId: robin.participantId, allowed: true });
    // Robin is in the clear now: the encrypted consumer Robin held is closed, and none is made again.
    await robin.client.waitFor('producerClosed', (d) => d.producerId === samCamera);
    expect(await robin.client.request('resumeConsumer', { consumerId: robinHadCamera })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    for (const producerId of [samCamera, samVoice]) {
      expect(await robin.client.request('consume', { transportId: robinRecv, producerId, rtpCapabilities: caps })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }

    // Robin's voice, in the clear, for everyone; nothing else of Robin's.
    const robinVoice = await madeClear(robin.client, robinSend);
    expect(await sam.client.waitFor('producerAdded', (d) => d.producerId === robinVoice)).toEqual({ producerId: robinVoice, participantId: robin.participantId, kind: 'audio', clear: true });
    await fac.client.waitFor('producerAdded', (d) => d.producerId === robinVoice);
    expect(await robin.client.request('produce', { transportId: robinSend, kind: 'audio', rtpParameters: { ...opusRtpParameters(), mid: '2' } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await robin.client.request('produce', { transportId: robinSend, kind: 'video', rtpParameters: vp8RtpParameters(), clear: true })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const samHearsRobin = String((await sam.client.call('consume', { transportId: samRecv, producerId: robinVoice, rtpCapabilities: caps })).id);
    await sam.client.call('resumeConsumer', { consumerId: samHearsRobin });
    await fac.client.call('consume', { transportId: facRecv, producerId: robinVoice, rtpCapabilities: caps });

    // Sam's copy of their voice in the clear: for Robin only.
    const samCopy = await madeClear(sam.client, samSend);
    expect(await robin.client.waitFor('producerAdded', (d) => d.producerId === samCopy)).toMatchObject({ participantId: sam.participantId, kind: 'audio', clear: true });
    await settle();
    expect(heardAdded(fac.client, samCopy)).toBeUndefined();
    expect(await fac.client.request('consume', { transportId: facRecv, producerId: samCopy, rtpCapabilities: caps })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const robinHearsSam = String((await robin.client.call('consume', { transportId: robinRecv, producerId: samCopy, rtpCapabilities: caps })).id);
    await robin.client.call('resumeConsumer', { consumerId: robinHearsSam });
    // An encrypted voice made now is announced to the group, never to Robin.
    const facSend = await connectedTransport(fac.client, 'send');
    const facVoice = String((await fac.client.call('produce', { transportId: facSend, kind: 'audio', rtpParameters: opusRtpParameters() })).id);
    await sam.client.waitFor('producerAdded', (d) => d.producerId === facVoice);
    await settle();
    expect(heardAdded(robin.client, facVoice)).toBeUndefined();

    // Turned off: Robin's voice and Sam's copy stop, for everyone; nothing in the clear any more.
    await fac.client.call('allowClearAudio', { participantId: robin.participantId, allowed: false });
    await sam.client.waitFor('producerClosed', (d) => d.producerId === robinVoice);
    await robin.client.waitFor('producerClosed', (d) => d.producerId === samCopy);
    expect(await robin.client.request('resumeConsumer', { consumerId: robinHearsSam })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await clearAudio(sam.client, samSend)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await clearAudio(robin.client, robinSend)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Robin may receive the encrypted streams again (and cannot open them, as before).
    expect(await robin.client.request('consume', { transportId: robinRecv, producerId: samVoice, rtpCapabilities: caps })).toMatchObject({ ok: true });
  });

  it('asks again at every call: one person’s allowance ending stops what went to them, not what goes to another', async () => {
    const fac = await connectClinician(demo.info);
    opened.push(fac.client);
    const caps = fac.hello.routerRtpCapabilities as RtpCapabilities;
    const robin = await admitted(demo.info, inv(2), fac.client, 'Robin');
    const ash = await admitted(demo.info, inv(3), fac.client, 'Ash');
    opened.push(robin.client, ash.client);
    await fac.client.call('allowClearAudio', { participantId: robin.participantId, allowed: true });
    await fac.client.call('allowClearAudio', { participantId: ash.participantId, allowed: true });
    const facSend = await connectedTransport(fac.client, 'send');
    const facCopy = await madeClear(fac.client, facSend);
    const robinRecv = await connectedTransport(robin.client, 'recv');
    const ashRecv = await connectedTransport(ash.client, 'recv');
    const robinHears = String((await robin.client.call('consume', { transportId: robinRecv, producerId: facCopy, rtpCapabilities: caps })).id);
    await ash.client.call('consume', { transportId: ashRecv, producerId: facCopy, rtpCapabilities: caps });

    await fac.client.call('allowClearAudio', { participantId: robin.participantId, allowed: false });
    await robin.client.waitFor('producerClosed', (d) => d.producerId === facCopy);
    expect(await robin.client.request('resumeConsumer', { consumerId: robinHears })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await robin.client.request('consume', { transportId: robinRecv, producerId: facCopy, rtpCapabilities: caps })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Ash is still in the clear: the facilitator's copy goes on for them.
    await settle();
    expect(heardClosed(ash.client, facCopy)).toBe(false);

    // Ash leaves: nobody is in the clear, and the copy stops.
    await ash.client.call('leave', {});
    await fac.client.waitFor('producerClosed', (d) => d.producerId === facCopy);
    expect(await clearAudio(fac.client, facSend)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('a client allowed while waiting sends nothing in the clear before admission, and the allowance ends when they are sent back', async () => {
    const fac = await connectClinician(demo.info);
    opened.push(fac.client);
    const waiting = await knock(demo.info, inv(4), 'Wren');
    opened.push(waiting.client);
    await fac.client.call('allowClearAudio', { participantId: waiting.participantId, allowed: true });
    const send = await connectedTransport(waiting.client, 'send');
    expect(await clearAudio(waiting.client, send)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await fac.client.call('admit', { participantId: waiting.participantId });
    await waiting.client.waitFor('admitted');
    const voice = await madeClear(waiting.client, send);
    await fac.client.waitFor('producerAdded', (d) => d.producerId === voice);
    await fac.client.call('returnToWaiting', { participantId: waiting.participantId });
    await fac.client.waitFor('producerClosed', (d) => d.producerId === voice);
    await fac.client.call('admit', { participantId: waiting.participantId });
    await waiting.client.waitFor('admitted', () => waiting.client.notifications.filter((n) => n.notification === 'admitted').length === 2);
    const again = await connectedTransport(waiting.client, 'send');
    expect(await clearAudio(waiting.client, again)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});
