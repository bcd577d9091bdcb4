/**
 * RoomClient: the one owner of a mediasoup-client Device and its send and receive
 * transports, shared by the participant page and the console renderer. It turns the room's
 * notifications into consumers and tells its user about tracks through a small typed emitter;
 * UI state stays with the caller's store.
 *
 * When the server's media process fails, the server moves the session to a new router and
 * says `mediaReset`: everything on the old one is gone. The RoomClient then starts over by
 * itself on a new Device (a Device loads once): new transports, the same local tracks
 * produced again (a paused one stays paused), and others' producers consumed as they come
 * back. Each such start is a media "generation"; work begun in an older one is dropped.
 */
import { Device, type types } from 'mediasoup-client';
import type { MediaKind, Producer, RtpCapabilities, RtpParameters, TransportInfo } from '../shared/protocol';
import { watchIce } from './iceWatch';
import { Emitter } from './emitter';
import type { SignalingClient } from './signaling';
import { blankStandIn, type StandIn } from './standIn';

export interface RoomClientEvents {
  track: { producerId: string; participantId: string; kind: MediaKind; track: MediaStreamTrack };
  trackEnded: { producerId: string; participantId: string };
  producerPaused: { producerId: string; paused: boolean };
  error: { message: string };
  /** The server's media restarted: every remote track has ended; ours are being sent again. */
  mediaReset: Record<string, never>;
  /** After a `mediaReset`: sending again and receiving what others send again. */
  mediaRestored: Record<string, never>;
}

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

/** The longest consumes wait for our first producer when joining with `sendFirst`. */
export const SEND_FIRST_MAX_WAIT_MS = 1500;

/**
 * A resumed video consumer that has decoded no frame after this long has its sender asked for
 * a key frame (`requestKeyFrame`), and again after twice as long, up to FIRST_FRAME_MAX_WAIT_MS
 * between asks, until a frame decodes. On a busy machine the key frame the server asks for at
 * resume can be lost or arrive before the receiver can use it, and the tile would stay black.
 */
export const FIRST_FRAME_WAIT_MS = 1000;
export const FIRST_FRAME_MAX_WAIT_MS = 4000;

/** Frames the receiver has decoded for this consumer, from its own stats. */
async function framesDecoded(consumer: types.Consumer): Promise<number> {
  let decoded = 0;
  for (const report of (await consumer.getStats()).values() as IterableIterator<{ type?: string; framesDecoded?: number }>) {
    if (report.type === 'inbound-rtp' && typeof report.framesDecoded === 'number') decoded += report.framesDecoded;
  }
  return decoded;
}

export interface RoomClientOptions {
  /** Makes each Device (tests pass one built on mediasoup-client's FakeHandler). */
  createDevice?: () => Device;
  /** Makes the blank tracks `getReady` produces (tests pass fake tracks; pages use blankStandIn). */
  createStandIn?: (kind: MediaKind) => StandIn;
}

interface RemoteConsumer {
  consumer: types.Consumer;
  participantId: string;
}

/** A local track we send, and whether the person has it paused; outlives its producer. */
interface Source {
  track: MediaStreamTrack;
  paused: boolean;
}

/** Work begun before a media reset, abandoned because the reset redoes it. */
class MediaResetError extends Error {
  constructor() {
    super('the media was reset meanwhile');
    this.name = 'MediaResetError';
  }
}

