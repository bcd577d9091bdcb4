/**
 * Everything the participant page does to the world: the signaling socket, the RoomClient,
 * the camera and microphone. Components call these methods; results land in the store.
 */
import {
  ProtocolError,
  type MediaKind,
  type NotificationTypes,
  type ParticipantHelloResult,
  type RtpCapabilities,
} from '../shared/protocol';
import { RoomClient } from '../client/roomClient';
import { SignalingClient } from '../client/signaling';
import { getLocalMedia, MediaAccessError } from '../client/media';
import { DELIBERATE_CLOSES, getBackIn } from '../client/reconnect';
import {
  deviceName,
  noticeText,
  notOpenYet,
  PASSCODE_MISMATCH,
  RETURNED_TO_WAITING,
  UNEXPECTED,
  unmutePromptCopy,
  UNREACHABLE,
} from './copy';
import { initialModeration, type MessageCheck } from './moderation';
import * as chat from './chat';
import { addPeer, addRemoteTrack, dropRemoteTrack, removePeer, setRemotePaused, toPeer } from './peers';
import {
  announce,
  initialState,
  moderate,
  pageState,
  setPageState,
  type EndReason,
  type Peer,
} from './store';

const MEDIA_RECONNECTING = 'Reconnecting audio and video…';

export interface CheckInForm {
  displayName: string;
  agreed: boolean;
  location: string;
  emergencyContact: string;
}

const HELLO_ENDINGS: Partial<Record<ProtocolError['code'], EndReason>> = {
  RATE_LIMITED: 'rateLimited',
  // A revoked invitation: the person was removed earlier (or the clinic withdrew it).
  REMOVED: 'revoked',
  SESSION_ENDED: 'sessionEnded',
  ROOM_LOCKED: 'roomLocked',
  CONFLICT: 'conflict',
};


export class ParticipantService {
  private signaling: SignalingClient | null = null;
  /** From the last hello: gets this person back into their place after a dropped connection. Memory only. */
  private resumeToken: string | null = null;
  /** Bumped by every ending, so a reconnect loop from before it stops. */
  private generation = 0;
  private room: RoomClient | null = null;
  private roomSubscriptions: (() => void)[] = [];
  private leaving = false;
  /** The router's codecs from check-in, to prepare a fresh media engine after a return to the waiting room. */
  private routerRtpCapabilities: RtpCapabilities | null = null;
  /**
   * The passcode of the last hello, kept in memory only while a locked room may open again,
   * so "Try again" does not make the person type it twice.
   */
  private lockedPasscode: string | null = null;

  constructor(
    private readonly token: string | null,
    private readonly wsUrl: string,
    /** Why there is no token, when there is none (location.ts). */
    missing: 'invalidLink' | 'linkNeeded' = 'invalidLink',
  ) {
    if (!token) this.end(missing);
  }

  private setWantFlag(kind: MediaKind, on: boolean): void {
    setPageState(kind === 'audio' ? { wantAudio: on } : { wantVideo: on });
  }
  private setBusy(kind: MediaKind, busy: boolean): void {
    setPageState((s) => ({ mediaBusy: { ...s.mediaBusy, [kind]: busy } }));
  }

  // ---- passcode -------------------------------------------------------------------------

  async submitPasscode(passcode: string): Promise<void> {
    if (!this.token) return this.end('invalidLink');
    const code = passcode.trim();
    if (!code) {
      setPageState({ formError: 'Please enter the passcode from your therapist’s message.' });
      return;
    }
    setPageState({ busy: true, formError: null });
    await this.hello(code);
  }

  /**
   * "Try again" on an ending screen. A locked room is asked again with the same passcode;
   * anything else starts over at the passcode screen.
   */
  async retry(): Promise<void> {
    const code = this.lockedPasscode;
    if (pageState().endReason !== 'roomLocked' || !code || !this.token) return this.restart();
    setPageState({ retrying: true, formError: null });
    await this.hello(code);
    if (pageState().screen === 'ended' && pageState().endReason === 'roomLocked') {
      const at = new Date().toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
      setPageState({ formError: `Still locked when we checked at ${at}. You can try again in a moment.` });
      announce('The session is still locked. You can try again in a moment.');
    }
  }

