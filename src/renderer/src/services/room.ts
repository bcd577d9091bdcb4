/**
 * The live session: one signaling connection and one RoomClient (which owns the
 * mediasoup-client Device and transports). Notifications become store actions here;
 * components only read the store and call these functions.
 */
import { levelReporter, watchConnection } from '../../../client/connectionQuality';
import { getLocalMedia } from '../../../client/media';
import { BackdropProcessor } from '../../../client/backdrop';
import { DELIBERATE_CLOSES as PAGE_DELIBERATE_CLOSES, getBackIn } from '../../../client/reconnect';
import { RoomClient, type TileView } from '../../../client/roomClient';
import { SignalingClient } from '../../../client/signaling';
import {
  CLOSE_SIGNED_OUT,
  ROLE_CHANGED,
  TO_FACILITATOR,
  TO_GROUP,
  ProtocolError,
  type ClinicianHelloResult,
  type MediaKind,
  type MethodName,
  type RequestData,
  type ResultTypes,
  type VerificationMethod,
} from '../../../shared/protocol';
import { ConsoleEncryption } from './encryption';
import { announceKnock } from './knockAlert';
import { call, messageOf } from '../bridge';
import { useConsole } from '../store';
import { t as words } from '../i18n';

interface LiveRoom {
  sessionId: string;
  signaling: SignalingClient;
  room: RoomClient;
  /** The call's end-to-end encryption: this connection's keys and frame worker. */
  encryption: ConsoleEncryption;
  unsubscribe: (() => void)[];
}

let live: LiveRoom | null = null;
/** The session being reconnected to, while the console gets back in by itself. */
let reconnecting: { sessionId: string; cancelled: boolean } | null = null;

/**
 * Closes the server sends on purpose (src/client/reconnect.ts), and a sign-out: the console
 * does not come back by itself after these.
 */
const DELIBERATE_CLOSES = new Set([...PAGE_DELIBERATE_CLOSES, CLOSE_SIGNED_OUT]);

/**
 * A fresh ticket from main every time (each works once, for a minute), so a reconnect asks
 * again. Main finds the server hosting the session among the deployment's; should the session
 * move between the ticket and the hello (HOSTED_ELSEWHERE), once more from the start.
 */
async function connectToSession(sessionId: string): Promise<{ signaling: SignalingClient; hello: ClinicianHelloResult }> {
  try {
    return await connectOnce(sessionId);
  } catch (err) {
    if (!(err instanceof ProtocolError) || err.code !== 'HOSTED_ELSEWHERE') throw err;
    return connectOnce(sessionId);
  }
}

async function connectOnce(sessionId: string): Promise<{ signaling: SignalingClient; hello: ClinicianHelloResult }> {
  const connection = await call('sessions:connect', { sessionId });
  const signaling = await SignalingClient.connect(connection.wsUrl);
  try {
    const hello = await signaling.request('hello', {
      as: 'clinician',
      ticket: connection.ticket,
      sessionId: connection.sessionId,
    });
    return { signaling, hello };
  } catch (err) {
    signaling.close();
    throw err;
  }
}

