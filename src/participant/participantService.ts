/**
 * Everything the participant page does to the world: the signaling socket, the RoomClient,
 * the camera and microphone. Components call these methods; results land in the store.
 */
import { ProtocolError, type MediaKind, type NotificationTypes, type Participant } from '../shared/protocol';
import { RoomClient } from '../client/roomClient';
import { SignalingClient } from '../client/signaling';
import { getLocalMedia, MediaAccessError } from '../client/media';
import { PASSCODE_MISMATCH, UNEXPECTED, UNREACHABLE } from './copy';
import { initialState, useParticipantStore, type EndReason, type ParticipantState, type Peer } from './store';

export interface CheckInForm {
  displayName: string;
  agreed: boolean;
  location: string;
  emergencyContact: string;
}

const HELLO_ENDINGS: Partial<Record<ProtocolError['code'], EndReason>> = {
  RATE_LIMITED: 'rateLimited',
  REMOVED: 'removed',
  SESSION_ENDED: 'sessionEnded',
  ROOM_LOCKED: 'roomLocked',
  CONFLICT: 'conflict',
};

export class ParticipantService {
  private signaling: SignalingClient | null = null;
  private room: RoomClient | null = null;
  private roomSubscriptions: (() => void)[] = [];
  private leaving = false;

  constructor(
    private readonly token: string | null,
    private readonly wsUrl: string,
  ) {
    if (!token) this.end('invalidLink');
  }

  // ---- store helpers --------------------------------------------------------------------

  private get state(): ParticipantState {
    return useParticipantStore.getState();
  }
  private set(partial: Partial<ParticipantState> | ((s: ParticipantState) => Partial<ParticipantState>)): void {
    useParticipantStore.setState(partial);
  }
  private announce(text: string): void {
    this.set({ announcement: text });
  }

  // ---- passcode -------------------------------------------------------------------------

  async submitPasscode(passcode: string): Promise<void> {
    if (!this.token) return this.end('invalidLink');
    const code = passcode.trim();
    if (!code) {
      this.set({ formError: 'Please enter the passcode from your therapist’s message.' });
      return;
    }
    this.set({ busy: true, formError: null });
    try {
      const signaling = await this.ensureSocket();
      const hello = await signaling.request('hello', { as: 'participant', invite: this.token, passcode: code });
      if (!('agreement' in hello)) throw new ProtocolError('INTERNAL', 'unexpected hello answer');
      this.set({
        busy: false,
        screen: 'checkIn',
        sessionTitle: hello.session.title,
        agreement: hello.agreement,
        participantId: hello.participantId,
      });
      this.announce('Passcode accepted. Next, check in for the session.');
      void this.refreshPreview();
    } catch (err) {
      this.set({ busy: false });
      if (err instanceof ProtocolError) {
        const ending = HELLO_ENDINGS[err.code];
        if (ending) return this.end(ending);
        if (err.code === 'UNAUTHENTICATED' || err.code === 'BAD_REQUEST') {
          this.set({ formError: PASSCODE_MISMATCH });
          return;
        }
        this.set({ formError: UNEXPECTED });
        return;
      }
      this.set({ formError: UNREACHABLE });
    }
  }

  /** The open socket, or a new one (the last may have closed between passcode attempts). */
  private async ensureSocket(): Promise<SignalingClient> {
    if (this.signaling?.isOpen) return this.signaling;
    const signaling = await SignalingClient.connect(this.wsUrl);
    this.signaling = signaling;
    this.leaving = false;
    signaling.on('admitted', (d) => void this.onAdmitted(d));
    signaling.on('denied', () => this.end('denied'));
    signaling.on('removed', () => this.end('removed'));
    signaling.on('sessionEnded', () => this.end('sessionEnded'));
    signaling.on('returnedToWaiting', () => this.onReturnedToWaiting());
    signaling.on('peerJoined', ({ participant }) => this.addPeer(participant));
    signaling.on('peerLeft', ({ participantId }) => this.removePeer(participantId));
    signaling.on('mutedByFacilitator', ({ kind }) => void this.onMutedByFacilitator(kind));
    signaling.on('unmuteAllowed', ({ kind }) => {
      this.set((s) => ({ mutedByFacilitator: { ...s.mutedByFacilitator, [kind]: false } }));
      this.announce(`Your therapist has invited you to turn your ${deviceName(kind)} back on when you're ready.`);
    });
    signaling.onClose(() => this.onSocketClosed(signaling));
    return signaling;
  }