  private async hello(code: string): Promise<void> {
    if (!this.token) return this.end('invalidLink');
    const fromEnding = pageState().screen === 'ended';
    try {
      const signaling = await this.ensureSocket();
      const hello = await signaling.request('hello', { as: 'participant', invite: this.token, passcode: code });
      if (!('agreement' in hello)) throw new ProtocolError('INTERNAL', 'unexpected hello answer');
      this.resumeToken = hello.resumeToken;
      this.lockedPasscode = null;
      setPageState({
        busy: false,
        retrying: false,
        formError: null,
        endReason: null,
        screen: 'checkIn',
        sessionTitle: hello.session.title,
        agreement: hello.agreement,
        participantId: hello.participantId,
      });
      announce('Passcode accepted. Next, check in for the session.');
      void this.refreshPreview();
    } catch (err) {
      setPageState({ busy: false, retrying: false });
      if (err instanceof ProtocolError) {
        const ending = HELLO_ENDINGS[err.code];
        if (ending) {
          this.end(ending);
          if (ending === 'roomLocked') this.lockedPasscode = code;
          return;
        }
        const message =
          err.code === 'UNAUTHENTICATED' || err.code === 'BAD_REQUEST'
            ? PASSCODE_MISMATCH
            : err.code === 'FORBIDDEN'
              ? notOpenYet(err.message)
              : UNEXPECTED;
        // From an ending screen, a passcode problem belongs on the passcode screen.
        if (fromEnding && message === PASSCODE_MISMATCH) this.restart();
        setPageState({ formError: message });
        return;
      }
      setPageState({ formError: UNREACHABLE });
    }
  }

  /** The open socket, or a new one (the last may have closed between passcode attempts). */
  private async ensureSocket(): Promise<SignalingClient> {
    if (this.signaling?.isOpen) return this.signaling;
    const signaling = await SignalingClient.connect(this.wsUrl);
    this.signaling = signaling;
    this.leaving = false;
    this.listen(signaling);
    return signaling;
  }

  private listen(signaling: SignalingClient): void {
    signaling.on('admitted', (d) => void this.onAdmitted(d));
    signaling.on('denied', () => this.end('denied'));
    signaling.on('removed', () => this.end('removed'));
    signaling.on('sessionEnded', () => this.end('sessionEnded'));
    signaling.on('returnedToWaiting', () => this.onReturnedToWaiting());
    signaling.on('peerJoined', ({ participant }) => addPeer(participant));
    signaling.on('peerLeft', ({ participantId }) => removePeer(participantId));
    signaling.on('mutedByFacilitator', ({ kind }) => this.onMutedByFacilitator(kind));
    signaling.on('unmuteAllowed', ({ kind }) => this.onUnmuteAllowed(kind));
    signaling.on('locked', ({ locked }) => this.onLocked(locked));
    signaling.on('message', ({ from, text }) => chat.onMessage(from, text));
    signaling.onClose((code) => this.onSocketClosed(signaling, code));
  }

  private onSocketClosed(signaling: SignalingClient, code: number): void {
    if (signaling !== this.signaling) return;
    this.signaling = null;
    const { screen } = pageState();
    // Before hello succeeds a closed socket is harmless: the next attempt opens another.
    if (screen === 'ended' || screen === 'passcode') return;
    if (this.leaving) return this.end('left');
    // A dropped link or a restarting server: the server keeps this person's place for a
    // while, so get back into it rather than send them to the start.
    if (this.resumeToken && !DELIBERATE_CLOSES.has(code)) return void this.reconnect();
    this.end('connectionLost');
  }

  /**
   * Back into the same place with the resume token, with backoff, for RECONNECT_WINDOW_MS:
   * the waiting room stays the waiting room, the group is rejoined (the server admits again
   * at once), and the camera and microphone as chosen are published again. What the person
   * sees meanwhile: their own screen, with a calm note that the connection is coming back.
   */
  private async reconnect(): Promise<void> {
    const generation = ++this.generation;
    const wasInGroup = pageState().screen === 'call' || pageState().screen === 'joining';
    this.closeRoom();
    setPageState({ reconnecting: true, peers: {}, remote: {} });
    announce('Your connection dropped. Reconnecting… you keep your place.');
    const result = await getBackIn({
      attempt: () => this.resume(),
      // The place is gone (too long away) or the answer is final: say so plainly.
      isFinal: (err) => err instanceof ProtocolError,
      cancelled: () => generation !== this.generation || pageState().screen === 'ended',
    });
    if (result.outcome === 'refused') {
      const ending = result.error instanceof ProtocolError ? HELLO_ENDINGS[result.error.code] : undefined;
      return this.end(ending ?? 'connectionLost');
    }
    if (result.outcome === 'timedOut') return this.end('connectionLost');
    if (result.outcome === 'cancelled') return;
    const hello = result.value;
    this.resumeToken = hello.resumeToken;
    setPageState({ reconnecting: false });
    if (hello.state === 'check-in') {
      setPageState({ screen: 'checkIn' });
    } else if (hello.readmitting) {
      // `admitted` follows at once; onAdmitted rejoins the group and publishes again.
      setPageState({ screen: 'joining' });
    } else {
      setPageState({ screen: 'waiting', waitingNote: wasInGroup ? 'returned' : pageState().waitingNote });
      announce(
        wasInGroup ? 'You are back, in the waiting room. Your therapist will let you in again.' : 'You are back in the waiting room.',
      );
    }
  }