/** Joins the room's media on a fresh connection and publishes the facilitator's camera and microphone. */
async function enterRoom(sessionId: string, signaling: SignalingClient, hello: ClinicianHelloResult): Promise<void> {
  const encryption = new ConsoleEncryption({
    signaling,
    sessionId,
    selfId: hello.participantId,
    onView: (view) => {
      if (live?.encryption === encryption) useConsole.getState().setEncryption(view);
    },
    onError: (message) => {
      if (live?.encryption === encryption) useConsole.getState().setNotice({ tone: 'error', text: message });
    },
    // The holder's sealed word on who is in the clear: a clear copy of our voice for them, theirs played.
    onClearAudio: (participantIds) => {
      if (live?.encryption === encryption) live.room.setClearAudio(participantIds);
    },
  });
  // Every frame sealed before it leaves and opened before it plays (issue 19).
  const room = new RoomClient(signaling, { frames: encryption.frames });
  live = { sessionId, signaling, room, encryption, unsubscribe: wire(signaling, room, encryption) };
  // How good this console's own link is (issue 22): shown beside the facilitator's name, and
  // told to the server, which tells the session's other clinicians.
  // Each level told to the server, and told again while its report fails.
  const levels = levelReporter((quality) => signaling.request('reportConnection', { quality }));
  live.unsubscribe.push(
    levels.stop,
    watchConnection(
      () => room.linkStats(),
      (quality) => {
        if (live?.room !== room) return;
        useConsole.getState().setOwnConnection(quality);
        levels.report(quality);
      },
      undefined,
      undefined,
      () => room.cameraSending,
    ),
  );
  useConsole.getState().roomJoined(hello);
  void encryption.start(Object.values(useConsole.getState().participants));
  await room.join({
    routerRtpCapabilities: hello.routerRtpCapabilities,
    producers: hello.producers,
    selfParticipantId: hello.participantId,
  });
  if (hello.role === 'facilitator') await publishOwnMedia(room);
}

export async function openSession(sessionId: string): Promise<void> {
  await closeSession();
  const store = useConsole.getState();
  store.roomConnecting();
  try {
    const { signaling, hello } = await connectToSession(sessionId);
    await enterRoom(sessionId, signaling, hello);
  } catch (err) {
    await closeSession();
    useConsole.getState().roomFailed(messageOf(err));
  }
}

/** Refusals that waiting will not change: the session ended, access was withdrawn. */
const FINAL_REFUSALS: ReadonlySet<string> = new Set(['SESSION_ENDED', 'FORBIDDEN', 'UNAUTHENTICATED']);

/**
 * After a drop: tries again with backoff for RECONNECT_WINDOW_MS (getBackIn). The group
 * carries on without the facilitator meanwhile; once back, the server's snapshot replaces
 * what the console showed, and the camera and microphone are published again.
 */
async function reconnect(sessionId: string): Promise<void> {
  const attempt = { sessionId, cancelled: false };
  reconnecting = attempt;
  useConsole.getState().roomReconnecting();
  const result = await getBackIn({
    attempt: async () => {
      const { signaling, hello } = await connectToSession(sessionId);
      // Left meanwhile: getBackIn sees the cancel once this try returns.
      if (attempt.cancelled) return signaling.close();
      reconnecting = null;
      await enterRoom(sessionId, signaling, hello);
    },
    isFinal: (err) => err instanceof ProtocolError && FINAL_REFUSALS.has(err.code),
    cancelled: () => attempt.cancelled,
  });
  if (result.outcome === 'refused' || result.outcome === 'timedOut') {
    if (reconnecting === attempt) reconnecting = null;
    stopLocalMedia();
    useConsole.getState().roomClosed(words.room.couldNotRejoin(messageOf(result.error)));
  }
}

/** Blurring the facilitator's background, while the local stream's video is its track (issue 21). */
let blur: BackdropProcessor | null = null;

/** The model's files, built beside the renderer (scripts/segmentationAssets.ts): app://confidant/segmentation/. */
const SEGMENTATION_BASE = './segmentation/';

/**
 * `stream` with its camera blurred when the facilitator has blur on: the processed track
 * replaces the camera's, which only the processor keeps (src/client/backdrop.ts), so the room
 * is never what is sent.
 */
function withBlur(stream: MediaStream): MediaStream {
  const camera = stream.getVideoTracks()[0];
  if (!useConsole.getState().localBlur || !camera || camera === blur?.track) return stream;
  const processor = new BackdropProcessor(camera, 'blur', {
    assetBase: SEGMENTATION_BASE,
    onFailure: (err) => {
      console.warn('background blur could not start', err);
      if (blur === processor) useConsole.getState().setNotice({ tone: 'error', text: words.room.blurFailed });
    },
  });
  blur?.stop();
  blur = processor;
  return new MediaStream([processor.track, ...stream.getAudioTracks()]);
}

