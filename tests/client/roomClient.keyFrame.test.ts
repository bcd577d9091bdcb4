/**
 * A video that never shows its first frame is asked for again: RoomClient watches each
 * resumed video consumer's decoded frames and, while there are none, asks the server for a
 * key frame after FIRST_FRAME_WAIT_MS, then after twice as long (up to
 * FIRST_FRAME_MAX_WAIT_MS), until a frame decodes. Never for audio, never for a paused
 * producer (nothing to decode), and never again once a frame has decoded.
 * Real server and mediasoup worker; the browser's side is mediasoup-client's FakeHandler, whose
 * receiver stats are made here to report the frames the test says were decoded.
 */
import type { Device } from 'mediasoup-client';
import { expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FIRST_FRAME_MAX_WAIT_MS, FIRST_FRAME_WAIT_MS, RoomClient } from '../../src/client/roomClient';
import { SignalingClient } from '../../src/client/signaling';
import type { MethodName, RtpCapabilities } from '../../src/shared/protocol';
import { sharedTestDemo } from '../server/support/sharedDemo';
import { fakeDeviceAdapting, fakeStream } from '../support/fakeMedia';
import { closeAll, roomFacilitator, type Connected } from './support/roomFacilitator';

const demo = sharedTestDemo(2);

/** A Device whose receivers report `decoded()` frames in an inbound-rtp stats entry. */
function deviceDecoding(decoded: () => number): () => Device {
  return fakeDeviceAdapting((handler) => {
    handler.getReceiverStats = () => Promise.resolve(new Map([['in', { type: 'inbound-rtp', framesDecoded: decoded() }]]) as unknown as RTCStatsReport);
  });
}

const facilitator = (): Promise<Connected> => roomFacilitator(demo.info);

/** An admitted client receiving the group, with every key frame request it sends logged. */
async function receiver(index: number, createDevice: () => Device) {
  const invitation = demo.info.invitations[index]!;
  const signaling = await SignalingClient.connect(demo.info.wsUrl, { WebSocketImpl: WebSocket });
  const asked: { at: number; consumerId: string; answer?: 'ok' | string }[] = [];
  const request = signaling.request.bind(signaling);
  signaling.request = ((method: MethodName, data: never) => {
    const result = request(method, data);
    if (method === 'requestKeyFrame') {
      const entry: (typeof asked)[number] = { at: performance.now(), consumerId: (data as { consumerId: string }).consumerId };
      asked.push(entry);
      result.then(
        () => (entry.answer = 'ok'),
        (err: unknown) => (entry.answer = String(err)),
      );
    }
    return result;
  }) as typeof signaling.request;
  const hello = await signaling.request('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
  const admitted = new Promise<{ routerRtpCapabilities: RtpCapabilities; producers: never[] }>((resolve) => signaling.on('admitted', (d) => resolve(d as never)));
  await signaling.request('checkIn', { displayName: `Receiver ${index}`, agreementVersion: hello.agreement.version, media: { audio: false, video: false } });
  const room = new RoomClient(signaling, { createDevice });
  const tracks: { kind: string; at: number }[] = [];
  room.on('track', ({ kind }) => tracks.push({ kind, at: performance.now() }));
  return { signaling, room, asked, tracks, participantId: hello.participantId, admitted };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('asks for key frames, further and further apart, until the first frame decodes, and then no more', { timeout: 30_000 }, async () => {
  const fac = await facilitator();
  let decoded = 0;
  const client = await receiver(0, deviceDecoding(() => decoded));
  try {
    await fac.room.publish(fakeStream());
    await fac.signaling.request('admit', { participantId: client.participantId });
    const data = await client.admitted;
    await client.room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: client.participantId });
    while (client.tracks.length < 2) await sleep(20);
    const videoAt = client.tracks.find((t) => t.kind === 'video')!.at;

    await sleep(FIRST_FRAME_WAIT_MS * 7 + 500);
    // At about 1, 3 and 7 s: one consumer only (the video one), each answered by the server.
    expect(client.asked.length).toBe(3);
    expect(new Set(client.asked.map((a) => a.consumerId)).size).toBe(1);
    expect(client.asked.every((a) => a.answer === 'ok')).toBe(true);
    const gaps = [client.asked[0]!.at - videoAt, client.asked[1]!.at - client.asked[0]!.at, client.asked[2]!.at - client.asked[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(FIRST_FRAME_WAIT_MS - 50);
    expect(gaps[1]).toBeGreaterThanOrEqual(2 * FIRST_FRAME_WAIT_MS - 50);
    expect(gaps[2]).toBeGreaterThanOrEqual(Math.min(4 * FIRST_FRAME_WAIT_MS, FIRST_FRAME_MAX_WAIT_MS) - 50);

    decoded = 1;
    await sleep(FIRST_FRAME_MAX_WAIT_MS + 500);
    expect(client.asked.length).toBe(3);
  } finally {
    closeAll(client, fac);
  }
});

it('asks nothing for a producer announced paused, nor for audio', { timeout: 20_000 }, async () => {
  const fac = await facilitator();
  const client = await receiver(1, deviceDecoding(() => 0));
  try {
    await fac.room.publish(fakeStream());
    await fac.room.setMuted('video', true);
    await fac.signaling.request('admit', { participantId: client.participantId });
    const data = await client.admitted;
    await client.room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: client.participantId });
    while (client.tracks.length < 2) await sleep(20);
    await sleep(FIRST_FRAME_WAIT_MS * 3 + 500);
    expect(client.asked).toEqual([]);
  } finally {
    closeAll(client, fac);
  }
});
