/**
 * The live session: one signaling connection and one RoomClient (which owns the
 * mediasoup-client Device and transports). Notifications become store actions here;
 * components only read the store and call these functions.
 */
import { getLocalMedia } from '../../../client/media';
import { RoomClient } from '../../../client/roomClient';
import { SignalingClient } from '../../../client/signaling';
import {
  CLOSE_SIGNED_OUT,
  type ClinicianHelloResult,
  type MediaKind,
  type MethodName,
  type RequestData,
  type ResultTypes,
  type VerificationMethod,
} from '../../../shared/protocol';
import { announceKnock } from './knockAlert';
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
    signaling.on('knock', ({ participant }) => {
      s().upsertParticipant(participant);
      announceKnock();
    }),
    signaling.on('message', ({ from, text }) => s().addMessage(from, { from: 'them', text, at: Date.now() })),
    signaling.on('locked', ({ locked }) => s().setLocked(locked)),
    signaling.on('sessionEnded', () => {
      teardown();
      s().roomClosed('The session has ended.');
    }),
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
    signaling.onClose((code) => {
      if (live?.signaling !== signaling) return;
      teardown();
      if (code === CLOSE_SIGNED_OUT) {
        s().roomClosed();
        s().signedOutByServer('You were signed out, so you left the session. Sign in again to rejoin it.');
      } else {
        s().roomClosed('The connection to the session server closed.');
      }
    }),
  ];
}

/**
 * Sends one moderation request. A refusal (the client left meanwhile, say) is shown as a
 * notice and the session carries on; it never takes the facilitator out of the room.
 */
async function moderate<M extends MethodName>(method: M, data: RequestData<M>): Promise<ResultTypes[M] | null> {
  if (!live) return null;
  try {
    return await live.signaling.request(method, data);
  } catch (err) {
    useConsole.getState().setNotice({ tone: 'error', text: messageOf(err) });
    return null;
  }
}

async function decide(participantId: string, action: 'admit' | 'deny'): Promise<void> {
  const store = useConsole.getState();
  store.setPending(participantId, action);
  if ((await moderate(action, { participantId })) === null) store.setPending(participantId, null);
}

export const admit = (participantId: string) => decide(participantId, 'admit');
export const deny = (participantId: string) => decide(participantId, 'deny');
export const admitAll = () => moderate('admitAll', {});
export const verify = (participantId: string, method: VerificationMethod) => moderate('verify', { participantId, method });
export const mute = (participantId: string, kind: MediaKind) => moderate('mute', { participantId, kind });
export const allowUnmute = (participantId: string, kind: MediaKind) => moderate('allowUnmute', { participantId, kind });
export const returnToWaiting = (participantId: string) => moderate('returnToWaiting', { participantId });
export const remove = (participantId: string, reason: string) => moderate('remove', { participantId, reason });
export const crisisInfo = (participantId: string) => moderate('crisisInfo', { participantId });

export async function muteAll(kind: MediaKind = 'audio'): Promise<void> {
  const result = await moderate('muteAll', { kind });
  if (result) {
    const n = result.participantIds.length;
    useConsole.getState().setNotice({ tone: 'info', text: n === 0 ? 'Nobody to mute.' : `Muted ${n} ${n === 1 ? 'client' : 'clients'}.` });
  }
}

export async function setLocked(locked: boolean): Promise<void> {
  if ((await moderate('lock', { locked })) !== null) useConsole.getState().setLocked(locked);
}

export const toggleLock = () => setLocked(!useConsole.getState().locked);

export async function endSession(): Promise<void> {
  if ((await moderate('end', {})) === null) return;
  teardown();
  useConsole.getState().roomClosed('You ended the session. Everyone has been told and disconnected.');
}

export async function sendMessage(participantId: string, text: string): Promise<boolean> {
  const sent = (await moderate('message', { to: participantId, text })) !== null;
  if (sent) useConsole.getState().addMessage(participantId, { from: 'me', text: text.trim(), at: Date.now() });
  return sent;
}

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