  private onSocketClosed(signaling: SignalingClient): void {
    if (signaling !== this.signaling) return;
    this.signaling = null;
    const { screen } = this.state;
    // Before hello succeeds a closed socket is harmless: the next attempt opens another.
    if (screen === 'ended' || screen === 'passcode') return;
    this.end(this.leaving ? 'left' : 'connectionLost');
  }

  // ---- check-in -------------------------------------------------------------------------

  async setWant(kind: MediaKind, on: boolean): Promise<void> {
    if (this.state.screen === 'call') return this.toggleInCall(kind, on);
    this.set(kind === 'audio' ? { wantAudio: on, mediaError: null } : { wantVideo: on, mediaError: null });
    await this.refreshPreview();
  }

  /** Makes the live local tracks match what the person chose (before the call). */
  private async refreshPreview(): Promise<void> {
    for (const kind of ['video', 'audio'] as const) {
      const want = kind === 'audio' ? this.state.wantAudio : this.state.wantVideo;
      const track = this.localTrack(kind);
      if (want && !track) await this.acquire(kind);
      else if (!want && track) this.releaseTrack(kind);
    }
  }

  private localTrack(kind: MediaKind): MediaStreamTrack | null {
    return kind === 'audio' ? this.state.localAudio : this.state.localVideo;
  }

  private async acquire(kind: MediaKind): Promise<MediaStreamTrack | null> {
    try {
      const stream = await getLocalMedia({ audio: kind === 'audio', video: kind === 'video' });
      const track = stream.getTracks()[0] ?? null;
      // The choice may have changed while the browser asked for permission.
      const still = kind === 'audio' ? this.state.wantAudio : this.state.wantVideo;
      if (!track || !still || this.state.screen === 'ended') {
        track?.stop();
        return null;
      }
      track.addEventListener('ended', () => {
        if (this.localTrack(kind) === track) this.set(kind === 'audio' ? { localAudio: null } : { localVideo: null });
      });
      this.set(kind === 'audio' ? { localAudio: track } : { localVideo: track });
      return track;
    } catch (err) {
      const message = err instanceof MediaAccessError ? err.message : `Your ${deviceName(kind)} couldn't be started.`;
      this.set(kind === 'audio' ? { wantAudio: false, mediaError: message } : { wantVideo: false, mediaError: message });
      return null;
    }
  }

  private releaseTrack(kind: MediaKind): void {
    this.localTrack(kind)?.stop();
    this.set(kind === 'audio' ? { localAudio: null } : { localVideo: null });
  }

  async checkIn(form: CheckInForm): Promise<void> {
    const signaling = this.signaling;
    const agreement = this.state.agreement;
    if (!signaling || !agreement) return this.end('connectionLost');
    const displayName = form.displayName.trim();
    if (!displayName) {
      this.set({ formError: 'Please enter a first name or pseudonym.' });
      return;
    }
    if (!form.agreed) {
      this.set({ formError: 'Please read the group agreement and tick the box to agree before you continue.' });
      return;
    }
    this.set({ busy: true, formError: null });
    const location = form.location.trim();
    const emergencyContact = form.emergencyContact.trim();
    try {
      const { routerRtpCapabilities } = await signaling.request('checkIn', {
        displayName,
        agreementVersion: agreement.version,
        media: { audio: !!this.state.localAudio, video: !!this.state.localVideo },
        ...(location ? { location } : {}),
        ...(emergencyContact ? { emergencyContact } : {}),
      });
      this.set({ busy: false, screen: 'waiting', displayName });
      this.announce('You are checked in. Waiting for your therapist to let you in.');
      // Get the media engine ready while waiting, so being let in is quick.
      this.openRoom(signaling).prepare(routerRtpCapabilities).catch(() => undefined);
    } catch (err) {
      this.set({ busy: false });
      if (!(err instanceof ProtocolError)) return; // the close handler shows what happened
      if (err.code === 'CONFLICT') {
        this.set({
          formError: 'The group agreement was just updated. Please reload this page to read the new version.',
        });
      } else if (err.code === 'BAD_REQUEST') {
        this.set({ formError: 'Please check your name: 1 to 40 characters, letters, numbers and spaces are fine.' });
      } else {
        const ending = HELLO_ENDINGS[err.code];
        if (ending) this.end(ending);
        else this.set({ formError: UNEXPECTED });
      }
    }
  }

