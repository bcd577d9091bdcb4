/**
 * RoomClient: the one owner of a mediasoup-client Device and its send and receive transports,
 * shared by the participant page and the console renderer. It turns the room's notifications
 * into consumers and tells its user about tracks through a small typed emitter; UI state stays
 * with the caller's store.
 *
 * Everything that belongs to one router lives in a MediaSession (mediaSession.ts): the Device,
 * the transports, our producers (sending.ts) and others' consumers (receiving.ts). When the
 * server's media process fails, the server moves the session to a new router and says
 * `mediaReset`: RoomClient closes the session whole and starts over by itself on a new one (a
 * Device loads once): new transports, the same local tracks produced again (a paused one stays
 * paused), and others' producers consumed as they come back. Work begun on the old session finds
 * it closed when it resumes, and drops what it made. What outlives a router stays here: the
 * tracks we publish, what the room announced about others' producers, and the join itself.
 */
import { Device } from 'mediasoup-client';
import type { MediaKind, Producer, RtpCapabilities } from '../shared/protocol';
import type { CameraSending } from './connectionQuality';
import { Emitter } from './emitter';
import { MediaSession } from './mediaSession';
import type { TileView } from './receiving';
import { SendFirstGate } from './sendFirst';
import { errorMessage, takenByReset, type FrameTransforms, type RoomClientEvents, type SessionContext, type Source } from './sessionContext';
import type { SignalingClient } from './signaling';
import { blankStandIn, type StandIn } from './standIn';

export type { RoomClientEvents } from './sessionContext';
export { FIRST_FRAME_MAX_WAIT_MS, FIRST_FRAME_WAIT_MS, type TileView } from './receiving';
export { SEND_FIRST_MAX_WAIT_MS } from './sendFirst';

export interface JoinOptions {
  routerRtpCapabilities: RtpCapabilities;
  producers: Producer[];
  /** Our own participantId, so producers of ours announced by the server are never consumed. */
  selfParticipantId?: string;
  /**
   * The caller is about to publish: the consumes ask the server at once, but set nothing up
   * in the browser until our first producer exists and its connection is up (at most
   * SEND_FIRST_MAX_WAIT_MS). A newcomer's browser negotiates one connection at a time on one
   * thread; consuming the group's streams first put two renegotiations ahead of the camera
   * the group is waiting to see.
   */
  sendFirst?: boolean;
}

export interface RoomClientOptions {
  /** Makes each Device (tests pass one built on mediasoup-client's FakeHandler). */
  createDevice?: () => Device;
  /** Makes the blank tracks `getReady` produces (tests pass fake tracks; pages use blankStandIn). */
  createStandIn?: (kind: MediaKind) => StandIn;
  /** Seals and opens every frame (an end-to-end encrypted call); absent, frames go as they are. */
  frames?: FrameTransforms;
}

export class RoomClient {
  private readonly createDevice: () => Device;
  private readonly emitter = new Emitter<RoomClientEvents>();
  /** What we publish, by kind, kept across a media reset to be produced again. */
  private readonly sources = new Map<MediaKind, Source>();
  private readonly pausedProducers = new Set<string>();
  private readonly closedProducers = new Set<string>();
  private readonly sendFirst = new SendFirstGate();
  private readonly incomingVideo = { held: false, capped: false };
  private readonly outgoingVideo = { capped: false };
  /** Producers announced as audio in the clear. */
  private readonly clearProducers = new Set<string>();
  private readonly clearSending = { voiceOnly: false, copy: false };
  /** Who the key holder's newest sealed box lets take part by audio in the clear (setClearAudio). */
  private clearAudio: ReadonlySet<string> = new Set();
  /** Clear producers announced before the holder's word let us play them: consumed once it does. */
  private readonly parked = new Map<string, { participantId: string; paused: boolean }>();
  private readonly context: SessionContext;
  /** The current router's media; replaced whole by every `mediaReset`. */
  private session: MediaSession;
  /** True once `join` was called: a reset before that has nothing to restore. */
  private joined = false;
  /** What `getReady` was asked for, and with which router's codecs: a media reset while waiting gets ready again. */
  private readying: { kinds: MediaKind[]; caps: RtpCapabilities } | null = null;
  private selfParticipantId: string | undefined;
  private readonly unsubscribes: (() => void)[] = [];
  private closed = false;