  /** One try at getting back in: a new socket, and hello with the resume token. */
  private async resume(): Promise<ParticipantHelloResult> {
    const token = this.resumeToken;
    // Not met in practice: only an ending forgets the token, and an ending cancels the loop first.
    if (!token) throw new ProtocolError('UNAUTHENTICATED', 'no place to resume');
    let signaling: SignalingClient | null = null;
    try {
      signaling = await SignalingClient.connect(this.wsUrl);
      this.listen(signaling);
      this.signaling = signaling;
      const hello = await signaling.request('hello', { as: 'resume', resumeToken: token });
      if (!('agreement' in hello)) throw new ProtocolError('INTERNAL', 'unexpected hello answer');
      return hello;
    } catch (err) {
      if (signaling && this.signaling === signaling) this.signaling = null;
      signaling?.close();
      throw err;
    }
  }

  // ---- check-in -------------------------------------------------------------------------

  async setWant(kind: MediaKind, on: boolean): Promise<void> {
    const { screen } = pageState();
    if (screen === 'call') return this.toggleInCall(kind, on);
    // While joining, the media engine is being set up with what was chosen; wait for it.
    if (screen === 'joining') return;
    setPageState(kind === 'audio' ? { wantAudio: on, mediaError: null } : { wantVideo: on, mediaError: null });
    await this.refreshPreview();
  }

  /** Makes the live local tracks match what the person chose (before the call). */
  private async refreshPreview(): Promise<void> {
    for (const kind of ['video', 'audio'] as const) {
      const want = kind === 'audio' ? pageState().wantAudio : pageState().wantVideo;
      const track = this.localTrack(kind);
      if (want && !track) await this.acquire(kind);
      else if (!want && track) this.releaseTrack(kind);
    }
  }

  private localTrack(kind: MediaKind): MediaStreamTrack | null {
    return kind === 'audio' ? pageState().localAudio : pageState().localVideo;
  }

  private async acquire(kind: MediaKind): Promise<MediaStreamTrack | null> {
    try {
      const stream = await getLocalMedia({ audio: kind === 'audio', video: kind === 'video' });
      const track = stream.getTracks()[0] ?? null;
      // The choice may have changed while the browser asked for permission.
      const still = kind === 'audio' ? pageState().wantAudio : pageState().wantVideo;
      if (!track || !still || pageState().screen === 'ended') {
        track?.stop();
        return null;
      }
      track.addEventListener('ended', () => {
        if (this.localTrack(kind) === track) setPageState(kind === 'audio' ? { localAudio: null } : { localVideo: null });
      });
      setPageState(kind === 'audio' ? { localAudio: track } : { localVideo: track });
      return track;
    } catch (err) {
      const message = err instanceof MediaAccessError ? err.message : `Your ${deviceName(kind)} couldn't be started.`;
      setPageState(kind === 'audio' ? { wantAudio: false, mediaError: message } : { wantVideo: false, mediaError: message });
      return null;
    }
  }

  private releaseTrack(kind: MediaKind): void {
    this.localTrack(kind)?.stop();
    setPageState(kind === 'audio' ? { localAudio: null } : { localVideo: null });
  }

