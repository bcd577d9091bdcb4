/**
 * A newcomer's camera goes first: joining with `sendFirst`, RoomClient asks the server for the
 * group's streams at once, but sets none up in the browser (and so resumes none) until its own
 * first producer exists and that producer's connection is up.
 * Real server and mediasoup worker; only the browser's RTCPeerConnection is mediasoup-client's
 * FakeHandler (tests/support/fakeMedia.ts), made here to report "connected" a set time after
 * its DTLS parameters were sent, as a browser does once ICE and DTLS complete.
 */
import type { Device } from 'mediasoup-client';
import { expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RoomClient, SEND_FIRST_MAX_WAIT_MS } from '../../src/client/roomClient';
import { SignalingClient } from '../../src/client/signaling';
import type { MethodName, RtpCapabilities } from '../../src/shared/protocol';
import { sharedTestDemo } from '../server/support/sharedDemo';
import { fakeDeviceAdapting, fakeStream } from '../support/fakeMedia';
import { closeAll, roomFacilitator, type Connected } from './support/roomFacilitator';

const CONNECT_MS = 300;

/** FakeHandler whose transports become "connected" CONNECT_MS after connecting (never, if `never`). */
function deviceConnectingAfter(never = false): () => Device {
  return fakeDeviceAdapting((handler) => {
    // setupTransport is FakeHandler's own (private in its types): it runs on the first produce or consume.
    const hooks = handler as unknown as { setupTransport(o: unknown): Promise<void>; setConnectionState(s: string): void };
    const setup = hooks.setupTransport.bind(handler);
    hooks.setupTransport = async (o) => {
      await setup(o);
      if (!never) setTimeout(() => hooks.setConnectionState('connected'), CONNECT_MS);
    };
  });
}

const demo = sharedTestDemo(2);

/** The facilitator in the room with camera and microphone on. */
async function facilitator(): Promise<Connected> {
  const fac = await roomFacilitator(demo.info);
  await fac.room.publish(fakeStream());
  return fac;
}

/** A client admitted and joining as the page does, with every request it sends logged with its time. */
async function newcomer(index: number, createDevice: () => Device) {
  const invitation = demo.info.invitations[index]!;
  const signaling = await SignalingClient.connect(demo.info.wsUrl, { WebSocketImpl: WebSocket });
  const sent: { method: MethodName; at: number; kind?: string }[] = [];
  const request = signaling.request.bind(signaling);
  signaling.request = ((method: MethodName, data: never) => {
    sent.push({ method, at: performance.now(), ...(method === 'produce' ? { kind: (data as { kind: string }).kind } : {}) });
    return request(method, data);
  }) as typeof signaling.request;
  const hello = await signaling.request('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
  const { routerRtpCapabilities } = await signaling.request('checkIn', { displayName: `New ${index}`, agreementVersion: hello.agreement.version, media: { audio: true, video: true } });
  const room = new RoomClient(signaling, { createDevice });
  await room.prepare(routerRtpCapabilities);
  const tracks: string[] = [];
  room.on('track', ({ kind }) => tracks.push(kind));
  const admitted = new Promise<{ routerRtpCapabilities: RtpCapabilities; producers: never[] }>((resolve) => signaling.on('admitted', (d) => resolve(d as never)));
  return { signaling, room, sent, tracks, participantId: hello.participantId, admitted };
}

it('joining with sendFirst: the group’s streams are asked for at once; video is produced, its connection comes up, and only then audio and the group’s streams are set up', { timeout: 20_000 }, async () => {
  const fac = await facilitator();
  const client = await newcomer(0, deviceConnectingAfter());
  try {
    await fac.signaling.request('admit', { participantId: client.participantId });
    const data = await client.admitted;
    const joining = client.room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: client.participantId, sendFirst: true });
    const publishing = client.room.publish(fakeStream());
    let firstProducerAt = 0;
    void client.room.firstProducer().then(() => (firstProducerAt = performance.now()));
    await Promise.all([joining, publishing]);
    while (client.tracks.length < 2) await new Promise((r) => setTimeout(r, 20));

    const video = client.sent.find((s) => s.method === 'produce' && s.kind === 'video')!;
    const audio = client.sent.find((s) => s.method === 'produce' && s.kind === 'audio')!;
    const consumes = client.sent.filter((s) => s.method === 'consume');
    const resumes = client.sent.filter((s) => s.method === 'resumeConsumer');
    expect(consumes).toHaveLength(2);
    expect(resumes).toHaveLength(2);
    // The server is asked for the group's streams at once: its round trips overlap the camera's.
    for (const c of consumes) expect(c.at).toBeLessThan(video.at + CONNECT_MS);
    // Nothing is set up in the browser to compete with the camera until its connection is up
    // (CONNECT_MS after connecting): a consumer is resumed only once it is set up.
    expect(audio.at - video.at).toBeGreaterThanOrEqual(CONNECT_MS - 50);
    expect(firstProducerAt).toBeGreaterThan(video.at + CONNECT_MS - 50);
    for (const r of resumes) expect(r.at).toBeGreaterThanOrEqual(firstProducerAt - 5);
    expect(client.tracks.sort()).toEqual(['audio', 'video']);
  } finally {
    closeAll(client, fac);
  }
});

it('a connection that never comes up holds the group’s streams for at most SEND_FIRST_MAX_WAIT_MS', { timeout: 20_000 }, async () => {
  const fac = await facilitator();
  const client = await newcomer(1, deviceConnectingAfter(true));
  try {
    await fac.signaling.request('admit', { participantId: client.participantId });
    const data = await client.admitted;
    const started = performance.now();
    const joining = client.room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: client.participantId, sendFirst: true });
    void client.room.publish(fakeStream());
    await joining;
    while (client.tracks.length < 2) await new Promise((r) => setTimeout(r, 20));
    const firstResume = client.sent.find((s) => s.method === 'resumeConsumer')!;
    expect(firstResume.at - started).toBeGreaterThanOrEqual(SEND_FIRST_MAX_WAIT_MS - 100);
    expect(firstResume.at - started).toBeLessThan(SEND_FIRST_MAX_WAIT_MS + 3000);
  } finally {
    closeAll(client, fac);
  }
});
