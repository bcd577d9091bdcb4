/** The session's facilitator as a RoomClient on FakeHandler, for the RoomClient tests; and one teardown for them. */
import { WebSocket } from 'ws';
import { RoomClient } from '../../../src/client/roomClient';
import { SignalingClient } from '../../../src/client/signaling';
import type { DemoInfo } from '../../../src/shared/protocol';
import { login } from '../../server/support/testServer';
import { clinicianHello } from '../../support/clinicianHello';
import { fakeDevice } from '../../support/fakeMedia';

export interface Connected {
  signaling: SignalingClient;
  room: RoomClient;
}

/** The facilitator joined to the demo session's room (publishing nothing yet). */
export async function roomFacilitator(info: DemoInfo): Promise<Connected> {
  const signaling = await SignalingClient.connect(info.wsUrl, { WebSocketImpl: WebSocket });
  const hello = await signaling.request('hello', await clinicianHello(info.httpUrl, await login(info, 'facilitator'), info.sessionId));
  const room = new RoomClient(signaling, { createDevice: fakeDevice });
  await room.join({ routerRtpCapabilities: hello.routerRtpCapabilities, producers: hello.producers, selfParticipantId: hello.participantId });
  return { signaling, room };
}

/** Closes each one's room and socket. */
export function closeAll(...connected: Connected[]): void {
  for (const c of connected) {
    c.room.close();
    c.signaling.close();
  }
}
