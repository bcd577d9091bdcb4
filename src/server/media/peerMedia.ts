/**
 * The mediasoup objects one peer owns: its WebRTC transports, producers and consumers. Every
 * lookup goes through the peer's own maps, so an id belonging to someone else is simply
 * NOT_FOUND. Only WebRTC transports exist here: no plain or pipe transport, so no media
 * ever leaves the SFU except to an admitted browser (no recording, by construction).
 * Transports listen through their worker's WebRtcServer (workerPool.ts): they open no
 * ports of their own.
 */
import type { types as ms } from 'mediasoup';
import {
  ProtocolError,
  type DtlsParameters,
  type MediaKind,
  type RtpCapabilities,
  type RtpParameters,
  type TransportInfo,
  spatialLayerFor,
  spatialLayersIn,
} from '../../shared/protocol.js';
import { createLogger, errorFields } from '../../common/logger.js';
import type { MediaRouter } from './workerPool.js';
import { firstKeyFrame, watchFirstKeyFrame } from './firstKeyFrame.js';
import { KEY_FRAME_REQUEST_DELAY_MS, startLayers } from './layerStart.js';

const log = createLogger('media');

export type Direction = 'send' | 'recv';

/**
 * Caps that keep one peer from exhausting a worker (memory and CPU; ports are no longer at
 * stake, every transport shares its worker's). Creations still on their way from the worker count against them, so
 * requests sent in parallel cannot all pass the check before any of them exists.
 */
export const MAX_TRANSPORTS_PER_PEER = 4;
export const MAX_PRODUCERS_PER_PEER = 4;
export const MAX_CONSUMERS_PER_PEER = 200;
/** The least time between two key frames one consumer may ask its sender for. */
export const KEY_FRAME_INTERVAL_MS = 1000;

/** What the SFU's estimate of a receiver's way down is held to, and for how long, once its link recovers. */
export const RECOVERY_FLOOR_BPS = 700_000;
export const RECOVERY_FLOOR_MS = 4_000;


interface OwnedTransport {
  transport: ms.WebRtcTransport;
  direction: Direction;
}

/**
 * Runs a mediasoup call, turning its failures (which are about the caller's parameters, or
 * internal) into a BAD_REQUEST with a safe message; mediasoup's own message may echo input.
 */
async function guarded<T>(what: string, ids: Record<string, string>, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    log.warn(`${what}.failed`, { ...ids, ...errorFields(err) });
    throw new ProtocolError('BAD_REQUEST', `${what} failed: the parameters were not accepted`);
  }
}

export class PeerMedia {
  private readonly transports = new Map<string, OwnedTransport>();
  private readonly producers = new Map<string, ms.Producer>();
  /**
   * Producers a waiting client made to get its connection ready (Room.produce): paused here
   * and invisible to everyone but their owner (`producer`, `listProducers` skip them) until the
   * admitted owner releases them (`release`).
   */
  private readonly held = new Set<string>();
  private readonly consumers = new Map<string, ms.Consumer>();
  /** When each consumer last had a key frame asked for (requestKeyFrame); gone with the consumer. */
  private readonly keyFrameRequests = new WeakMap<ms.Consumer, number>();
  /**
   * Consumers the receiver has resumed (resumeConsumer), and those whose tile it says cannot be
   * seen (setConsumerView): a consumer flows only while it is the first and not the second.
   */
  private readonly resumed = new WeakSet<ms.Consumer>();
  private readonly hidden = new WeakSet<ms.Consumer>();
  /** Lets the SFU's estimate of our way down go again once a recovery's floor has had its time (afterRecovery). */
  private recoveryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Consumers resumed before their camera's first key frame, to be let flow once it comes (flow). */
  private readonly awaitingKeyFrame = new WeakSet<ms.Consumer>();
  /** Layered consumers being helped to their first layer (startLayers). */
  private readonly startingLayers = new WeakSet<ms.Consumer>();
  /** Creations asked of the worker and not yet answered, counted against the caps. */
  private readonly pending = { transports: 0, producers: 0, consumers: 0 };
  private closed = false;
  /**
   * Bumped whenever the peer's media is torn down (returned to the waiting room, or the
   * router lost). Anything created by a call that started in an earlier epoch is closed on
   * arrival, so a request racing a teardown cannot leave a waiting client holding a
   * transport, nor anyone a transport on a dead router.
   */
  private epoch = 0;
  private used = false;
  /**
   * The router was lost with its worker and everything here torn down, and the room has not
   * said `mediaReset` yet (it waits for the new router): a request naming something of the
   * old router is answered NOT_FOUND with the reason `media-reset`, so the client knows the
   * reset it is about to hear explains it, and tells the person nothing.
   */
  private resetPending = false;

