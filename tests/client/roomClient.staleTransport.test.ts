/**
 * A transport answered after a media reset reached the page belongs to a generation that is
 * gone: RoomClient closes it on the server too (`closeTransport`), instead of leaving it
 * there until the person leaves. Real server and mediasoup worker; the page's
 * RTCPeerConnection is mediasoup-client's FakeHandler. The reset is delivered to the page
 * while its createTransport answer is held back, which is the race a real worker death opens.
 */
import { expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RoomClient } from '../../src/client/roomClient';
import { SignalingClient } from '../../src/client/signaling';
import type { MethodName, RtpCapabilities, TransportInfo } from '../../src/shared/protocol';
import { connectClinician } from '../server/support/testServer';
import { sharedTestDemo } from '../server/support/sharedDemo';
import { fakeDevice, fakeStream } from '../support/fakeMedia';

const demo = sharedTestDemo(1);

it('a transport answered after a media reset is closed on the server as well', { timeout: 20_000 }, async () => {
  const fac = await connectClinician(demo.info);
  const invitation = demo.info.invitations[0]!;
  const signaling = await SignalingClient.connect(demo.info.wsUrl, { WebSocketImpl: WebSocket });
  const room = new RoomClient(signaling, { createDevice: fakeDevice });
  // The reset produces again on its own schedule; it says when it is done.
  const restored = new Promise<void>((resolve) => room.on('mediaRestored', () => resolve()));
  const closed: string[] = [];
  let stale: string | undefined;
  const request = signaling.request.bind(signaling);
  signaling.request = (async (method: MethodName, data: never) => {
    if (method === 'closeTransport') closed.push((data as { transportId: string }).transportId);
    const answer = await request(method, data);
    if (method === 'createTransport' && (data as { direction: string }).direction === 'send' && stale === undefined) {
      stale = (answer as TransportInfo).id;
      // The reset reaches the page before this answer does.
      const frame = JSON.stringify({ notification: 'mediaReset', data: { routerRtpCapabilities: caps } });
      (signaling as unknown as { handleFrame(raw: unknown): void }).handleFrame(frame);
    }
    return answer;
  }) as typeof signaling.request;

  const hello = await signaling.request('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
  const { routerRtpCapabilities: caps } = await signaling.request('checkIn', { displayName: 'Erin', agreementVersion: hello.agreement.version, media: { audio: true, video: true } });
  const admitted = new Promise<{ routerRtpCapabilities: RtpCapabilities }>((resolve) => signaling.on('admitted', (d) => resolve(d as never)));
  await fac.client.call('admit', { participantId: hello.participantId });
  const data = await admitted;
  try {
    await room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: [], selfParticipantId: hello.participantId });
    await room.publish(fakeStream());
    expect(stale).toBeDefined();
    await expect.poll(() => closed).toContain(stale);
    // The server no longer holds it, while the transports made after the reset are there.
    const router = await demo.server.rooms.get(demo.info.sessionId)!.router();
    const transportIds = async () => ((await router.dump()) as { transportIds: string[] }).transportIds;
    await expect.poll(transportIds).not.toContain(stale);
    expect((await transportIds()).length).toBeGreaterThan(0);
    await restored;
    expect(room.isPublishing('video')).toBe(true);
  } finally {
    room.close();
    signaling.close();
    await fac.client.close();
  }
});
