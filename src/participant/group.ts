/**
 * The participant page's place in the group: the one RoomClient (media engine) of the current
 * connection, being let in (publishing the person's tracks and receiving the group's), being
 * moved back to the waiting room, and the room's lock. The person's own devices are
 * localMedia.ts's; who is shown in the call is peers.ts's.
 */
import type { MediaKind, NotificationTypes, RtpCapabilities } from '../shared/protocol';
import { levelReporter, watchConnection } from '../client/connectionQuality';
import { VideoFallback } from '../client/videoFallback';
import { RoomClient } from '../client/roomClient';
import type { SignalingClient } from '../client/signaling';
import { words } from './i18n';
import type { PageEncryption } from './encryption';
import type { LocalMedia } from './localMedia';
import { chatEvent, openGroupChat } from './groupChat';
import { addRemoteTrack, dropRemoteTrack, setRemotePaused, toPeer } from './peers';
import { announce, moderate, pageState, setPageState, type Peer } from './store';

/**
 * The longest the waiting screen stays up after admission for the group's streams to be set up
 * here before the call screen is drawn (GroupCall.onAdmitted); a group of eight is fourteen
 * streams in one renegotiation.
 */
export const GROUP_SET_UP_MAX_MS = 400;

export class GroupCall {
  private room: RoomClient | null = null;
  /** Holds the camera back on a poor link (issue 22), for the current room. */
  private fallback: VideoFallback | null = null;
  /** Holds the group's video back on a link too poor to receive it (issue 22), for the current room. */
  private incomingFallback: VideoFallback | null = null;
  private roomSubscriptions: (() => void)[] = [];
  /** The router's codecs from check-in, to prepare a fresh media engine after a return to the waiting room. */
  private routerRtpCapabilities: RtpCapabilities | null = null;

  constructor(
    private readonly media: LocalMedia,
    private readonly encryption: PageEncryption,
  ) {
    encryption.onClearAudio = (participantIds, selfInClear) => void this.clearAudioChanged(participantIds, selfInClear);
  }

  /**
   * The facilitator's console said (in its sealed box) who takes part by audio in the clear:
   * the media engine follows (a clear copy of our voice for them, their voices played). When it
   * is this person, whose browser cannot encrypt, their microphone is sent now, unencrypted.
   */
  private async clearAudioChanged(participantIds: readonly string[], selfInClear: boolean): Promise<void> {
    const room = this.room;
    if (!room) return;
    room.setVoiceOnly(selfInClear);
    room.setClearAudio(participantIds);
    const { localAudio, wantAudio, moderation } = pageState();
    if (!selfInClear || !localAudio || !wantAudio || moderation.mutedByFacilitator.audio || room.isPublishing('audio')) return;
    try {
      await room.publish(new MediaStream([localAudio]));
      if (this.room === room && pageState().mediaError) setPageState({ mediaError: null });
    } catch (err) {
      console.warn('publishing the voice in the clear failed', err);
    }
  }

  /**
   * The browser handed over a camera or microphone the person has on only after they were let
   * in (a permission prompt answered late, a slow device): the admission sent what there was
   * then, so this one goes now, as it would have with the others. Before admission nothing is
   * sent; the admission takes it.
   */
  async trackArrived(kind: MediaKind, track: MediaStreamTrack): Promise<void> {
    const room = this.room;
    if (!room?.inGroup || room.isPublishing(kind) || pageState().moderation.mutedByFacilitator[kind]) return;
    if (!this.encryption.canEncrypt) {
      // Nothing is sent sealed from here; the voice goes in the clear if the facilitator allows it.
      if (kind === 'audio' && this.encryption.selfInClear) await this.clearAudioChanged(this.encryption.inClear, true);
      return;
    }
    try {
      await room.publish(new MediaStream([track]));
    } catch (err) {
      if (this.room !== room) return;
      console.warn('sending a late camera or microphone failed', err);
      setPageState({ mediaError: words().media.notConnected });
    }
  }

  /** The media engine of this connection, if one is open. */
  get current(): RoomClient | null {
    return this.room;
  }

  /** Checked in: get the media ready while waiting (connected, sending nothing), so being let in is quick. */
  checkedIn(signaling: SignalingClient, routerRtpCapabilities: RtpCapabilities): void {
    this.routerRtpCapabilities = routerRtpCapabilities;
    const room = this.openRoom(signaling);
    // A browser that cannot encrypt makes nothing ready: a send it cannot seal fails, and a
    // failed send leaves the transport unable to send the voice the facilitator may allow later.
    if (this.encryption.canEncrypt) this.media.getReady(room, routerRtpCapabilities);
  }

