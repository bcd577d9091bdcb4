/**
 * The live session: one signaling connection and one RoomClient (which owns the
 * mediasoup-client Device and transports). Notifications become store actions here;
 * components only read the store and call these functions.
 */
import { getLocalMedia } from '../../../client/media';
import { RoomClient } from '../../../client/roomClient';
import { SignalingClient } from '../../../client/signaling';
import type { ClinicianHelloResult, MediaKind } from '../../../shared/protocol';
import { call, messageOf } from '../bridge';
import { useConsole } from '../store';

interface LiveRoom {
  signaling: SignalingClient;
  room: RoomClient;
  unsubscribe: (() => void)[];
}

let live: LiveRoom | null = null;

export async function openSession(sessionId: string): Promise<void> {
  await closeSession();
  const store = useConsole.getState();
  store.roomConnecting();
  try {
    const connection = await call('sessions:connect', { sessionId });
    const signaling = await SignalingClient.connect(connection.wsUrl);
    const hello = (await signaling.request('hello', {
      as: 'clinician',
      token: connection.token,
      sessionId: connection.sessionId,
    })) as ClinicianHelloResult;
    const room = new RoomClient(signaling);
    live = { signaling, room, unsubscribe: wire(signaling, room) };
    store.roomJoined(hello);
    await room.join({
      routerRtpCapabilities: hello.routerRtpCapabilities,
      producers: hello.producers,
      selfParticipantId: hello.participantId,
    });
    if (hello.role === 'facilitator') await publishOwnMedia(room);
  } catch (err) {
    await closeSession();
    useConsole.getState().roomFailed(messageOf(err));
  }
}

async function publishOwnMedia(room: RoomClient): Promise<void> {
  const store = useConsole.getState();
  try {
    const stream = await getLocalMedia({ audio: true, video: true });
    store.setLocalStream(stream);
    await room.publish(stream);
  } catch (err) {
    // The facilitator can still admit and see the group without a camera.
    store.setMediaError(messageOf(err));
  }
}

function wire(signaling: SignalingClient, room: RoomClient): (() => void)[] {
  const s = () => useConsole.getState();
  return [
    signaling.on('knock', ({ participant }) => s().upsertParticipant(participant)),
    signaling.on('participantUpdated', ({ participant }) => s().upsertParticipant(participant)),
    signaling.on('participantLeft', ({ participantId }) => s().removeParticipant(participantId)),
    signaling.on('peerJoined', ({ participant }) => s().upsertParticipant(participant)),
    signaling.on('peerLeft', ({ participantId }) => s().removeParticipant(participantId)),
    signaling.on('producerAdded', ({ producerId, participantId, kind }) =>
      s().setProducer({ producerId, participantId, kind, paused: false }),
    ),
    signaling.on('producerClosed', ({ producerId }) => s().removeProducer(producerId)),
    signaling.on('producerPaused', ({ producerId, paused }) => s().setProducerPaused(producerId, paused)),
    room.on('track', (t) => s().addRemoteTrack(t)),
    room.on('trackEnded', ({ producerId }) => s().removeRemoteTrack(producerId)),
    room.on('error', ({ message }) => s().setMediaError(message)),
    signaling.onClose(() => {
      if (live?.signaling === signaling) {
        teardown();
        s().roomClosed('The connection to the session server closed.');
      }
    }),
  ];
}

async function decide(participantId: string, action: 'admit' | 'deny'): Promise<void> {
  if (!live) return;
  const store = useConsole.getState();
  store.setPending(participantId, action);
  try {
    await live.signaling.request(action, { participantId });
  } catch (err) {
    store.setPending(participantId, null);
    store.roomFailed(messageOf(err));
  }
}

export const admit = (participantId: string) => decide(participantId, 'admit');
export const deny = (participantId: string) => decide(participantId, 'deny');

export async function setMuted(kind: MediaKind, muted: boolean): Promise<void> {
  if (!live) return;
  await live.room.setMuted(kind, muted);
  useConsole.getState().setLocalMuted(kind, muted);
}

function teardown(): void {
  if (!live) return;
  const { room, signaling, unsubscribe } = live;
  live = null;
  unsubscribe.forEach((u) => u());
  room.close();
  signaling.close();
  const stream = useConsole.getState().localStream;
  stream?.getTracks().forEach((t) => t.stop());
  useConsole.getState().clearMedia();
}

export async function closeSession(): Promise<void> {
  if (!live) return;
  try {
    await live.signaling.request('leave', {});
  } catch {
    // Leaving closes the socket either way.
  }
  teardown();
  useConsole.getState().roomClosed();
}