  constructor(readonly participantId: string) {}

  /** NOT_FOUND for something of ours that is not here (or no longer), and why when a reset took it. */
  private gone(message: string): ProtocolError {
    return this.resetPending
      ? new ProtocolError('NOT_FOUND', `${message}: the media is being reset`, { reason: 'media-reset' })
      : new ProtocolError('NOT_FOUND', message);
  }

  private transport(id: string): OwnedTransport {
    const owned = this.transports.get(id);
    if (!owned) throw this.gone('no such transport');
    return owned;
  }

  /** One of this peer's producers, held or not: for the owner's own requests. */
  ownProducer(id: string): ms.Producer {
    const p = this.producers.get(id);
    if (!p) throw this.gone('no such producer');
    return p;
  }

  /** A producer others may know of: never a held one. */
  producer(id: string): ms.Producer | undefined {
    return this.held.has(id) ? undefined : this.producers.get(id);
  }

  /** The producers others may know of: never the held ones. */
  listProducers(): ms.Producer[] {
    return [...this.producers.values()].filter((p) => !this.held.has(p.id));
  }

  isHeld(id: string): boolean {
    return this.held.has(id);
  }

  /** The held producers, still open: released together at admission (RoomMedia.releaseHeld). */
  heldProducers(): ms.Producer[] {
    return [...this.held].map((id) => this.producers.get(id)).filter((p): p is ms.Producer => !!p && !p.closed);
  }

  /** Makes a held producer one others may know of; false if it was not held. */
  release(id: string): boolean {
    return this.held.delete(id);
  }

  /**
   * Whether this peer has made a transport since its media was last torn down: a waiting
   * client getting ready, or anyone in the group. Still true once a dead worker has taken the
   * transports with it, which is when a room asks.
   */
  get inUse(): boolean {
    return this.used;
  }

  /**
   * Holds one of the cap's places for a creation while the worker makes it: CONFLICT when
   * existing and pending ones fill the cap. The place is given back when `create` settles,
   * kept by the created object itself (it is in its map by then) or freed on failure.
   */
  private async reserved<T>(kind: keyof PeerMedia['pending'], have: number, cap: number, message: string, create: () => Promise<T>): Promise<T> {
    if (have + this.pending[kind] >= cap) throw new ProtocolError('CONFLICT', message);
    this.pending[kind]++;
    try {
      return await create();
    } finally {
      this.pending[kind]--;
    }
  }

  /** Throws if the peer's media was closed or torn down since `epoch` was read. */
  private assertCurrent(epoch: number, created: { close(): void }): void {
    if (this.closed || epoch !== this.epoch) {
      created.close();
      throw this.gone('your media was closed meanwhile');
    }
  }

  async createTransport(router: MediaRouter, direction: Direction): Promise<TransportInfo> {
    const epoch = this.epoch;
    const transport = await this.reserved('transports', this.transports.size, MAX_TRANSPORTS_PER_PEER, 'too many transports; close one first', async () => {
      const created = await router.createWebRtcTransport({
        webRtcServer: router.appData.webRtcServer,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        appData: { participantId: this.participantId, direction },
      });
      this.assertCurrent(epoch, created);
      this.used = true;
      this.transports.set(created.id, { transport: created, direction });
      created.observer.on('close', () => this.transports.delete(created.id));
      return created;
    });
    transport.on('dtlsstatechange', (state: ms.DtlsState) => {
      if (state === 'failed' || state === 'closed') {
        log.info('transport.dtls', { participantId: this.participantId, transportId: transport.id, state });
      }
    });
    log.debug('transport.created', { participantId: this.participantId, transportId: transport.id, direction });
    return {
      id: transport.id,
      iceParameters: { ...transport.iceParameters },
      iceCandidates: transport.iceCandidates.map((c) => ({ ...c })),
      dtlsParameters: {
        role: transport.dtlsParameters.role,
        fingerprints: transport.dtlsParameters.fingerprints.map((f) => ({ ...f })),
      },
    };
  }

  async connectTransport(transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    const { transport } = this.transport(transportId);
    await guarded('connectTransport', { transportId }, () =>
      // The schema checked the outline; mediasoup validates the rest and throws on nonsense.
      transport.connect({ dtlsParameters: dtlsParameters as unknown as ms.DtlsParameters }),
    );
  }

  async restartIce(transportId: string): Promise<Record<string, unknown>> {
    const { transport } = this.transport(transportId);
    const ice = await guarded('restartIce', { transportId }, () => transport.restartIce());
    return { ...ice };
  }