  // ---- waiting and the call -----------------------------------------------------------

  private async onAdmitted(data: NotificationTypes['admitted']): Promise<void> {
    const signaling = this.signaling;
    if (!signaling || this.state.screen === 'ended') return;
    const self = this.state.participantId;
    const peers: Record<string, Peer> = {};
    for (const p of data.participants) if (p.participantId !== self) peers[p.participantId] = toPeer(p);
    this.set({ screen: 'joining', peers, remote: {}, mutedByFacilitator: { audio: false, video: false } });
    this.announce('Your therapist let you in. Joining the group…');

    const room = this.room ?? this.openRoom(signaling);
    try {
      const joining = room.join({
        routerRtpCapabilities: data.routerRtpCapabilities,
        producers: data.producers,
        ...(self ? { selfParticipantId: self } : {}),
      });
      // Send and receive transports are set up side by side: the group sees us sooner.
      const tracks = [this.state.localAudio, this.state.localVideo].filter((t): t is MediaStreamTrack => !!t);
      await Promise.all([joining, tracks.length > 0 ? room.publish(new MediaStream(tracks)) : undefined]);
      if (this.room !== room) return;
      this.set({ screen: 'call' });
      const others = Object.keys(this.state.peers).length;
      this.announce(`You joined the group. ${others === 1 ? '1 other person is' : `${others} other people are`} here.`);
    } catch (err) {
      if (this.room !== room) return;
      console.error('join failed', err);
      // The call screen still works without our own media; say so rather than stopping.
      this.set({ screen: 'call', mediaError: 'Your camera or microphone could not be connected to the group.' });
    }
  }

  /** The one RoomClient of this connection, subscribed from the start so no notification is missed. */
  private openRoom(signaling: SignalingClient): RoomClient {
    this.closeRoom();
    const room = new RoomClient(signaling);
    this.room = room;
    this.roomSubscriptions = [
      room.on('track', ({ participantId, producerId, kind, track }) =>
        this.patchRemote(participantId, { [kind]: { producerId, track, paused: false } }),
      ),
      room.on('trackEnded', ({ participantId, producerId }) => this.dropRemote(participantId, producerId)),
      room.on('producerPaused', ({ producerId, paused }) => this.setRemotePaused(producerId, paused)),
      room.on('error', ({ message }) => console.warn('room:', message)),
    ];
    return room;
  }

  private async toggleInCall(kind: MediaKind, on: boolean): Promise<void> {
    const room = this.room;
    if (!room) return;
    if (on && this.state.mutedByFacilitator[kind]) {
      this.announce(`Your therapist has muted your ${deviceName(kind)}. They'll let you know when you can turn it back on.`);
      return;
    }
    this.set(kind === 'audio' ? { wantAudio: on, mediaError: null } : { wantVideo: on, mediaError: null });
    try {
      if (on) {
        // Turning the camera off releases it (its light goes off), so turning on may need a new track.
        const track = this.localTrack(kind) ?? (await this.acquire(kind));
        if (!track) return;
        if (!room.isPublishing(kind) || kind === 'video') await room.publish(new MediaStream([track]));
        await room.setMuted(kind, false);
      } else {
        await room.setMuted(kind, true);
        if (kind === 'video') this.releaseTrack('video');
      }
      this.announce(`Your ${deviceName(kind)} is ${on ? 'on' : 'off'}.`);
    } catch (err) {
      if (err instanceof ProtocolError && err.code === 'MUTED_BY_FACILITATOR') {
        this.set((s) => ({ mutedByFacilitator: { ...s.mutedByFacilitator, [kind]: true } }));
      }
      this.set(kind === 'audio' ? { wantAudio: !on } : { wantVideo: !on });
      this.announce(`Your ${deviceName(kind)} couldn't be turned ${on ? 'on' : 'off'}.`);
    }
  }