  /**
   * Subscribes to the room's notifications at once: the server may announce producers
   * between `admitted` and the moment `join` has a transport, and those must not be lost.
   * Consumes wait until `join` has opened the receive transport.
   */
  constructor(signaling: SignalingClient, options: RoomClientOptions = {}) {
    this.createDevice = options.createDevice ?? (() => new Device());
    this.context = {
      signaling,
      events: this.emitter,
      createStandIn: options.createStandIn ?? blankStandIn,
      sources: this.sources,
      pausedProducers: this.pausedProducers,
      closedProducers: this.closedProducers,
      sendFirst: this.sendFirst,
      dropProducer: (producerId) => this.dropProducer(producerId),
      frames: options.frames,
      clearProducers: this.clearProducers,
      clearSending: this.clearSending,
      incomingVideo: this.incomingVideo,
      outgoingVideo: this.outgoingVideo,
    };
    this.session = new MediaSession(this.context, this.createDevice());
    const s = signaling;
    this.unsubscribes.push(
      s.on('producerAdded', ({ producerId, participantId, clear }) => {
        if (clear) this.clearProducers.add(producerId);
        this.enqueueConsume(producerId, participantId, false);
      }),
      s.on('producerClosed', ({ producerId }) => this.dropProducer(producerId)),
      s.on('producerPaused', ({ producerId, paused }) => {
        if (paused) this.pausedProducers.add(producerId);
        else this.pausedProducers.delete(producerId);
        if (this.session.receiving.isConsuming(producerId)) this.emitter.emit('producerPaused', { producerId, paused });
      }),
      s.on('peerLeft', ({ participantId }) => this.dropParticipant(participantId)),
      s.on('mediaReset', ({ routerRtpCapabilities }) => void this.reset(routerRtpCapabilities)),
    );
  }

  on<E extends keyof RoomClientEvents>(event: E, handler: (payload: RoomClientEvents[E]) => void): () => void {
    return this.emitter.on(event, handler);
  }

  /** Whether this engine has joined the group (the person was let in) and is still open. */
  get inGroup(): boolean {
    return this.joined && !this.closed;
  }

  /** The Device's receive capabilities, once joined. */
  get rtpCapabilities(): RtpCapabilities {
    return this.session.rtpCapabilities;
  }

  /** Loads the Device (unless `prepare` did) and opens the receive transport; every producer in the room is then consumed. */
  async join({ routerRtpCapabilities, producers, selfParticipantId, sendFirst }: JoinOptions): Promise<void> {
    this.selfParticipantId = selfParticipantId;
    this.joined = true;
    if (sendFirst) this.sendFirst.hold();
    this.session.receiveIfReady();
    // Queue the snapshot now; notifications that arrived earlier are already queued, and
    // duplicates are skipped.
    for (const p of producers) {
      if (p.clear) this.clearProducers.add(p.producerId);
      this.enqueueConsume(p.producerId, p.participantId, p.paused);
    }
    try {
      await this.session.openReceive(routerRtpCapabilities);
    } catch (err) {
      // A reset meanwhile opens the receive side itself and says so with 'mediaRestored';
      // closed meanwhile, there is nothing to receive.
      if (!takenByReset(err) && !this.closed) throw err;
    }
    // Existing producers are consumed in the background (failures arrive as 'error'
    // events), so the caller can publish at once: others see and hear us sooner.
  }

  /** Settles once our first producer exists (or holding consumes for it ended); at once when nothing is held. */
  firstProducer(): Promise<void> {
    return this.sendFirst.settled();
  }