/**
 * Blur on or off for the facilitator's own camera: the same camera stays on, and what the
 * group receives changes at once.
 */
export async function setBlur(on: boolean): Promise<void> {
  const store = useConsole.getState();
  if (store.localBlur === on) return;
  store.setLocalBlur(on);
  const stream = store.localStream;
  const video = stream?.getVideoTracks()[0];
  if (!stream || !video || video.readyState !== 'live') return;
  let next: MediaStream;
  if (on) {
    next = withBlur(stream);
  } else {
    if (!blur || video !== blur.track) return;
    const camera = blur.release();
    blur = null;
    next = new MediaStream([camera, ...stream.getAudioTracks()]);
  }
  store.setLocalStream(next);
  const nextVideo = next.getVideoTracks()[0]!;
  // Stopped video stays stopped: the new track goes out paused, as the old one was.
  nextVideo.enabled = !store.localMuted.video;
  if (live) {
    try {
      await live.room.publish(new MediaStream([nextVideo]));
    } catch (err) {
      store.setMediaError(messageOf(err));
    }
  }
}

async function publishOwnMedia(room: RoomClient): Promise<void> {
  const store = useConsole.getState();
  try {
    // After a reconnect the camera and microphone are still on: publish the same tracks.
    const current = store.localStream;
    const live = current?.getTracks().some((t) => t.readyState === 'live') ? current : null;
    const stream = live ?? withBlur(await getLocalMedia({ audio: true, video: true }));
    store.setLocalStream(stream);
    await room.publish(stream);
    // Muted before the drop stays muted after it.
    for (const kind of ['audio', 'video'] as const) if (store.localMuted[kind]) await room.setMuted(kind, true);
  } catch (err) {
    // The facilitator can still admit and see the group without a camera.
    store.setMediaError(messageOf(err));
  }
}