  async checkIn(form: CheckInForm): Promise<void> {
    const signaling = this.signaling;
    const agreement = pageState().agreement;
    if (!signaling || !agreement) return this.end('connectionLost');
    const displayName = form.displayName.trim();
    if (!displayName) {
      setPageState({ formError: 'Please enter a first name or pseudonym.' });
      return;
    }
    if (!form.agreed) {
      setPageState({ formError: 'Please read the group agreement and tick the box to agree before you continue.' });
      return;
    }
    setPageState({ busy: true, formError: null });
    const location = form.location.trim();
    const emergencyContact = form.emergencyContact.trim();
    try {
      const { routerRtpCapabilities } = await signaling.request('checkIn', {
        displayName,
        agreementVersion: agreement.version,
        media: { audio: !!pageState().localAudio, video: !!pageState().localVideo },
        ...(location ? { location } : {}),
        ...(emergencyContact ? { emergencyContact } : {}),
      });
      this.routerRtpCapabilities = routerRtpCapabilities;
      setPageState({ busy: false, screen: 'waiting', displayName, waitingNote: null });
      announce('You are checked in. Waiting for your therapist to let you in.');
      // Get the media ready while waiting (connected, sending nothing), so being let in is quick.
      this.getReady(this.openRoom(signaling), routerRtpCapabilities);
    } catch (err) {
      setPageState({ busy: false });
      if (!(err instanceof ProtocolError)) return; // the close handler shows what happened
      if (err.code === 'CONFLICT') {
        setPageState({
          formError: 'The group agreement was just updated. Please reload this page to read the new version.',
        });
      } else if (err.code === 'BAD_REQUEST') {
        setPageState({ formError: 'Please check your name: 1 to 40 characters, letters, numbers and spaces are fine.' });
      } else {
        const ending = HELLO_ENDINGS[err.code];
        if (ending) this.end(ending);
        else setPageState({ formError: UNEXPECTED });
      }
    }
  }

  // ---- waiting and the call -----------------------------------------------------------

  private async onAdmitted(data: NotificationTypes['admitted']): Promise<void> {
    const signaling = this.signaling;
    if (!signaling || pageState().screen === 'ended') return;
    const self = pageState().participantId;
    const peers: Record<string, Peer> = {};
    for (const p of data.participants) if (p.participantId !== self) peers[p.participantId] = toPeer(p);
    // A mute from before a return to the waiting room still holds: the server says so here.
    const muted = data.participants.find((p) => p.participantId === self)?.mutedByFacilitator ?? {
      audio: false,
      video: false,
    };
    const returning = pageState().waitingNote === 'returned';
    const room = this.room ?? this.openRoom(signaling);
    const { localAudio, localVideo } = pageState();
    const wantAudio = pageState().wantAudio && !muted.audio;
    const wantVideo = pageState().wantVideo && !muted.video;
    const tracks = [wantAudio ? localAudio : null, wantVideo ? localVideo : null].filter(
      (t): t is MediaStreamTrack => !!t,
    );
    const publishing = tracks.length > 0;
    // Made ready while waiting: sending starts with a track swap and a word to the server.
    const ready = room.hasHeldMedia;
    try {
      const joining = room.join({
        routerRtpCapabilities: data.routerRtpCapabilities,
        producers: data.producers,
        ...(self ? { selfParticipantId: self } : {}),
        // Our camera first: the group is waiting to see who came in (RoomClient.join). Media
        // made ready while waiting is connected already, and nothing needs to wait for it.
        sendFirst: publishing && !ready,
      });
      const published = publishing ? room.publish(new MediaStream(tracks)) : undefined;
      // Their failures are handled below, after the wait; not reported as unhandled meanwhile.
      joining.catch(() => undefined);
      published?.catch(() => undefined);
      // The store only now: each change schedules a render ahead of the media's next step,
      // and the requests above should be on their way first.
      moderate({
        type: 'admitted',
        mutedByFacilitator: muted,
        ...(typeof data.locked === 'boolean' ? { locked: data.locked } : {}),
      });
      if (muted.audio) setPageState({ wantAudio: false });
      if (muted.video) {
        setPageState({ wantVideo: false });
        this.releaseTrack('video');
      }
      setPageState({ peers, remote: {}, waitingNote: 'letIn', mediaBusy: { audio: false, video: false } });
      announce(`Your therapist let you ${returning ? 'back ' : ''}in. Joining the group…`);
      // Drawing the call screen holds this page's thread for tens of ms; done while the
      // camera's connection is being negotiated, or its track swapped in, it holds that back
      // too. So the waiting screen stays up, saying the person is being let in, until our
      // first stream exists (a fraction of a second at most), or with media made ready while
      // waiting, until it is being sent.
      await (ready && published ? published.catch(() => undefined) : room.firstProducer());
      if (this.room !== room) return;
      setPageState({ screen: 'joining', waitingNote: null });
      await Promise.all([joining, published]);
      if (this.room !== room) return;
      setPageState({ screen: 'call' });
      const others = Object.keys(pageState().peers).length;
      announce(`You joined the group. ${others === 1 ? '1 other person is' : `${others} other people are`} here.`);
    } catch (err) {
      if (this.room !== room) return;
      console.error('join failed', err);
      // The call screen still works without our own media; say so rather than stopping.
      setPageState({ screen: 'call', mediaError: 'Your camera or microphone could not be connected to the group.' });
    }
  }