  private async onMutedByFacilitator(kind: MediaKind): Promise<void> {
    this.set((s) => ({
      mutedByFacilitator: { ...s.mutedByFacilitator, [kind]: true },
      ...(kind === 'audio' ? { wantAudio: false } : { wantVideo: false }),
    }));
    this.announce(`Your therapist muted your ${deviceName(kind)}.`);
    // The server already stopped forwarding it; pausing here keeps our own state honest.
    await this.room?.setMuted(kind, true).catch(() => undefined);
  }

  private onReturnedToWaiting(): void {
    this.closeRoom();
    this.set({ screen: 'waiting', peers: {}, remote: {} });
    this.announce('Your therapist moved you back to the waiting room.');
  }

  private addPeer(p: Participant): void {
    if (p.participantId === this.state.participantId) return;
    this.set((s) => ({ peers: { ...s.peers, [p.participantId]: toPeer(p) } }));
    if (this.state.screen === 'call') this.announce(`${p.displayName} joined.`);
  }

  private removePeer(participantId: string): void {
    const name = this.state.peers[participantId]?.displayName;
    this.set((s) => {
      const peers = { ...s.peers };
      const remote = { ...s.remote };
      delete peers[participantId];
      delete remote[participantId];
      return { peers, remote };
    });
    if (name && this.state.screen === 'call') this.announce(`${name} left.`);
  }

  private patchRemote(participantId: string, patch: Partial<ParticipantState['remote'][string]>): void {
    this.set((s) => ({ remote: { ...s.remote, [participantId]: { ...s.remote[participantId], ...patch } } }));
  }

  private dropRemote(participantId: string, producerId: string): void {
    this.set((s) => {
      const media = s.remote[participantId];
      if (!media) return {};
      const next = { ...media };
      if (next.audio?.producerId === producerId) delete next.audio;
      if (next.video?.producerId === producerId) delete next.video;
      return { remote: { ...s.remote, [participantId]: next } };
    });
  }

  private setRemotePaused(producerId: string, paused: boolean): void {
    this.set((s) => {
      for (const [id, media] of Object.entries(s.remote)) {
        for (const kind of ['audio', 'video'] as const) {
          const slot = media[kind];
          if (slot?.producerId === producerId) {
            return { remote: { ...s.remote, [id]: { ...media, [kind]: { ...slot, paused } } } };
          }
        }
      }
      return {};
    });
  }

  // ---- leaving and endings --------------------------------------------------------------

  async leave(): Promise<void> {
    this.leaving = true;
    this.set({ busy: true });
    try {
      await this.signaling?.request('leave', {});
    } catch {
      // Leaving must always work from the person's point of view.
    }
    this.end('left');
  }

  /** From a retryable ending back to the passcode screen, keeping the person's choices. */
  restart(): void {
    const { wantAudio, wantVideo } = this.state;
    this.set({ ...initialState, wantAudio, wantVideo, screen: 'passcode' });
  }

  private end(reason: EndReason): void {
    this.closeRoom();
    const signaling = this.signaling;
    this.signaling = null;
    signaling?.close();
    this.state.localAudio?.stop();
    this.state.localVideo?.stop();
    this.set({
      screen: 'ended',
      endReason: reason,
      busy: false,
      formError: null,
      localAudio: null,
      localVideo: null,
      peers: {},
      remote: {},
    });
  }

  private closeRoom(): void {
    for (const u of this.roomSubscriptions.splice(0)) u();
    this.room?.close();
    this.room = null;
  }
}

function toPeer(p: Participant): Peer {
  return { participantId: p.participantId, displayName: p.displayName, role: p.role };
}

function deviceName(kind: MediaKind): string {
  return kind === 'audio' ? 'microphone' : 'camera';
}