  /**
   * Settles once the streams of the group known now are set up in the browser (their consumers
   * made, resumes on the way), or after `maxMs` (Receiving.setUp).
   */
  groupSetUp(maxMs: number): Promise<void> {
    return this.closed ? Promise.resolve() : this.session.receiving.setUp(maxMs);
  }

  /**
   * Loads the Device ahead of `join`, for example while waiting to be admitted: loading
   * probes the browser's codecs with a throwaway peer connection, which takes tens of ms.
   */
  prepare(routerRtpCapabilities: RtpCapabilities): Promise<void> {
    return this.session.load(routerRtpCapabilities);
  }

  /**
   * Gets the media ready while waiting to be admitted, so that being let in costs no connection
   * set-up: loads the Device, makes the receive transport, and connects the send transport by
   * producing a blank stand-in of each of `kinds` (blankStandIn), whose track is taken away at
   * once so that nothing at all is sent. The server holds these producers (announced to nobody),
   * each set to go live, and announces them the moment the person is admitted; `publish` then
   * gives them the person's tracks. The receive transport's connection is opened too, by
   * consuming one of those producers without ever resuming it (the server allows a waiting
   * client nothing else). Failing here costs nothing: `join` and `publish` make whatever is missing.
   */
  async getReady(routerRtpCapabilities: RtpCapabilities, kinds: readonly MediaKind[]): Promise<void> {
    if (this.closed || this.joined) return;
    this.readying = { kinds: [...kinds], caps: routerRtpCapabilities };
    const session = this.session;
    try {
      await session.getReady(routerRtpCapabilities, kinds);
    } catch (err) {
      if (takenByReset(err) || session.closed) return;
      throw err;
    }
  }

  /**
   * While waiting: the person turned their camera or microphone on or off. What was made ready
   * follows, so that admission announces it as they have it now: a held producer is set to go
   * live or not (Sending.holdChoice), and a kind turned on that was not made ready is made ready
   * now. Nothing is made ready where getReady was never asked (a browser that cannot encrypt).
   */
  async holdChoice(kind: MediaKind, on: boolean): Promise<void> {
    const ready = this.readying;
    if (this.closed || this.joined || !ready) return;
    ready.kinds = on ? [...new Set([...ready.kinds, kind])] : ready.kinds.filter((k) => k !== kind);
    const held = await this.session.sending.holdChoice(kind, on);
    if (on && !held) await this.getReady(ready.caps, ready.kinds);
  }

  /** The stats of the current transports, for the connection's quality (connectionQuality.ts). */
  linkStats(): Promise<RTCStatsReport[]> {
    return this.closed ? Promise.resolve([]) : this.session.linkStats();
  }

  /**
   * How our camera is being sent now, for the link's send estimate (connectionQuality.ts): not
   * at all (closed, paused or held: the estimate means nothing then), in its smallest layer only
   * (capped on a weak way up), or in all its layers.
   */
  get cameraSending(): CameraSending {
    if (this.closed || this.session.sending.isPaused('video')) return 'none';
    return this.outgoingVideo.capped ? 'smallest layer' : 'all layers';
  }

  /** Whether producers made while waiting are ready to be given tracks: joining then sets nothing else up first. */
  get hasHeldMedia(): boolean {
    return this.session.sending.hasHeld;
  }

  /** Sends every track of `stream`; the send transport is created on first use. */
  async publish(stream: MediaStream): Promise<void> {
    // Video first: the transport negotiates one track at a time, and a face appearing is
    // how the group notices someone joined; audio follows a few tens of ms later.
    const tracks = [...stream.getVideoTracks(), ...stream.getAudioTracks()].filter(
      (t) => t.kind === 'audio' || t.kind === 'video',
    );
    // Remembered first, so a reset that comes while this runs sends them too.
    for (const track of tracks) {
      const kind = track.kind as MediaKind;
      this.sources.set(kind, { track, paused: this.sources.get(kind)?.paused ?? !track.enabled });
    }
    try {
      await this.session.sending.publish(tracks);
      // A new microphone: the clear copy, if any, sends it too.
      if (this.clearSending.copy) await this.session.sending.syncClearCopy();
    } catch (err) {
      // The reset that interrupted this produces the same tracks itself; and once closed
      // (the person left, or the page moved on) nothing is sent anywhere, which is no failure.
      if (!takenByReset(err) && !this.closed) throw err;
    } finally {
      // Nothing could be sent (or it failed): the group's streams must not wait for it.
      this.sendFirst.release();
    }
  }