  async onAdmitted(signaling: SignalingClient | null, data: NotificationTypes['admitted']): Promise<void> {
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
    this.encryption.admitted();
    // The group key, when the facilitator's console sent it with the admission: opened first,
    // before anything is drawn, so this page can see, hear and send from its first frame.
    const keyed = data.groupKey ? this.encryption.groupKey(data.groupKey) : undefined;
    const room = this.room ?? this.openRoom(signaling);
    const { localAudio, localVideo } = pageState();
    const wantAudio = pageState().wantAudio && !muted.audio;
    const wantVideo = pageState().wantVideo && !muted.video;
    const tracks = [wantAudio ? localAudio : null, wantVideo ? localVideo : null].filter(
      (t): t is MediaStreamTrack => !!t,
    );
    // A browser that cannot encrypt sends nothing now; its voice goes once the facilitator's
    // sealed word allows it (clearAudioChanged).
    const publishing = tracks.length > 0 && this.encryption.canEncrypt;
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
      // The allowance may have come before the media engine joined: the voice goes now.
      if (!this.encryption.canEncrypt && this.encryption.selfInClear) void this.clearAudioChanged(this.encryption.inClear, true);
      // Their failures are handled below, after the wait; not reported as unhandled meanwhile.
      joining.catch(() => undefined);
      published?.catch(() => undefined);
      await keyed?.catch(() => undefined);
      if (this.room !== room) return;
      // The store only now: each change schedules a render ahead of the media's next step,
      // and the requests above should be on their way first.
      moderate({
        type: 'admitted',
        mutedByFacilitator: muted,
        ...(typeof data.locked === 'boolean' ? { locked: data.locked } : {}),
      });
      chatEvent({ type: 'admitted', enabled: data.groupChat ?? true });
      // Someone taking part by text finds the group chat open: it is how they take part.
      if (pageState().textOnly && !returning) openGroupChat();
      if (muted.audio) setPageState({ wantAudio: false });
      if (muted.video) {
        setPageState({ wantVideo: false });
        this.media.releaseTrack('video');
      }
      setPageState({ peers, remote: {}, waitingNote: 'letIn', mediaBusy: { audio: false, video: false } });
      announce(words().waiting.letIn(returning));
      // Drawing the call screen holds this page's thread for tens of ms; done while the
      // camera's connection is being negotiated, or its track swapped in, it holds that back
      // too. So the waiting screen stays up, saying the person is being let in, until our
      // first stream exists (a fraction of a second at most), or with media made ready while
      // waiting, until it is being sent.
      await (ready && published ? published.catch(() => undefined) : room.firstProducer());
      // And until the group's streams are set up here: drawn in the middle of that
      // renegotiation, the call screen holds back every face in it; drawn after, it overlaps
      // the wait for their first frames.
      await room.groupSetUp(GROUP_SET_UP_MAX_MS);
      if (this.room !== room) return;
      setPageState({ screen: 'joining', waitingNote: null });
      await Promise.all([joining, published]);
      if (this.room !== room) return;
      setPageState({ screen: 'call' });
      const others = Object.keys(pageState().peers).length;
      announce(words().call.joined(others, pageState().encryption.status === 'on'));
    } catch (err) {
      if (this.room !== room) return;
      console.error('join failed', err);
      // The call screen still works without our own media; say so rather than stopping (a
      // browser that cannot encrypt has its own notice, which says why).
      setPageState({ screen: 'call', ...(this.encryption.canEncrypt ? { mediaError: words().media.notConnected } : {}) });
    }
  }

  onReturnedToWaiting(signaling: SignalingClient | null): void {
    // The server closed our transports; close ours, so nothing is sent or received; and no key is kept.
    this.closeRoom();
    this.encryption.outOfGroup();
    moderate({ type: 'chatClosed' });
    // What the group wrote is the group's: none of it stays in the waiting room.
    chatEvent({ type: 'reset' });
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
    if (signaling) {
      const room = this.openRoom(signaling);
      if (this.routerRtpCapabilities && this.encryption.canEncrypt) this.media.getReady(room, this.routerRtpCapabilities);
    }
    // The preview shows what the person chose; nothing reaches the group from here.
    void this.media.refreshPreview();
    announce(words().waiting.returnedAnnounce);
  }

  onLocked(locked: boolean): void {
    const was = pageState().moderation.locked;
    moderate({ type: 'locked', locked });
    const { screen } = pageState();
    if (was === locked || (screen !== 'call' && screen !== 'waiting')) return;
    announce(
      locked
        ? words().call.lockedNow
        : words().call.unlockedNow,
    );
  }

  /** The person turned their camera on or off themselves: their choice stands over the fallback. */
  personChoseVideo(): void {
    this.fallback?.personChose();
    if (pageState().videoHeldBack) setPageState({ videoHeldBack: false });
  }

  /** Holding the camera back on a poor link, and bringing it back (videoFallback.ts). */
  private videoFallback(room: RoomClient): VideoFallback {
    return new VideoFallback({
      sendingVideo: () => this.room === room && pageState().screen === 'call' && room.isPublishing('video') && !room.isPaused('video'),
      holdBack: async () => {
        if (this.room !== room) return;
        await room.setMuted('video', true).catch(() => undefined);
        setPageState({ videoHeldBack: true });
        announce(words().media.videoHeldBack);
      },
      bringBack: async () => {
        if (this.room !== room || !pageState().videoHeldBack) return;
        setPageState({ videoHeldBack: false });
        // Turned off meanwhile, or stopped by the therapist: it stays off.
        if (!pageState().wantVideo || pageState().moderation.mutedByFacilitator.video) return;
        await room.setMuted('video', false).catch(() => undefined);
        announce(words().media.videoBack);
      },
    });
  }

  /** Holding the group's video back on a link too poor to receive it, and letting it come again. */
  private incomingVideoFallback(room: RoomClient): VideoFallback {
    return new VideoFallback({
      sendingVideo: () =>
        this.room === room && pageState().screen === 'call' && Object.values(pageState().remote).some((m) => m.video && !m.video.paused),
      holdBack: async () => {
        if (this.room !== room) return;
        room.holdIncomingVideo(true);
        setPageState({ incomingVideoHeld: true });
        announce(words().media.incomingVideoHeld);
      },
      bringBack: async () => {
        if (this.room !== room || !room.incomingVideoHeld) return;
        room.holdIncomingVideo(false);
        setPageState({ incomingVideoHeld: false });
        announce(words().media.incomingVideoBack);
      },
    });
  }

  closeRoom(): void {
    this.fallback?.stop();
    this.fallback = null;
    this.incomingFallback?.stop();
    this.incomingFallback = null;
    if (pageState().videoHeldBack) setPageState({ videoHeldBack: false });
    if (pageState().incomingVideoHeld) setPageState({ incomingVideoHeld: false });
    for (const u of this.roomSubscriptions.splice(0)) u();
    this.room?.close();
    this.room = null;
  }

  /** At an ending: the media engine goes, and nothing of this visit's router is kept. */
  forget(): void {
    this.closeRoom();
    this.routerRtpCapabilities = null;
  }

  /** The one RoomClient of this connection, subscribed from the start so no notification is missed. */
  private openRoom(signaling: SignalingClient): RoomClient {
    this.closeRoom();
    // Every frame sealed before it leaves and opened before it plays (issue 19).
    const room = new RoomClient(signaling, { frames: this.encryption.frames });
    this.room = room;
    // Each level told to the therapist, and told again while its report fails.
    const levels = levelReporter((quality) => signaling.request('reportConnection', { quality }));
    this.roomSubscriptions = [
      room.on('track', ({ participantId, producerId, kind, track }) => addRemoteTrack(participantId, producerId, kind, track)),
      room.on('trackEnded', ({ participantId, producerId }) => dropRemoteTrack(participantId, producerId)),
      room.on('producerPaused', ({ producerId, paused }) => setRemotePaused(producerId, paused)),
      room.on('error', ({ message }) => console.warn('room:', message)),
      // The server closed our own voice sent in the clear: the allowance ended (the server can
      // only stop it this way, never start it). Nothing more is sent in the clear.
      signaling.on('producerClosed', ({ producerId }) => {
        if (this.room === room && this.encryption.ownClearVoice(room, producerId)) this.encryption.clearAudioEnded();
      }),
      // The server's media restarted; the RoomClient reconnects by itself, the person only needs to know why it froze.
      room.on('mediaReset', () => setPageState({ mediaError: words().media.reconnecting })),
      room.on('mediaRestored', () => setPageState((s) => (s.mediaError === words().media.reconnecting ? { mediaError: null } : {}))),
      // How good the link is: shown to the person, told to the therapist (issue 22), and on a
      // poor link the camera is held back until it recovers.
      levels.stop,
      watchConnection(
        () => room.linkStats(),
        (quality) => {
          setPageState({ connectionQuality: quality });
          levels.report(quality);
        },
        undefined,
        // Each way on its own: a link that cannot send video holds the camera back, one that
        // cannot receive it holds the group's video back; the voices go on both ways.
        ({ up, down }) => {
          // Weak going up: the camera in its smallest layer at once; poor: none, for a while.
          room.capOutgoingVideo(up !== 'good');
          this.fallback?.onQuality(up);
          // Weak coming down: the group's video in its smallest layer at once; poor: none, for a while.
          room.capIncomingVideo(down !== 'good');
          this.incomingFallback?.onQuality(down);
        },
        () => room.cameraSending,
      ),
    ];
    // closeRoom() above stopped the previous room's.
    this.fallback = this.videoFallback(room);
    this.incomingFallback = this.incomingVideoFallback(room);
    return room;
  }
}