export class RoomClient {
  private readonly signaling: SignalingClient;
  private readonly createDevice: () => Device;
  private readonly createStandIn: (kind: MediaKind) => StandIn;
  private device: Device;
  /** Bumped by every `mediaReset`; work that began in an earlier generation is dropped. */
  private generation = 0;
  private readonly emitter = new Emitter<RoomClientEvents>();
  private loading: Promise<void> | null = null;
  private recvTransport: types.Transport | null = null;
  private sendTransport: types.Transport | null = null;
  private sendTransportPromise: Promise<types.Transport> | null = null;
  private recvTransportPromise: Promise<types.Transport> | null = null;
  /**
   * Kinds whose producer was made while waiting (`getReady`): the server holds it, and it has
   * no track (so sends nothing), until `publish` gives it the person's track and releases it.
   */
  private readonly held = new Set<MediaKind>();
  /** What `getReady` was asked for: a media reset while waiting gets ready again. */
  private readying: MediaKind[] | null = null;
  /**
   * A consumer of one of our own held producers, never resumed: made while waiting only to open
   * the receive transport's connection (getReady). It receives nothing; closed with the media.
   */
  private opener: types.Consumer | null = null;
  private readonly producers = new Map<MediaKind, types.Producer>();
  /** What we publish, by kind, kept across a media reset to be produced again. */
  private readonly sources = new Map<MediaKind, Source>();
  /** Producing runs one step at a time, so a publish and a reset never make two of a kind. */
  private produceQueue: Promise<void> = Promise.resolve();
  private readonly consumers = new Map<string, RemoteConsumer>();
  /** Producers announced paused: their consumers have nothing to decode, so no key frame is asked for. */
  private readonly pausedProducers = new Set<string>();
  /** Timers of first-frame watches (watchFirstFrame), cleared with the media. */
  private readonly frameWatches = new Set<ReturnType<typeof setTimeout>>();
  /** producerId → owner, for producers announced but not consumed yet (or being consumed). */
  private readonly wanted = new Map<string, string>();
  /**
   * Settles once this generation's receive transport is open; every consume waits on it and
   * then runs at once, side by side with the others. They are not run one at a time: each
   * takes two round trips and a renegotiation, so a queue made "Admit all" cost N × that in
   * the console (and in every page) before the last face appeared. mediasoup-client keeps
   * its transport consistent by itself: consume() calls that arrive while it renegotiates
   * are gathered into one renegotiation (Transport.createPendingConsumers).
   */
  private receiveReady: Promise<void> = Promise.resolve();
  private markReady: () => void = () => undefined;
  private markFailed: (err: unknown) => void = () => undefined;
  /** While joining with `sendFirst`: settles when our first producer exists, publishing failed, or time ran out. */
  private sendFirstGate: { settled: Promise<void>; release: () => void } | null = null;
  /** True once `join` was called: a reset before that has nothing to restore. */
  private joined = false;
  /** Producers announced closed; an id never comes back, and a late snapshot must not revive it. */
  private readonly closedProducers = new Set<string>();
  private readonly unsubscribes: (() => void)[] = [];
  private selfParticipantId: string | undefined;
  private closed = false;

  /**
   * Subscribes to the room's notifications at once: the server may announce producers
   * between `admitted` and the moment `join` has a transport, and those must not be lost.
   * Consumes wait until `join` has opened the receive transport.
   */
  constructor(signaling: SignalingClient, options: RoomClientOptions = {}) {
    this.signaling = signaling;
    this.createDevice = options.createDevice ?? (() => new Device());
    this.createStandIn = options.createStandIn ?? blankStandIn;
    this.device = this.createDevice();
    this.closeGate();
    const s = signaling;
    this.unsubscribes.push(
      s.on('producerAdded', ({ producerId, participantId }) => this.enqueueConsume(producerId, participantId, false)),
      s.on('producerClosed', ({ producerId }) => this.dropProducer(producerId)),
      s.on('producerPaused', ({ producerId, paused }) => {
        if (paused) this.pausedProducers.add(producerId);
        else this.pausedProducers.delete(producerId);
        if (this.consumers.has(producerId)) this.emitter.emit('producerPaused', { producerId, paused });
      }),
      s.on('peerLeft', ({ participantId }) => this.dropParticipant(participantId)),
      s.on('mediaReset', ({ routerRtpCapabilities }) => void this.reset(routerRtpCapabilities)),
    );
  }