  /**
   * Closes one of this peer's transports, and with it the producers and consumers on it
   * (a page that gave up on a transport, or made one in the instant before a media reset).
   * Returns the closed producers' ids, for producerClosed.
   */
  closeTransport(transportId: string): string[] {
    const { transport } = this.transport(transportId);
    // Held producers close too, but nobody else knew of them.
    const producerIds = this.listProducers().filter((p) => p.appData['transportId'] === transportId).map((p) => p.id);
    transport.close();
    log.debug('transport.closed', { participantId: this.participantId, transportId });
    return producerIds;
  }

  /**
   * `paused`: created paused (the facilitator has muted this kind). `held`: a waiting client's,
   * created paused whatever `paused` says, and invisible to others until `release`.
   */
  async produce(
    transportId: string,
    kind: MediaKind,
    rtpParameters: RtpParameters,
    { paused, held = false, clear }: { paused: boolean; held?: boolean; clear?: 'speaker' | 'copy' },
  ): Promise<ms.Producer> {
    const owned = this.transport(transportId);
    if (owned.direction !== 'send') throw new ProtocolError('BAD_REQUEST', 'produce needs a send transport');
    const epoch = this.epoch;
    return this.reserved('producers', this.producers.size, MAX_PRODUCERS_PER_PEER, 'too many producers', async () => {
      const created = await guarded('produce', { transportId }, () =>
        owned.transport.produce({
          kind,
          rtpParameters: rtpParameters as unknown as ms.RtpParameters,
          paused: paused || held,
          ...(kind === 'video' ? { keyFrameRequestDelay: KEY_FRAME_REQUEST_DELAY_MS } : {}),
          appData: { participantId: this.participantId, transportId, ...(clear ? { clear } : {}) },
        }),
      );
      this.assertCurrent(epoch, created);
      this.producers.set(created.id, created);
      if (held) this.held.add(created.id);
      watchFirstKeyFrame(created, (err) => log.debug('keyframe.watch.failed', errorFields(err)));
      created.observer.on('close', () => {
        this.producers.delete(created.id);
        this.held.delete(created.id);
      });
      return created;
    });
  }

  async consume(
    router: ms.Router,
    transportId: string,
    producerId: string,
    rtpCapabilities: RtpCapabilities,
  ): Promise<ms.Consumer> {
    const owned = this.transport(transportId);
    if (owned.direction !== 'recv') throw new ProtocolError('BAD_REQUEST', 'consume needs a receive transport');
    // Checked before the router is asked anything; `reserved` checks again, counting creations under way.
    if (this.consumers.size + this.pending.consumers >= MAX_CONSUMERS_PER_PEER) throw new ProtocolError('CONFLICT', 'too many consumers');
    const caps = rtpCapabilities as unknown as ms.RtpCapabilities;
    let can: boolean;
    try {
      can = router.canConsume({ producerId, rtpCapabilities: caps });
    } catch (err) {
      log.warn('canConsume.failed', { transportId, producerId, ...errorFields(err) });
      can = false;
    }
    if (!can) throw new ProtocolError('BAD_REQUEST', 'these capabilities cannot receive that producer');
    // Paused until the client has set up its side, so no key frame is lost (resumeConsumer).
    // `enableRtx` for the voice too (mediasoup keeps it for video only by default): the worker
    // keeps what it sent and answers a receiver's NACK, so a voice packet lost on the way down
    // is sent again instead of concealed (issue 22).
    const epoch = this.epoch;
    return this.reserved('consumers', this.consumers.size, MAX_CONSUMERS_PER_PEER, 'too many consumers', async () => {
      const created = await guarded('consume', { transportId, producerId }, () =>
        owned.transport.consume({ producerId, rtpCapabilities: caps, paused: true, enableRtx: true }),
      );
      this.assertCurrent(epoch, created);
      this.consumers.set(created.id, created);
      created.observer.on('close', () => this.consumers.delete(created.id));
      // A camera turned back on starts its layers again from nothing measured.
      created.on('producerresume', () => this.startLayers(created));
      return created;
    });
  }

  ownConsumer(id: string): ms.Consumer {
    const c = this.consumers.get(id);
    if (!c) throw this.gone('no such consumer');
    return c;
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    const consumer = this.ownConsumer(consumerId);
    this.resumed.add(consumer);
    if (this.hidden.has(consumer)) return;
    await this.flow('resumeConsumer', consumer);
  }