  /**
   * How the caller shows the remote video `track` (issue 22): unseen tiles receive nothing,
   * small ones the camera's smaller layer (Receiving.viewTrack).
   */
  viewTrack(track: MediaStreamTrack, view: TileView): void {
    if (!this.closed) this.session.receiving.viewTrack(track, view);
  }

  /**
   * Holds the group's video back on a link too poor to receive it, or lets it come again
   * (issue 22): voices keep coming either way. Kept across a media reset.
   */
  holdIncomingVideo(held: boolean): void {
    if (this.closed || this.incomingVideo.held === held) return;
    this.incomingVideo.held = held;
    this.session.receiving.incomingVideoChanged();
  }

  /**
   * Caps the group's video at its smallest layer on a weak link, or lifts the cap (issue 22):
   * less video, and no probing for more, leave the link's room to the voices.
   */
  capIncomingVideo(capped: boolean): void {
    if (this.closed || this.incomingVideo.capped === capped) return;
    this.incomingVideo.capped = capped;
    this.session.receiving.incomingVideoChanged();
  }

  /**
   * Sends our camera in its smallest layer only on a weak way up, or in all its layers again
   * (issue 22): the voice keeps the room the full layer would take. Kept across a media reset.
   */
  capOutgoingVideo(capped: boolean): void {
    if (this.closed || this.outgoingVideo.capped === capped) return;
    this.outgoingVideo.capped = capped;
    void this.session.sending.applyVideoCap();
  }

  /** Whether the group's video is held back on this link now. */
  get incomingVideoHeld(): boolean {
    return this.incomingVideo.held;
  }

  /** Whether `producerId` is one of ours. */
  ownsProducer(producerId: string): boolean {
    return this.session.sending.owns(producerId);
  }

  /** Whether a local producer of this kind exists. */
  isPublishing(kind: MediaKind): boolean {
    return this.session.sending.isPublishing(kind);
  }

  /**
   * Pauses or resumes our producer of `kind` and tells the server. If the server refuses
   * (for example MUTED_BY_FACILITATOR), the local state is put back and the error rethrown.
   */
  async setMuted(kind: MediaKind, muted: boolean): Promise<void> {
    const source = this.sources.get(kind);
    const wasMuted = source?.paused;
    // Recorded even without a producer: one being made again after a reset honours it.
    if (source) source.paused = muted;
    try {
      await this.session.sending.setPaused(kind, muted);
    } catch (err) {
      if (source && wasMuted !== undefined) source.paused = wasMuted;
      throw err;
    }
  }

  /**
   * Pauses our producer of `kind` here only, without asking the server: for when the server
   * has already paused it (a facilitator's mute), so local state matches what others get.
   */
  pauseLocally(kind: MediaKind): void {
    const source = this.sources.get(kind);
    if (source) source.paused = true;
    this.session.sending.pauseLocally(kind);
  }

  /** Whether our producer of `kind` is paused (or absent). */
  isPaused(kind: MediaKind): boolean {
    return this.session.sending.isPaused(kind);
  }

  /**
   * The key holder's word (from inside its newest sealed box; never the server's) on who takes
   * part by audio in the clear: while anyone does, a clear copy of our microphone goes beside
   * the sealed one, and their voices play as they come; anyone no longer on the list is no
   * longer heard, and with nobody on it the copy stops. The frame transforms check the same
   * word again (frameCipher.ts).
   */
  setClearAudio(participantIds: readonly string[]): void {
    if (this.closed) return;
    this.clearAudio = new Set(participantIds);
    this.clearSending.copy = !this.clearSending.voiceOnly && participantIds.length > 0;
    this.clearChanged();
  }