  /**
   * While waiting: connects the media for the camera and microphone the person has on the
   * preview (RoomClient.getReady; nothing of them is sent before admission).
   */
  private getReady(room: RoomClient, routerRtpCapabilities: RtpCapabilities): void {
    const kinds: MediaKind[] = [];
    if (pageState().localVideo) kinds.push('video');
    if (pageState().localAudio) kinds.push('audio');
    room.getReady(routerRtpCapabilities, kinds).catch((err: unknown) => console.warn('getting the media ready failed', err));
  }

  /** The one RoomClient of this connection, subscribed from the start so no notification is missed. */
  private openRoom(signaling: SignalingClient): RoomClient {
    this.closeRoom();
    const room = new RoomClient(signaling);
    this.room = room;
    this.roomSubscriptions = [
      room.on('track', ({ participantId, producerId, kind, track }) => addRemoteTrack(participantId, producerId, kind, track)),
      room.on('trackEnded', ({ participantId, producerId }) => dropRemoteTrack(participantId, producerId)),
      room.on('producerPaused', ({ producerId, paused }) => setRemotePaused(producerId, paused)),
      room.on('error', ({ message }) => console.warn('room:', message)),
      // The server's media restarted; the RoomClient reconnects by itself, the person only needs to know why it froze.
      room.on('mediaReset', () => setPageState({ mediaError: MEDIA_RECONNECTING })),
      room.on('mediaRestored', () => setPageState((s) => (s.mediaError === MEDIA_RECONNECTING ? { mediaError: null } : {}))),
    ];
    return room;
  }

  private async toggleInCall(kind: MediaKind, on: boolean): Promise<void> {
    const room = this.room;
    if (!room || pageState().mediaBusy[kind]) return;
    if (on && pageState().moderation.mutedByFacilitator[kind]) {
      // Explain, calmly; the server would refuse anyway.
      moderate({ type: 'blockedAttempt', kind });
      announce(noticeText({ type: 'stillMuted', kind }));
      return;
    }
    this.setBusy(kind, true);
    this.setWantFlag(kind, on);
    setPageState({ mediaError: null });
    try {
      if (on) {
        // Turning the camera off releases it (its light goes off), so turning on may need a new track.
        const track = this.localTrack(kind) ?? (await this.acquire(kind));
        if (!track) return; // acquire() said why and put the switch back
        if (!room.isPublishing(kind) || kind === 'video') await room.publish(new MediaStream([track]));
        await room.setMuted(kind, false);
        moderate({ type: 'turnedOn', kind });
      } else {
        await room.setMuted(kind, true);
        if (kind === 'video') this.releaseTrack('video');
      }
      announce(
        kind === 'video' && !on
          ? 'Your camera is off. You are audio only.'
          : `Your ${deviceName(kind)} is ${on ? 'on' : 'off'}.`,
      );
    } catch (err) {
      if (on) {
        // Nothing of ours may stay live that the group cannot see: put it back to off.
        room.pauseLocally(kind);
        if (kind === 'video') this.releaseTrack('video');
      }
      this.setWantFlag(kind, !on);
      if (err instanceof ProtocolError && err.code === 'MUTED_BY_FACILITATOR') {
        moderate({ type: 'unmuteRefused', kind });
        announce(noticeText({ type: 'refused', kind }));
        return;
      }
      const message = `Your ${deviceName(kind)} couldn't be turned ${on ? 'on' : 'off'} just now. Please try again.`;
      setPageState({ mediaError: message });
      announce(message);
    } finally {
      this.setBusy(kind, false);
    }
  }

  /** The server has already paused our producer; make our side match and say so gently. */
  private onMutedByFacilitator(kind: MediaKind): void {
    moderate({ type: 'muted', kind });
    this.setWantFlag(kind, false);
    this.room?.pauseLocally(kind);
    // The camera light goes off too: nothing is captured that nobody may see.
    if (kind === 'video') this.releaseTrack('video');
    announce(noticeText({ type: 'muted', kind }));
  }