  /**
   * Lets a consumer the receiver has resumed and can see flow: now, or, if its camera has not
   * sent its first key frame yet, once it has (firstKeyFrame.ts); the receiver's call does not
   * wait for that. Then gets it its first layer.
   */
  private async flow(what: string, consumer: ms.Consumer): Promise<void> {
    const first = firstKeyFrame(consumer.producerId);
    if (!first) {
      await this.onConsumer(what, consumer, () => consumer.resume());
      this.startLayers(consumer);
      return;
    }
    if (this.awaitingKeyFrame.has(consumer)) return;
    this.awaitingKeyFrame.add(consumer);
    void first
      .then(async () => {
        this.awaitingKeyFrame.delete(consumer);
        // Hidden, closed or gone with a reset meanwhile: it stays as that left it.
        if (consumer.closed || this.hidden.has(consumer) || !this.resumed.has(consumer)) return;
        await consumer.resume();
        this.startLayers(consumer);
      })
      .catch((err: unknown) => log.debug('consumer.resume.failed', { consumerId: consumer.id, ...errorFields(err) }));
  }

  /** A layered consumer that may now flow gets its first layer promptly (layerStart.ts), once at a time. */
  private startLayers(consumer: ms.Consumer): void {
    if (this.startingLayers.has(consumer)) return;
    this.startingLayers.add(consumer);
    void startLayers(consumer, (err) => log.debug('layers.start.failed', errorFields(err))).then(() => this.startingLayers.delete(consumer));
  }

  /**
   * How the receiver shows one of its consumers (issue 22). A tile that cannot be seen receives
   * nothing: its consumer is paused here, and resumed (with a key frame, which mediasoup asks
   * for on resume) once it can be seen again, if the receiver had resumed it. A layered camera's
   * consumer prefers the spatial layer the tile's height needs (spatialLayerFor); the SFU sends
   * that layer or, when the receiver's link cannot carry it, a lower one, by its own estimate of
   * that link. An audio consumer has nothing to show: its
   * view changes nothing.
   */
  async setConsumerView(consumerId: string, visible: boolean, height: number): Promise<void> {
    const consumer = this.ownConsumer(consumerId);
    if (consumer.kind !== 'video') return;
    const layers = spatialLayersIn(consumer.rtpParameters.encodings);
    if (layers > 1) {
      const spatialLayer = spatialLayerFor(height, layers);
      if (consumer.preferredLayers?.spatialLayer !== spatialLayer) {
        await this.onConsumer('setPreferredLayers', consumer, () => consumer.setPreferredLayers({ spatialLayer }));
      }
    }
    if (visible === !this.hidden.has(consumer)) return;
    if (visible) this.hidden.delete(consumer);
    else this.hidden.add(consumer);
    if (!this.resumed.has(consumer)) return;
    if (visible) {
      // Video back for a receiver that was getting none (its client held the group's video back
      // on a poor link, and lets it come again after a good while): the SFU's estimate of its
      // way down is still where the congestion and the voice-only spell left it, often below
      // the smallest layer, so the picture would wait seconds for it to climb. Held up as after
      // a recovery; a false claim costs only the claimant.
      if (!this.receivingVideo(consumer)) this.afterRecovery();
      await this.flow('setConsumerView', consumer);
    } else await this.onConsumer('setConsumerView', consumer, () => consumer.pause());
  }

  /** Whether a video consumer of ours other than `except` may flow now (resumed by us, seen, on an open transport). */
  private receivingVideo(except: ms.Consumer): boolean {
    for (const c of this.consumers.values()) {
      if (c !== except && c.kind === 'video' && !c.closed && this.resumed.has(c) && !this.hidden.has(c)) return true;
    }
    return false;
  }

  /**
   * Runs a call on one of our consumers. If its producer closed meanwhile, the worker closed
   * the consumer and says so a moment later: gone, not a bad request.
   */
  private async onConsumer(what: string, consumer: ms.Consumer, call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (err) {
      if (consumer.closed) throw this.gone('no such consumer');
      return guarded(what, { consumerId: consumer.id }, () => Promise.reject(err));
    }
  }

  /**
   * Asks the sender of one of our video consumers for a key frame, for a receiver that has not
   * decoded a frame yet. At most one per consumer per KEY_FRAME_INTERVAL_MS reaches the
   * sender (a key frame is several times a delta frame's size, and a storm of them would
   * starve the sender's link); one asked for sooner is answered and dropped. False then, and
   * for an audio consumer, which has no key frames.
   */
  async requestKeyFrame(consumerId: string, now = Date.now()): Promise<boolean> {
    const consumer = this.ownConsumer(consumerId);
    if (consumer.kind !== 'video') return false;
    const last = this.keyFrameRequests.get(consumer) ?? -Infinity;
    if (now - last < KEY_FRAME_INTERVAL_MS) return false;
    this.keyFrameRequests.set(consumer, now);
    try {
      await consumer.requestKeyFrame();
      return true;
    } catch (err) {
      if (consumer.closed) throw this.gone('no such consumer');
      return guarded('requestKeyFrame', { consumerId }, () => Promise.reject(err));
    }
  }

