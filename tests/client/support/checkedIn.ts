/** A client checked in and waiting to be admitted, on a socket of its own, for the RoomClient tests. */
import { WebSocket } from 'ws';
import { SignalingClient } from '../../../src/client/signaling';
import type { DemoInfo, MethodName, NotificationTypes } from '../../../src/shared/protocol';

/** The invitation at `index` checked in as `displayName`; every request its socket sends is logged in `sent`. */
export async function checkedIn(info: DemoInfo, index: number, displayName: string) {
  const invitation = info.invitations[index]!;
  const signaling = await SignalingClient.connect(info.wsUrl, { WebSocketImpl: WebSocket });
  const sent: { method: MethodName; data: Record<string, unknown> }[] = [];
  const request = signaling.request.bind(signaling);
  signaling.request = ((method: MethodName, data: never) => {
    sent.push({ method, data: data as Record<string, unknown> });
    return request(method, data);
  }) as typeof signaling.request;
  const hello = await signaling.request('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
  const admitted = new Promise<NotificationTypes['admitted']>((resolve) => signaling.on('admitted', resolve));
  const { routerRtpCapabilities } = await signaling.request('checkIn', {
    displayName,
    agreementVersion: hello.agreement.version,
    media: { audio: true, video: true },
  });
  return { signaling, sent, participantId: hello.participantId, routerRtpCapabilities, admitted };
}