  /**
   * This browser cannot encrypt, and the key holder's word lets this person take part by audio
   * in the clear (or no longer): our microphone, unencrypted, is then all we send, and the
   * group's clear audio all we receive.
   */
  setVoiceOnly(voiceOnly: boolean): void {
    if (this.closed || this.clearSending.voiceOnly === voiceOnly) return;
    this.clearSending.voiceOnly = voiceOnly;
    this.clearSending.copy = false;
    this.clearChanged();
  }

  private clearChanged(): void {
    for (const [producerId, { participantId, paused }] of [...this.parked]) {
      if (!this.mayPlayClear(participantId)) continue;
      this.parked.delete(producerId);
      this.enqueueConsume(producerId, participantId, paused);
    }
    for (const [producerId, participantId] of this.session.receiving.consumingNow()) {
      if (this.clearProducers.has(producerId) && !this.mayPlayClear(participantId)) this.dropProducer(producerId);
    }
    void this.session.sending.syncClearCopy().catch(() => undefined);
  }

  /** Whether a clear producer of `participantId`'s may play here now. */
  private mayPlayClear(participantId: string): boolean {
    return this.clearSending.voiceOnly || this.clearAudio.has(participantId);
  }

  /** Closes transports and stops listening; the signaling connection belongs to the caller. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sendFirst.release();
    for (const u of this.unsubscribes.splice(0)) u();
    this.session.close();
    this.sources.clear();
    this.emitter.clear();
  }

  /**
   * The server's media restarted on a new router (`mediaReset`). The old session is closed
   * here; a new one loads the new capabilities, opens its receive transport, produces what we
   * were sending again (paused where we had paused it, and the server hears so), and others'
   * producers arrive as `producerAdded`.
   */
  private async reset(routerRtpCapabilities: RtpCapabilities): Promise<void> {
    if (this.closed) return;
    if (this.joined) this.emitter.emit('mediaReset', {});
    this.session.close();
    const session = (this.session = new MediaSession(this.context, this.createDevice()));
    if (!this.joined) {
      // Still waiting, with media made ready on the old router: ready again on the new one,
      // unnoticed by the person. Otherwise join() loads the Device with what `admitted` said.
      if (this.readying) await this.getReady(routerRtpCapabilities, this.readying.kinds).catch(() => undefined);
      return;
    }
    try {
      await session.openReceive(routerRtpCapabilities);
      await session.sending.produceAgain();
      if (this.clearSending.copy) await session.sending.syncClearCopy();
    } catch (err) {
      // A newer reset took over (what failed was on a router that is gone too).
      if (takenByReset(err) || session.closed) return;
      this.emitter.emit('error', { message: `The media connection could not be restored: ${errorMessage(err)}` });
      return;
    }
    if (!session.closed) this.emitter.emit('mediaRestored', {});
  }

  private enqueueConsume(producerId: string, participantId: string, paused: boolean): void {
    if (this.closed || participantId === this.selfParticipantId) return;
    if (this.session.sending.owns(producerId) || this.closedProducers.has(producerId)) return;
    if (this.clearProducers.has(producerId) && !this.mayPlayClear(participantId)) {
      // Not (yet) on the holder's list: kept until its word says so, never played before.
      this.parked.set(producerId, { participantId, paused });
      return;
    }
    // In the clear, nothing sealed can be opened here (and the server sends none).
    if (this.clearSending.voiceOnly && !this.clearProducers.has(producerId)) return;
    this.session.receiving.want(producerId, participantId, paused);
  }

  private dropProducer(producerId: string): void {
    this.parked.delete(producerId);
    this.pausedProducers.delete(producerId);
    this.closedProducers.add(producerId);
    this.session.receiving.drop(producerId);
  }

  private dropParticipant(participantId: string): void {
    for (const [producerId, parked] of [...this.parked]) if (parked.participantId === participantId) this.parked.delete(producerId);
    for (const producerId of this.session.receiving.forgetParticipant(participantId)) this.dropProducer(producerId);
  }
}