function wire(signaling: SignalingClient, room: RoomClient, encryption: ConsoleEncryption): (() => void)[] {
  const s = () => useConsole.getState();
  return [
    // Who holds the group key, and who is in the group, follow the room's list.
    useConsole.subscribe((state, previous) => {
      if (state.participants !== previous.participants) void encryption.update(Object.values(state.participants));
    }),
    signaling.on('memberKey', (announced) => void encryption.memberKey(announced)),
    signaling.on('groupKey', (offer) => void encryption.groupKey(offer)),
    signaling.on('knock', ({ participant }) => {
      s().upsertParticipant(participant);
      announceKnock();
    }),
    signaling.on('message', (message) => {
      // Sealed in the call: opened only if it says it is from this client to the facilitators.
      const text = 'sealed' in message ? encryption.open(message.sealed, message.from, TO_FACILITATOR) : message.text;
      if (text === undefined) return s().setNotice({ tone: 'error', text: words.room.privateUnopened });
      s().addMessage(message.from, { from: 'them', text, at: Date.now() });
    }),
    signaling.on('locked', ({ locked }) => s().setLocked(locked)),
    signaling.on('groupMessage', ({ from, sealed }) => {
      // Shown only if it opens as written by whom the server says, for the group.
      const text = encryption.open(sealed, from, TO_GROUP);
      if (text === undefined) return s().setNotice({ tone: 'error', text: words.room.groupUnopened });
      const name = s().participants[from]?.displayName ?? words.room.someoneLeft;
      s().addGroupMessage({ from, name, text, at: Date.now() });
    }),
    signaling.on('groupChat', ({ enabled }) => s().setGroupChatEnabled(enabled)),
    signaling.on('groupChatCleared', () => s().clearGroupMessages()),
    signaling.on('sessionEnded', () => {
      teardown();
      s().roomClosed(words.room.ended);
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
    room.on('mediaReset', () => {
      // The server's media restarted: every producer is gone; others' come back as producerAdded.
      for (const producerId of Object.keys(s().producers)) s().removeProducer(producerId);
      s().setNotice({ tone: 'info', text: words.room.mediaReconnecting });
    }),
    room.on('mediaRestored', () => s().setNotice({ tone: 'info', text: words.room.mediaReconnected })),
    signaling.onClose((code, reason) => {
      if (live?.signaling !== signaling) return;
      const { sessionId } = live;
      if (code === CLOSE_SIGNED_OUT) {
        teardown();
        s().roomClosed();
        s().signedOutByServer(words.room.signedOut);
      } else if (DELIBERATE_CLOSES.has(code)) {
        teardown();
        s().roomClosed(
          reason === 'replaced by a new connection'
            ? words.room.replaced
            : reason === ROLE_CHANGED
              ? words.room.roleChanged
              : words.room.closed,
        );
      } else {
        // A dropped link or a restarting server: keep the camera, get back in by ourselves.
        teardown({ keepLocalMedia: true });
        void reconnect(sessionId);
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

/**
 * Lets one client in, with the group key sealed to them where this console holds it, so that
 * they can see and hear the group from the moment they are in (services/encryption.ts).
 */
export async function admit(participantId: string): Promise<void> {
  const store = useConsole.getState();
  store.setPending(participantId, 'admit');
  const encryption = live?.encryption;
  const keys = (await encryption?.admissionKeys([participantId])) ?? {};
  const groupKey = keys[participantId];
  if ((await moderate('admit', { participantId, ...(groupKey ? { groupKey } : {}) })) !== null) return;
  store.setPending(participantId, null);
  encryption?.notAdmitted(keys);
}

export async function deny(participantId: string): Promise<void> {
  const store = useConsole.getState();
  store.setPending(participantId, 'deny');
  if ((await moderate('deny', { participantId })) === null) store.setPending(participantId, null);
}

/** Lets the whole waiting room in, each with the group key sealed to them as `admit` does. */
export async function admitAll(): Promise<void> {
  const encryption = live?.encryption;
  const groupKeys = (await encryption?.admissionKeys(Object.keys(useConsole.getState().waiting))) ?? {};
  const result = await moderate('admitAll', Object.keys(groupKeys).length > 0 ? { groupKeys } : {});
  const admitted = new Set(result?.participantIds ?? []);
  encryption?.notAdmitted(Object.fromEntries(Object.entries(groupKeys).filter(([id]) => !admitted.has(id))));
}
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
    useConsole.getState().setNotice({ tone: 'info', text: words.room.mutedAll(n) });
  }
}

export async function setLocked(locked: boolean): Promise<void> {
  if ((await moderate('lock', { locked })) !== null) useConsole.getState().setLocked(locked);
}

export const toggleLock = () => setLocked(!useConsole.getState().locked);

/** How someone's video is shown in the grid (RoomClient.viewTrack): unseen tiles receive nothing, small ones less. */
export function viewVideo(track: MediaStreamTrack, view: TileView): void {
  live?.room.viewTrack(track, view);
}

export async function endSession(): Promise<void> {
  if ((await moderate('end', {})) === null) return;
  teardown();
  useConsole.getState().roomClosed(words.room.youEnded);
}

/**
 * A private message to one client: sealed end to end once they are in the group and keyed
 * (so the server relays what it cannot read); to someone in the waiting room, who holds no
 * key, in plain text over TLS, as the conversation panel says.
 */
export async function sendMessage(participantId: string, text: string): Promise<boolean> {
  if (!live) return false;
  const inGroup = !!useConsole.getState().participants[participantId];
  const sealed = inGroup && isKeyed(participantId) ? live.encryption.seal(TO_FACILITATOR, participantId, text.trim()) : undefined;
  if (inGroup && !sealed) {
    useConsole.getState().setNotice({ tone: 'error', text: words.room.noKeyForClient });
    return false;
  }
  const sent = (await moderate('message', sealed ? { to: participantId, sealed } : { to: participantId, text })) !== null;
  if (sent) useConsole.getState().addMessage(participantId, { from: 'me', text: text.trim(), at: Date.now() });
  return sent;
}

/**
 * A message to the whole group (issue 20): sealed under the group key as from this console's
 * participantId to the group, never in the clear; without the key yet, it is not sent.
 */
export async function sendGroupMessage(text: string): Promise<boolean> {
  const { myParticipantId, encryption: view } = useConsole.getState();
  if (!live || !myParticipantId) return false;
  const sealed = view.keyed ? live.encryption.seal(myParticipantId, TO_GROUP, text.trim()) : undefined;
  if (!sealed) {
    useConsole.getState().setNotice({ tone: 'error', text: words.room.notKeyed });
    return false;
  }
  const sent = (await moderate('groupMessage', { sealed })) !== null;
  if (sent) useConsole.getState().addGroupMessage({ from: 'me', name: words.room.you, text: text.trim(), at: Date.now() });
  return sent;
}

/** Turns the group chat on or off for everyone (audited by the server). */
export async function setGroupChat(enabled: boolean): Promise<void> {
  if ((await moderate('setGroupChat', { enabled })) !== null) useConsole.getState().setGroupChatEnabled(enabled);
}

/** Every screen in the group drops what the group chat shows (audited by the server). */
export async function clearGroupChat(): Promise<void> {
  if ((await moderate('clearGroupChat', {})) !== null) useConsole.getState().clearGroupMessages();
}

export async function setMuted(kind: MediaKind, muted: boolean): Promise<void> {
  if (!live) return;
  await live.room.setMuted(kind, muted);
  useConsole.getState().setLocalMuted(kind, muted);
}

/** Whether `participantId` has been given the group key (as far as this console can tell). */
function isKeyed(participantId: string): boolean {
  const { encryption } = useConsole.getState();
  if (encryption.role !== 'holder') return encryption.keyed;
  const trust = encryption.trust[participantId];
  return trust === 'proved' || trust === 'code confirmed';
}

/**
 * Lets `participantId`, whose browser cannot encrypt, take part by audio in the clear, or no
 * longer (services/encryption.ts): only the console holding the key can; the facilitator was
 * told what it means before asking.
 */
export async function allowClearAudio(participantId: string, allowed: boolean): Promise<void> {
  const encryption = live?.encryption;
  if (!encryption) return;
  try {
    if (!(await encryption.allowClearAudio(participantId, allowed)) && allowed) {
      useConsole.getState().setNotice({ tone: 'error', text: words.dialogs.clearAudio.notHolder });
    }
  } catch (err) {
    useConsole.getState().setNotice({ tone: 'error', text: messageOf(err) });
  }
}

/** The code to read with `participantId` (see services/encryption.ts). */
export async function safetyCodeFor(participantId: string): Promise<string | undefined> {
  return live?.encryption.codeFor(participantId);
}

/** The facilitator and `participantId` read the same code. */
export async function confirmSafetyCode(participantId: string): Promise<void> {
  await live?.encryption.confirmCode(participantId);
}

function stopLocalMedia(): void {
  const stream = useConsole.getState().localStream;
  // A blurred camera's track stops its camera with it (BackdropProcessor).
  stream?.getTracks().forEach((t) => t.stop());
  blur = null;
  useConsole.getState().clearMedia();
}

function teardown({ keepLocalMedia = false } = {}): void {
  if (!live) return;
  const { room, signaling, encryption, unsubscribe } = live;
  live = null;
  unsubscribe.forEach((u) => u());
  room.close();
  encryption.close();
  signaling.close();
  if (!keepLocalMedia) stopLocalMedia();
  else useConsole.getState().clearRemoteMedia();
}

export async function closeSession(): Promise<void> {
  if (reconnecting) {
    // Leaving while reconnecting: stop trying, and let go of the camera.
    reconnecting.cancelled = true;
    reconnecting = null;
    stopLocalMedia();
    useConsole.getState().roomClosed();
    if (!live) return;
  }
  if (!live) return;
  try {
    await live.signaling.request('leave', {});
  } catch {
    // Leaving closes the socket either way.
  }
  teardown();
  useConsole.getState().roomClosed();
}