  /** The peer's open receive transports. */
  receiveTransports(): ms.WebRtcTransport[] {
    return [...this.transports.values()].filter((t) => t.direction === 'recv' && !t.transport.closed).map((t) => t.transport);
  }

  /**
   * The receiver's link is good again after a weak or poor spell (its own measure, issue 22),
   * or video comes back to it after none (setConsumerView): for RECOVERY_FLOOR_MS the SFU's
   * estimate of the way down is held at RECOVERY_FLOOR_BPS at least, then let go. Left alone,
   * the estimate climbs back gently near where a congestion last cut it, and the full picture
   * took more than a minute to return; with the floor it is back in seconds, and it stays where
   * the link holds it once the floor goes. A claim that is false costs only the claimant: a few
   * seconds of more than its own link carries.
   */
  afterRecovery(): void {
    const receivers = this.receiveTransports();
    if (receivers.length === 0) return;
    const floor = (bitrate: number): void => {
      for (const transport of receivers) {
        if (!transport.closed) transport.setMinOutgoingBitrate(bitrate).catch((err: unknown) => log.warn('recovery.floor.failed', errorFields(err)));
      }
    };
    floor(RECOVERY_FLOOR_BPS);
    // Said again while held up: held for the whole time from the latest word.
    if (this.recoveryTimer) clearTimeout(this.recoveryTimer);
    this.recoveryTimer = setTimeout(() => {
      this.recoveryTimer = undefined;
      floor(0);
    }, RECOVERY_FLOOR_MS).unref();
  }

  async setProducerPaused(producerId: string, paused: boolean): Promise<boolean> {
    const producer = this.ownProducer(producerId);
    if (producer.paused === paused) return false;
    await guarded('setProducerPaused', { producerId }, () => (paused ? producer.pause() : producer.resume()));
    return true;
  }

  /**
   * Pauses every producer of `kind`, held or not, whatever its state (a pause in flight from
   * the client must not make this one a no-op). Returns the ids of those others may know of,
   * for producerPaused.
   */
  async pauseKind(kind: MediaKind): Promise<string[]> {
    // Held ones too: a waiting client may have asked for one to go live at admission.
    const ofKind = [...this.producers.values()].filter((p) => p.kind === kind && !p.closed);
    await Promise.all(ofKind.map((p) => guarded('pauseProducer', { producerId: p.id }, () => p.pause())));
    return ofKind.filter((p) => !this.held.has(p.id)).map((p) => p.id);
  }

  /**
   * Closes every transport, producer and consumer but lets the peer make new ones later
   * (returned to the waiting room, then admitted again; or the room's router was lost with
   * its worker and the peer connects to the new one). Returns the closed producers' ids.
   */
  teardown(): string[] {
    this.epoch++;
    return this.closeEverything();
  }

  /** `teardown` because the router was lost; until `resetAnnounced`, what was lost says so (`gone`). */
  routerLost(): string[] {
    this.resetPending = true;
    return this.teardown();
  }

  /** The room has told this peer's client of the reset (or has no new router to tell it of). */
  resetAnnounced(): void {
    this.resetPending = false;
  }

  /** Closes this peer's consumers whose producers `drop` names; returns those producers' ids. */
  closeConsumersWhere(drop: (producerId: string) => boolean): string[] {
    const closed: string[] = [];
    for (const c of [...this.consumers.values()]) {
      if (!drop(c.producerId)) continue;
      c.close();
      this.consumers.delete(c.id);
      closed.push(c.producerId);
    }
    return closed;
  }

  /** Closes everything for good (the peer left); returns the closed producers' ids. */
  closeAll(): string[] {
    this.closed = true;
    return this.closeEverything();
  }

  private closeEverything(): string[] {
    this.used = false;
    // Held producers close too, but nobody else knew of them.
    const producerIds = this.listProducers().map((p) => p.id);
    // Closing a transport closes its producers and consumers with it.
    for (const { transport } of this.transports.values()) transport.close();
    for (const p of this.producers.values()) p.close();
    for (const c of this.consumers.values()) c.close();
    this.transports.clear();
    this.producers.clear();
    this.held.clear();
    this.consumers.clear();
    return producerIds;
  }
}