  /** Consumes wait behind this until the receive transport of the current generation is open. */
  private closeGate(): void {
    // Consumes still waiting on the previous gate belong to a generation that is gone: let
    // them settle (and be dropped) rather than wait forever.
    this.markFailed(new MediaResetError());
    this.receiveReady = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.markFailed = reject;
    });
    // A failed join is reported by join() itself; waiting consumes each report their own failure.
    this.receiveReady.catch(() => undefined);
  }

  on<E extends keyof RoomClientEvents>(event: E, handler: (payload: RoomClientEvents[E]) => void): () => void {
    return this.emitter.on(event, handler);
  }

  /** The Device's receive capabilities, once joined. */
  get rtpCapabilities(): RtpCapabilities {
    return this.device.rtpCapabilities as RtpCapabilities;
  }

  /** Loads the Device (unless `prepare` did) and opens the receive transport; every producer in the room is then consumed. */
  async join({ routerRtpCapabilities, producers, selfParticipantId, sendFirst }: JoinOptions): Promise<void> {
    this.selfParticipantId = selfParticipantId;
    this.joined = true;
    if (sendFirst) this.holdConsumesForFirstProducer();
    // Made ready while waiting (getReady): the consumes leave at once, in this very call,
    // before anything else (a render of the page) can take its thread.
    if (this.device.loaded && this.recvTransport && !this.closed) this.markReady();
    // Queue the snapshot now; notifications that arrived earlier are already queued, and
    // duplicates are skipped.
    for (const p of producers) this.enqueueConsume(p.producerId, p.participantId, p.paused);
    try {
      await this.openReceive(routerRtpCapabilities);
    } catch (err) {
      // A reset meanwhile opens the receive side itself and says so with 'mediaRestored';
      // closed meanwhile, there is nothing to receive.
      if (!(err instanceof MediaResetError) && !this.closed) throw err;
    }
    // Existing producers are consumed in the background (failures arrive as 'error'
    // events), so the caller can publish at once: others see and hear us sooner.
  }

  /** Loads the current Device and opens its receive transport, then lets queued consumes run. */
  private async openReceive(routerRtpCapabilities: RtpCapabilities): Promise<void> {
    const generation = this.generation;
    try {
      await this.prepare(routerRtpCapabilities);
      // Made already while waiting (getReady), or now.
      await this.ensureTransport('recv');
      if (generation !== this.generation) throw new MediaResetError();
      // Consumes start now: their round trips to the server overlap the camera's connection,
      // and only setting each up in the browser waits for it (consume, sendFirstGate).
      this.markReady();
    } catch (err) {
      if (generation !== this.generation) throw new MediaResetError();
      this.markFailed(err);
      throw err;
    }
  }

  private holdConsumesForFirstProducer(): void {
    let release = (): void => undefined;
    const settled = new Promise<void>((resolve) => {
      const timer = setTimeout(() => release(), SEND_FIRST_MAX_WAIT_MS);
      release = () => {
        clearTimeout(timer);
        if (this.sendFirstGate?.settled === settled) this.sendFirstGate = null;
        resolve();
      };
    });
    this.sendFirstGate = { settled, release };
  }

  /** Settles once our first producer exists (or holding consumes for it ended); at once when nothing is held. */
  firstProducer(): Promise<void> {
    return this.sendFirstGate?.settled ?? Promise.resolve();
  }

  /**
   * Loads the Device ahead of `join`, for example while waiting to be admitted: loading
   * probes the browser's codecs with a throwaway peer connection, which takes tens of ms.
   */
  prepare(routerRtpCapabilities: RtpCapabilities): Promise<void> {
    if (this.device.loaded) return Promise.resolve();
    if (!this.loading) {
      // The server's router produced these capabilities; mediasoup-client checks them in load().
      const loading = this.device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
      loading.catch(() => {
        if (this.loading === loading) this.loading = null;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  /**
   * Gets the media ready while waiting to be admitted, so that being let in costs no connection
   * set-up: loads the Device, makes the receive transport, and connects the send transport by
   * producing a blank stand-in of each of `kinds` (blankStandIn), whose track is taken away at
   * once so that nothing at all is sent. The server holds these producers (announced to nobody)
   * until `publish`, after admission, gives them the person's tracks and releases them. The
   * receive transport's connection is opened too, by consuming one of those producers without
   * ever resuming it (the server allows a waiting client nothing else). Failing here costs
   * nothing: `join` and `publish` make whatever is missing.
   */
  async getReady(routerRtpCapabilities: RtpCapabilities, kinds: readonly MediaKind[]): Promise<void> {
    if (this.closed || this.joined) return;
    this.readying = [...kinds];
    const generation = this.generation;
    try {
      await this.prepare(routerRtpCapabilities);
      const wanted = [...kinds].sort((a, b) => (a === b ? 0 : a === 'video' ? -1 : 1)).filter((k) => this.device.canProduce(k));
      // Side by side: the receive transport needs only the server's word.
      const [recv] = await Promise.all([this.ensureTransport('recv'), this.produceInOrder(() => this.produceStandIns(wanted, generation))]);
      await this.openReceiveConnection(recv, generation);
    } catch (err) {
      if (err instanceof MediaResetError || this.closed || generation !== this.generation) return;
      throw err;
    }
  }

  /** Produces a stand-in for each of `kinds` we have no producer of yet, then takes its track away (getReady). */
  private async produceStandIns(kinds: MediaKind[], generation: number): Promise<void> {
    if (kinds.length === 0) return;
    const transport = await this.ensureTransport('send');
    for (const kind of kinds) {
      if (generation !== this.generation || this.closed) throw new MediaResetError();
      // Admitted and published meanwhile: nothing to get ready.
      if (this.producers.has(kind)) continue;
      // mediasoup-client produces only with a track; a blank one, for the moment it takes.
      const standIn = this.createStandIn(kind);
      let producer: types.Producer;
      try {
        producer = await transport.produce({ track: standIn.track, stopTracks: false });
        // No track, no packet: nothing is sent from here until publish() gives it one.
        await producer.replaceTrack({ track: null });
      } finally {
        standIn.stop();
      }
      if (generation !== this.generation || this.closed) {
        producer.close();
        throw new MediaResetError();
      }
      producer.on('transportclose', () => {
        if (this.producers.get(kind) === producer) {
          this.producers.delete(kind);
          this.held.delete(kind);
        }
      });
      this.producers.set(kind, producer);
      this.held.add(kind);
    }
  }

  /** Consumes one of our held producers, paused for good, so that the receive transport connects (getReady). */
  private async openReceiveConnection(transport: types.Transport, generation: number): Promise<void> {
    const producer = [...this.held].map((kind) => this.producers.get(kind)).find((p) => p && !p.closed);
    if (!producer || this.opener || generation !== this.generation || this.closed) return;
    const info = await this.signaling.request('consume', {
      transportId: transport.id,
      producerId: producer.id,
      rtpCapabilities: this.rtpCapabilities,
    });
    if (generation !== this.generation || this.closed || this.opener) return;
    this.opener = await transport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      // Produced by the server's mediasoup for this very Device; mediasoup-client checks it.
      rtpParameters: info.rtpParameters as types.RtpParameters,
    });
  }

  /** Whether producers made while waiting are ready to be released: joining then sets nothing else up first. */
  get hasHeldMedia(): boolean {
    return this.held.size > 0;
  }

  /**
   * Releases a producer held since the waiting room with the person's `track`: asks the server
   * first (`setProducerPaused`, which announces it to the group), then gives the producer the
   * track, paused if the person has it paused. Asking first lets the group's consumes overlap
   * the swap; nothing is sent before it, the producer having no track. If either step fails,
   * the producer ends up released and paused on both sides, and the error is thrown.
   */
  private async releaseHeld(kind: MediaKind, producer: types.Producer, track: MediaStreamTrack): Promise<void> {
    const paused = this.sources.get(kind)?.paused ?? false;
    this.held.delete(kind);
    const asked = this.signaling.request('setProducerPaused', { producerId: producer.id, paused });
    asked.catch(() => undefined);
    try {
      if (paused) producer.pause();
      await producer.replaceTrack({ track });
      await asked;
    } catch (err) {
      if (!producer.closed) {
        producer.pause();
        this.signaling.request('setProducerPaused', { producerId: producer.id, paused: true }).catch(() => undefined);
      }
      throw err;
    }
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
    const generation = this.generation;
    // Producers held since the waiting room are released now, in this very call: their
    // requests leave before anything else (a render of the page) can take its thread.
    const releases: Promise<void>[] = [];
    const rest: MediaStreamTrack[] = [];
    for (const track of tracks) {
      const kind = track.kind as MediaKind;
      const producer = this.producers.get(kind);
      if (producer && !producer.closed && this.held.has(kind)) releases.push(this.releaseHeld(kind, producer, track));
      else rest.push(track);
    }
    // Their connection is up long since: nothing holds the group's streams back for them.
    if (releases.length > 0) this.sendFirstGate?.release();
    try {
      await Promise.all([...releases, this.produceInOrder(() => this.produceTracks(rest, generation))]);
    } catch (err) {
      // The reset that interrupted this produces the same tracks itself; and once closed
      // (the person left, or the page moved on) nothing is sent anywhere, which is no failure.
      if (!(err instanceof MediaResetError) && !this.closed) throw err;
    } finally {
      // Nothing could be sent (or it failed): the group's streams must not wait for it.
      this.sendFirstGate?.release();
    }
  }

  /** Runs `step` after every produce step queued before it. */
  private produceInOrder(step: () => Promise<void>): Promise<void> {
    const run = this.produceQueue.then(step);
    this.produceQueue = run.catch(() => undefined);
    return run;
  }

  /** Produces each track (or swaps it into our producer of its kind) on this generation's send transport. */
  private async produceTracks(tracks: MediaStreamTrack[], generation: number): Promise<void> {
    if (generation !== this.generation || this.closed) throw new MediaResetError();
    if (tracks.length === 0) return;
    const transport = await this.ensureTransport('send');
    for (const track of tracks) {
      if (generation !== this.generation || this.closed) throw new MediaResetError();
      const kind = track.kind as MediaKind;
      if (!this.device.canProduce(kind)) {
        this.emitter.emit('error', { message: `This browser cannot send ${kind} to the session.` });
        continue;
      }
      const existing = this.producers.get(kind);
      if (existing && !existing.closed) {
        // Held since the waiting room, and a getReady still under way made it after publish() looked.
        if (this.held.has(kind)) {
          await this.releaseHeld(kind, existing, track);
          continue;
        }
        // A new camera or microphone: swap the track and keep the same producer.
        await existing.replaceTrack({ track });
        continue;
      }
      // The page owns its tracks (its self-preview uses them too), so closing a producer
      // must not stop them.
      const producer = await transport.produce({ track, stopTracks: false });
      if (generation !== this.generation || this.closed) {
        producer.close();
        throw new MediaResetError();
      }
      producer.on('transportclose', () => {
        if (this.producers.get(kind) === producer) this.producers.delete(kind);
      });
      this.producers.set(kind, producer);
      if (this.sendFirstGate) {
        // Joining: our other track and the group's streams wait until this one's connection
        // is up, so that nothing competes with it for the page's thread or the machine's.
        await whenConnected(transport, SEND_FIRST_MAX_WAIT_MS);
        this.sendFirstGate?.release();
      }
    }
  }

  /** Whether a local producer of this kind exists. */
  isPublishing(kind: MediaKind): boolean {
    const p = this.producers.get(kind);
    return !!p && !p.closed && !this.held.has(kind);
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
    const producer = this.producers.get(kind);
    // A held producer sends nothing; `publish` releases it in the state recorded here.
    if (!producer || producer.closed || this.held.has(kind)) return;
    const wasPaused = producer.paused;
    if (muted) producer.pause();
    else producer.resume();
    try {
      await this.signaling.request('setProducerPaused', { producerId: producer.id, paused: muted });
    } catch (err) {
      if (source && wasMuted !== undefined) source.paused = wasMuted;
      if (wasPaused) producer.pause();
      else producer.resume();
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
    const producer = this.producers.get(kind);
    if (producer && !producer.closed && !producer.paused) producer.pause();
  }

  /** Whether our producer of `kind` is paused (or absent). */
  isPaused(kind: MediaKind): boolean {
    const producer = this.producers.get(kind);
    return !producer || producer.closed || producer.paused || this.held.has(kind);
  }

  /** Closes transports and stops listening; the signaling connection belongs to the caller. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sendFirstGate?.release();
    for (const u of this.unsubscribes.splice(0)) u();
    this.closeMedia();
    this.sources.clear();
    this.emitter.clear();
  }

  /**
   * Closes our consumers (each reported as `trackEnded`), producers and transports here,
   * without a word to the server: it closed its side already, or is about to.
   */
  private closeMedia(): void {
    for (const timer of this.frameWatches) clearTimeout(timer);
    this.frameWatches.clear();
    for (const [producerId, { consumer, participantId }] of this.consumers) {
      consumer.close();
      this.emitter.emit('trackEnded', { producerId, participantId });
    }
    this.consumers.clear();
    this.wanted.clear();
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    this.held.clear();
    this.opener?.close();
    this.opener = null;
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = this.recvTransport = null;
    this.sendTransportPromise = this.recvTransportPromise = null;
  }

  /**
   * The server's media restarted on a new router (`mediaReset`). Everything of ours on the
   * old one is closed locally; a new Device loads the new capabilities, the receive
   * transport opens, what we were sending is produced again (paused where we had paused
   * it, and the server hears so), and others' producers arrive as `producerAdded`.
   */
  private async reset(routerRtpCapabilities: RtpCapabilities): Promise<void> {
    if (this.closed) return;
    const generation = ++this.generation;
    if (this.joined) this.emitter.emit('mediaReset', {});
    this.closeMedia();
    this.closeGate();
    this.device = this.createDevice();
    this.loading = null;
    if (!this.joined) {
      // Still waiting, with media made ready on the old router: ready again on the new one,
      // unnoticed by the person. Otherwise join() loads the Device with what `admitted` said.
      if (this.readying) await this.getReady(routerRtpCapabilities, this.readying).catch(() => undefined);
      return;
    }
    try {
      await this.openReceive(routerRtpCapabilities);
      await this.produceInOrder(() => this.produceSources(generation));
    } catch (err) {
      // A newer reset took over (what failed was on a router that is gone too).
      if (err instanceof MediaResetError || generation !== this.generation || this.closed) return;
      this.emitter.emit('error', { message: `The media connection could not be restored: ${errorMessage(err)}` });
      return;
    }
    if (generation === this.generation && !this.closed) this.emitter.emit('mediaRestored', {});
  }

  /** Produces every live source again, then pauses on the server those the person had paused. */
  private async produceSources(generation: number): Promise<void> {
    const live = [...this.sources.entries()].filter(([, s]) => s.track.readyState === 'live');
    // Video first, as in publish().
    live.sort(([a], [b]) => (a === b ? 0 : a === 'video' ? -1 : 1));
    if (live.length === 0) return;
    await this.produceTracks(
      live.map(([, s]) => s.track),
      generation,
    );
    for (const [kind, source] of live) {
      const producer = this.producers.get(kind);
      if (!producer || producer.closed) continue;
      // A paused producer left its track disabled, so the new one starts paused here; the
      // server's starts live unless a facilitator's mute holds, so it hears of the pause.
      if (source.paused) {
        producer.pause();
        await this.signaling.request('setProducerPaused', { producerId: producer.id, paused: true });
      } else if (producer.paused) {
        producer.resume();
      }
    }
  }

  // -------------------------------------------------------------------------------------

  private enqueueConsume(producerId: string, participantId: string, paused: boolean): void {
    if (this.closed || participantId === this.selfParticipantId) return;
    if (this.isOwnProducer(producerId) || this.closedProducers.has(producerId)) return;
    if (this.wanted.has(producerId) || this.consumers.has(producerId)) return;
    this.wanted.set(producerId, participantId);
    const generation = this.generation;
    this.receiveReady
      .then(() => this.consume(producerId, participantId, paused))
      .catch((err: unknown) => {
        // A consumer of the old router failing after a reset is expected, not news.
        if (generation !== this.generation || err instanceof MediaResetError) return;
        // Nor is one whose producer closed, or whose owner left, while it was being set up.
        if (this.closedProducers.has(producerId) || (!this.wanted.has(producerId) && !this.consumers.has(producerId))) return;
        this.wanted.delete(producerId);
        this.emitter.emit('error', { message: `Could not receive a stream: ${errorMessage(err)}` });
      });
  }

  private async consume(producerId: string, participantId: string, paused: boolean): Promise<void> {
    // Closed, or the producer or its owner gone, while waiting for the receive transport.
    if (this.closed || !this.wanted.has(producerId)) return;
    const transport = this.recvTransport;
    if (!transport) throw new Error('not joined');
    const generation = this.generation;
    const info = await this.signaling.request('consume', {
      transportId: transport.id,
      producerId,
      rtpCapabilities: this.rtpCapabilities,
    });
    if (generation !== this.generation) throw new MediaResetError();
    // Joining with sendFirst: the browser renegotiates one connection at a time, so the
    // consumer is set up here only once our camera's connection is up (or the wait ran out).
    if (this.sendFirstGate) await this.sendFirstGate.settled;
    if (generation !== this.generation) throw new MediaResetError();
    if (this.closed || !this.wanted.has(producerId)) return;
    const consumer = await transport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      // Produced by the server's mediasoup for this very Device; mediasoup-client checks it.
      rtpParameters: info.rtpParameters as types.RtpParameters,
    });
    if (this.closed || !this.wanted.has(producerId)) {
      // The producer went away while we were setting up its consumer.
      consumer.close();
      return;
    }
    this.wanted.delete(producerId);
    this.consumers.set(producerId, { consumer, participantId });
    consumer.on('transportclose', () => this.dropProducer(producerId));
    consumer.on('trackended', () => this.dropProducer(producerId));
    // Consumers start paused on the server so no key frame is lost before we are ready.
    await this.signaling.request('resumeConsumer', { consumerId: consumer.id });
    // A reset meanwhile closed this consumer and ended its track.
    if (generation !== this.generation || this.closed) return;
    this.emitter.emit('track', { producerId, participantId, kind: info.kind, track: consumer.track });
    if (paused) {
      this.pausedProducers.add(producerId);
      this.emitter.emit('producerPaused', { producerId, paused: true });
    }
    if (info.kind === 'video') this.watchFirstFrame(producerId, consumer, FIRST_FRAME_WAIT_MS);
  }

  /** Asks for key frames until `consumer` has decoded a frame (FIRST_FRAME_WAIT_MS); ends with the consumer. */
  private watchFirstFrame(producerId: string, consumer: types.Consumer, waitMs: number): void {
    const current = (): boolean => !this.closed && !consumer.closed && this.consumers.get(producerId)?.consumer === consumer;
    const timer = setTimeout(() => {
      this.frameWatches.delete(timer);
      if (!current()) return;
      void framesDecoded(consumer)
        .catch(() => 0)
        .then(async (decoded) => {
          if (decoded > 0 || !current()) return;
          if (!this.pausedProducers.has(producerId)) {
            // Refused or gone meanwhile: the next check finds out whether the consumer is still here.
            await this.signaling.request('requestKeyFrame', { consumerId: consumer.id }).catch(() => undefined);
          }
          if (current()) this.watchFirstFrame(producerId, consumer, Math.min(waitMs * 2, FIRST_FRAME_MAX_WAIT_MS));
        });
    }, waitMs);
    this.frameWatches.add(timer);
  }

  private dropProducer(producerId: string): void {
    this.wanted.delete(producerId);
    this.pausedProducers.delete(producerId);
    this.closedProducers.add(producerId);
    const entry = this.consumers.get(producerId);
    if (!entry) return;
    this.consumers.delete(producerId);
    if (!entry.consumer.closed) entry.consumer.close();
    this.emitter.emit('trackEnded', { producerId, participantId: entry.participantId });
  }

  private dropParticipant(participantId: string): void {
    for (const [producerId, owner] of [...this.wanted]) if (owner === participantId) this.wanted.delete(producerId);
    for (const [producerId, entry] of [...this.consumers]) {
      if (entry.participantId === participantId) this.dropProducer(producerId);
    }
  }

  private isOwnProducer(producerId: string): boolean {
    for (const p of this.producers.values()) if (p.id === producerId) return true;
    return false;
  }

  /** This generation's transport of `direction`, made on first use; a failed attempt may be retried. */
  private ensureTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const current = direction === 'send' ? this.sendTransportPromise : this.recvTransportPromise;
    if (current) return current;
    const generation = this.generation;
    const pending = this.createTransport(direction).then((t) => {
      if (generation !== this.generation || this.closed) {
        this.discardTransport(t.id, t);
        throw new MediaResetError();
      }
      if (direction === 'send') this.sendTransport = t;
      else this.recvTransport = t;
      return t;
    });
    pending.catch(() => {
      if (this.sendTransportPromise === pending) this.sendTransportPromise = null;
      if (this.recvTransportPromise === pending) this.recvTransportPromise = null;
    });
    if (direction === 'send') this.sendTransportPromise = pending;
    else this.recvTransportPromise = pending;
    return pending;
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    // Held for the whole call: a reset meanwhile replaces this.device, and this transport
    // (made on the old router) must not end up on the new Device.
    const device = this.device;
    const loading = this.loading;
    if (!device.loaded) {
      // publish() may run alongside join(); either way the Device must be loading by now.
      if (!loading) throw new Error('prepare() or join() must come before publish()');
      await loading;
    }
    const info: TransportInfo = await this.signaling.request('createTransport', { direction });
    if (device !== this.device) {
      this.discardTransport(info.id);
      throw new MediaResetError();
    }
    // ICE and DTLS parameters come from the server's mediasoup transport, verbatim.
    const options: types.TransportOptions = {
      id: info.id,
      iceParameters: info.iceParameters as types.IceParameters,
      iceCandidates: info.iceCandidates as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as types.DtlsParameters,
    };
    const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);

    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signaling
        .request('connectTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
        this.signaling
          .request('produce', {
            transportId: transport.id,
            kind,
            rtpParameters: rtpParameters as RtpParameters,
          })
          .then(({ id }) => callback({ id }), errback);
      });
    }
    // A stall (seconds of `disconnected`) or a failure asks the server for an ICE restart.
    const ice = watchIce(() => this.restartIce(transport));
    transport.on('connectionstatechange', (state) => {
      if (state === 'closed') ice.stop();
      else ice.onState(state);
    });
    transport.observer.on('close', () => ice.stop());
    return transport;
  }

  /**
   * A transport made for a generation that a media reset has since replaced: closed here and
   * on the server, which may have made it on the new router in the instant before the reset
   * reached us (and would otherwise keep it until we leave). NOT_FOUND (the reset closed it
   * already) and a closed connection are fine.
   */
  private discardTransport(transportId: string, local?: types.Transport): void {
    local?.close();
    this.signaling.request('closeTransport', { transportId }).catch(() => undefined);
  }

  /** Asks the server for new ICE parameters and restarts with them; if that fails, the user hears about it. */
  private async restartIce(transport: types.Transport): Promise<void> {
    if (this.closed || transport.closed) return;
    try {
      const { iceParameters } = await this.signaling.request('restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
    } catch (err) {
      this.emitter.emit('error', { message: `The media connection failed: ${errorMessage(err)}` });
    }
  }
}

/** Settles when `transport` is connected, has failed or closed, or after `maxMs`. */
function whenConnected(transport: types.Transport, maxMs: number): Promise<void> {
  const settledStates = ['connected', 'failed', 'closed'];
  if (settledStates.includes(transport.connectionState)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      transport.off('connectionstatechange', onState);
      resolve();
    };
    const onState = (state: string): void => {
      if (settledStates.includes(state)) done();
    };
    const timer = setTimeout(done, maxMs);
    transport.on('connectionstatechange', onState);
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
