/**
 * The server's answers against each method's result schema (src/shared/protocol: the record
 * the client's result types are read from). SignalingClient trusts the server and does not
 * check answers at run time, so this is where a handler whose answer drifted from its
 * record is caught: a facilitator and a client go through a session on the real server
 * (RoomClient on mediasoup-client's FakeHandler, as in the RoomClient tests), every answer
 * either of them gets is kept, and each must pass its method's result schema.
 */
import { expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RoomClient } from '../../src/client/roomClient';
import { SignalingClient } from '../../src/client/signaling';
import { signalingMethods, type MethodName } from '../../src/shared/protocol';
import { login } from '../server/support/testServer';
import { sharedTestDemo } from '../server/support/sharedDemo';
import { clinicianHello } from '../support/clinicianHello';
import { fakeDevice, fakeStream } from '../support/fakeMedia';

interface Answer {
  method: MethodName;
  result: unknown;
}

/** A socket whose every answer is kept in `answers`. */
async function recordedSocket(answers: Answer[]): Promise<SignalingClient> {
  const signaling = await SignalingClient.connect(demo.info.wsUrl, { WebSocketImpl: WebSocket });
  const request = signaling.request.bind(signaling);
  signaling.request = (async (method: MethodName, data: never) => {
    const result: unknown = await request(method, data);
    answers.push({ method, result });
    return result;
  }) as typeof signaling.request;
  return signaling;
}

/** The `id` of every answer to `method` so far. */
function idsOf(answers: Answer[], method: MethodName): string[] {
  return answers.filter((a) => a.method === method).map((a) => (a.result as { id: string }).id);
}

const demo = sharedTestDemo(2);

it('every answer the server gives in a session passes its method\'s result schema', { timeout: 60_000 }, async () => {
  const facilitatorAnswers: Answer[] = [];
  const clientAnswers: Answer[] = [];
  const facilitator = await recordedSocket(facilitatorAnswers);
  const client = await recordedSocket(clientAnswers);
  const denied = await recordedSocket(clientAnswers);
  const facilitatorRoom = new RoomClient(facilitator, { createDevice: fakeDevice });
  const clientRoom = new RoomClient(client, { createDevice: fakeDevice });
  try {
    const clinician = await facilitator.request('hello', await clinicianHello(demo.info.httpUrl, await login(demo.info), demo.info.sessionId));
    await facilitatorRoom.join({
      routerRtpCapabilities: clinician.routerRtpCapabilities,
      producers: clinician.producers,
      selfParticipantId: clinician.participantId,
    });
    await facilitatorRoom.publish(fakeStream());

    const invitation = demo.info.invitations[0]!;
    const participant = await client.request('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
    const participantId = participant.participantId;
    const { routerRtpCapabilities } = await client.request('checkIn', {
      displayName: 'Sam',
      agreementVersion: participant.agreement.version,
      media: { audio: true, video: true },
      location: 'home',
    });
    await clientRoom.prepare(routerRtpCapabilities);
    let stopListening = (): void => undefined;
    const joined = new Promise<void>((resolve, reject) => {
      stopListening = client.on('admitted', (data) => {
        Promise.all([
          clientRoom.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: participantId }),
          clientRoom.publish(fakeStream()),
        ]).then(() => resolve(), reject);
      });
    });
    await facilitator.request('admit', { participantId });
    await joined;
    stopListening();

    // What RoomClient asks only when the network or a decoder needs it, asked here directly.
    const [transportId] = idsOf(facilitatorAnswers, 'createTransport');
    await facilitator.request('restartIce', { transportId: transportId! });
    const [producerId] = idsOf(facilitatorAnswers, 'produce');
    await facilitator.request('setProducerPaused', { producerId: producerId!, paused: true });
    const [consumerId] = idsOf(facilitatorAnswers, 'consume');
    await facilitator.request('requestKeyFrame', { consumerId: consumerId! });

    // Messages both ways, and the moderation acts that leave the client in the group.
    await client.request('message', { to: 'facilitator', text: 'hello' });
    await facilitator.request('message', { to: participantId, text: 'welcome' });
    await facilitator.request('verify', { participantId, method: 'known-to-clinician' });
    await facilitator.request('crisisInfo', { participantId });
    await facilitator.request('mute', { participantId, kind: 'audio' });
    await facilitator.request('allowUnmute', { participantId, kind: 'audio' });
    await facilitator.request('muteAll', { kind: 'video' });
    await facilitator.request('lock', { locked: true });
    await facilitator.request('lock', { locked: false });
    await facilitator.request('returnToWaiting', { participantId });
    await facilitator.request('admitAll', {});
    await client.request('leave', {});

    const second = demo.info.invitations[1]!;
    const knocking = await denied.request('hello', { as: 'participant', invite: second.token, passcode: second.passcode });
    await denied.request('checkIn', { displayName: 'Alex', agreementVersion: knocking.agreement.version, media: { audio: false, video: false } });
    await facilitator.request('deny', { participantId: knocking.participantId });
    // A client who has left can still be removed: the revoked invitation keeps them out.
    await facilitator.request('remove', { participantId, reason: 'not to come back' });

    await facilitator.request('closeTransport', { transportId: transportId! });
    await facilitator.request('end', {});

    const answers = [...facilitatorAnswers, ...clientAnswers];
    const asked = new Set(answers.map((a) => a.method));
    for (const method of [
      'hello', 'checkIn', 'leave', 'admit', 'deny', 'admitAll', 'createTransport', 'connectTransport', 'restartIce', 'closeTransport',
      'produce', 'consume', 'resumeConsumer', 'requestKeyFrame', 'setProducerPaused', 'message', 'verify', 'mute', 'muteAll',
      'allowUnmute', 'returnToWaiting', 'remove', 'lock', 'end', 'crisisInfo',
    ] as const) {
      expect(asked, `${method} was answered`).toContain(method);
    }
    for (const { method, result } of answers) {
      const check = signalingMethods[method].result.safeParse(result);
      expect(check.success, `${method}: ${check.error?.message ?? ''}`).toBe(true);
    }
  } finally {
    clientRoom.close();
    facilitatorRoom.close();
    for (const socket of [denied, client, facilitator]) socket.close();
  }
});