  /** Lifts the lock and asks; the person decides. The page never turns anything on by itself. */
  private onUnmuteAllowed(kind: MediaKind): void {
    const alreadyOn = kind === 'audio' ? pageState().wantAudio : pageState().wantVideo;
    moderate({ type: 'unmuteAllowed', kind });
    if (alreadyOn) {
      moderate({ type: 'promptDismissed', kind });
      return;
    }
    announce(`${unmutePromptCopy(kind).title}. It's your choice.`);
  }

  /** The prompt's "Unmute" (or "Turn camera on"). */
  async acceptUnmute(kind: MediaKind): Promise<void> {
    moderate({ type: 'promptDismissed', kind });
    await this.toggleInCall(kind, true);
  }

  /** The prompt's "Not now": the button stays available for later. */
  declineUnmute(kind: MediaKind): void {
    moderate({ type: 'promptDismissed', kind });
    announce(`Your ${deviceName(kind)} stays off. You can turn it on whenever you're ready.`);
  }

  dismissNotice(): void {
    moderate({ type: 'noticeDismissed' });
  }

  private onLocked(locked: boolean): void {
    const was = pageState().moderation.locked;
    moderate({ type: 'locked', locked });
    const { screen } = pageState();
    if (was === locked || (screen !== 'call' && screen !== 'waiting')) return;
    announce(
      locked
        ? 'Your therapist closed the session to new arrivals. Nothing changes for you.'
        : 'Your therapist opened the session to new arrivals again.',
    );
  }

  // ---- private messages to the therapist -------------------------------------------------

  sendMessage(raw: string): Promise<MessageCheck> {
    return chat.sendMessage(this.signaling, raw);
  }

  openChat(): void {
    chat.openChat();
  }

  closeChat(): void {
    chat.closeChat();
  }

  dismissPreview(): void {
    chat.dismissPreview();
  }

  // ---- back to the waiting room ------------------------------------------------------------

  private onReturnedToWaiting(): void {
    // The server closed our transports; close ours, so nothing is sent or received.
    this.closeRoom();
    moderate({ type: 'chatClosed' });
    setPageState((s) => ({
      screen: 'waiting',
      waitingNote: 'returned',
      peers: {},
      remote: {},
      mediaBusy: { audio: false, video: false },
      mediaError: null,
      moderation: { ...s.moderation, notice: null, unmuteAsked: { audio: false, video: false } },
    }));
    // A fresh media engine, subscribed at once, for when they are let back in.
    const signaling = this.signaling;
    if (signaling) {
      const room = this.openRoom(signaling);
      if (this.routerRtpCapabilities) this.getReady(room, this.routerRtpCapabilities);
    }
    // The preview shows what the person chose; nothing reaches the group from here.
    void this.refreshPreview();
    announce(`${RETURNED_TO_WAITING}. You'll rejoin the group automatically when they let you back in.`);
  }

  // ---- leaving and endings --------------------------------------------------------------

  async leave(): Promise<void> {
    this.leaving = true;
    setPageState({ busy: true });
    try {
      await this.signaling?.request('leave', {});
    } catch {
      // Leaving must always work from the person's point of view.
    }
    this.end('left');
  }

  /** From a retryable ending back to the passcode screen, keeping the person's choices. */
  restart(): void {
    const { wantAudio, wantVideo } = pageState();
    this.lockedPasscode = null;
    setPageState({ ...initialState, wantAudio, wantVideo, screen: 'passcode' });
  }

  private end(reason: EndReason): void {
    this.generation++;
    this.resumeToken = null;
    this.closeRoom();
    const signaling = this.signaling;
    this.signaling = null;
    signaling?.close();
    pageState().localAudio?.stop();
    pageState().localVideo?.stop();
    this.lockedPasscode = null;
    this.routerRtpCapabilities = null;
    setPageState({
      screen: 'ended',
      endReason: reason,
      busy: false,
      retrying: false,
      formError: null,
      localAudio: null,
      localVideo: null,
      mediaBusy: { audio: false, video: false },
      peers: {},
      remote: {},
      waitingNote: null,
      reconnecting: false,
      // Messages, mutes and the lock belong to this visit only: nothing stays behind.
      moderation: initialModeration,
    });
  }

  private closeRoom(): void {
    for (const u of this.roomSubscriptions.splice(0)) u();
    this.room?.close();
    this.room = null;
  }
}
