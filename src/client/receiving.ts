/**
 * What one media session receives: the producers of others it was told of and is consuming, their
 * consumers on the receive transport (each a `track` for the caller, and a `trackEnded` when it
 * goes), and the watch that asks for a key frame while a video shows nothing. Closed with its
 * session, every track it gave ending then; the next router's producers arrive as new
 * announcements.
 */
import type { types } from 'mediasoup-client';
import { CAMERA_HEIGHT, spatialLayerFor, spatialLayersIn } from '../shared/protocol';
import type { MediaSession } from './mediaSession';
import { errorMessage, MediaResetError, takenByReset, type SessionContext } from './sessionContext';
import { consumerFor } from './transports';
import type { ResultTypes } from '../shared/protocol';

type ConsumeInfo = ResultTypes['consume'];

/**
 * A resumed video consumer that has decoded no frame after this long has its sender asked for
 * a key frame (`requestKeyFrame`), and again after twice as long, up to FIRST_FRAME_MAX_WAIT_MS
 * between asks, until a frame decodes. On a busy machine the key frame the server asks for at
 * resume can be lost or arrive before the receiver can use it, and the tile would stay black.
 */
export const FIRST_FRAME_WAIT_MS = 1000;
export const FIRST_FRAME_MAX_WAIT_MS = 4000;

/**
 * The longest a consumer the server has answered for waits for the other consume requests
 * still out before it is set up in the browser with them (Receiving.gather).
 */
export const CONSUME_GATHER_MAX_MS = 50;

/** Frames the receiver has decoded for this consumer, from its own stats. */
async function framesDecoded(consumer: types.Consumer): Promise<number> {
  let decoded = 0;
  for (const report of (await consumer.getStats()).values() as IterableIterator<{ type?: string; framesDecoded?: number }>) {
    if (report.type === 'inbound-rtp' && typeof report.framesDecoded === 'number') decoded += report.framesDecoded;
  }
  return decoded;
}

/** How a receiver shows one video: whether its tile can be seen, and how tall it is drawn, in device pixels. */
export interface TileView {
  visible: boolean;
  height: number;
}

/** What the server assumes of a consumer it was told nothing about: seen, at the camera's full height. */
const UNTOLD: TileView = { visible: true, height: CAMERA_HEIGHT };

interface RemoteConsumer {
  consumer: types.Consumer;
  participantId: string;
}

export class Receiving {
  /** producerId → owner, for producers announced but not consumed yet (or being consumed). */
  private readonly wanted = new Map<string, string>();
  private readonly consumers = new Map<string, RemoteConsumer>();
  /** How the caller shows each video consumer (viewTrack), and what the server was last told of it. */
  private readonly views = new WeakMap<types.Consumer, TileView>();
  private readonly told = new WeakMap<types.Consumer, TileView>();
  /** Views are told one after another, so a tile hidden and shown again ends shown on the server too. */
  private viewsSent: Promise<void> = Promise.resolve();
  /** `consume` requests sent and not answered yet. */
  private asking = 0;
  /** Consumers answered for, waiting to be set up in the browser together (gather). */
  private gathered: {
    transport: types.Transport;
    info: ConsumeInfo;
    participantId: string;
    resolve: (consumer: types.Consumer) => void;
    reject: (err: unknown) => void;
  }[] = [];
  private gatherTimer: ReturnType<typeof setTimeout> | null = null;
  /** Callers of setUp waiting for nothing to be wanted any more. */
  private setUpWaiters: (() => void)[] = [];
  /** Timers of first-frame watches (watchFirstFrame). */
  private readonly frameWatches = new Set<ReturnType<typeof setTimeout>>();
  /**
   * Settles once the receive transport is open; every consume waits on it and then runs at
   * once, side by side with the others. They are not run one at a time: each takes two round
   * trips and a renegotiation, so a queue made "Admit all" cost N × that in the console (and in
   * every page) before the last face appeared. mediasoup-client keeps its transport consistent
   * by itself: consume() calls that arrive while it renegotiates are gathered into one
   * renegotiation (Transport.createPendingConsumers).
   */
  private readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;
  private markFailed: (err: unknown) => void = () => undefined;

  constructor(
    private readonly context: SessionContext,
    private readonly session: MediaSession,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.markFailed = reject;
    });
    // A failed join is reported by join() itself; waiting consumes each report their own failure.
    this.ready.catch(() => undefined);
  }

  /** The receive transport is open: consumes waiting for it run now. */
  open(): void {
    this.markReady();
  }

  /** The receive transport could not be opened: consumes waiting for it fail with `err`. */
  fail(err: unknown): void {
    this.markFailed(err);
  }

  /** Whether a consumer of `producerId` is set up. */
  isConsuming(producerId: string): boolean {
    return this.consumers.has(producerId);
  }

  /**
   * Consumes `producerId` once the receive transport is open, unless it is wanted or consumed
   * already. Failures arrive as `error` events, but not those of a producer or session gone meanwhile.
   */
  want(producerId: string, participantId: string, paused: boolean): void {
    if (this.wanted.has(producerId) || this.consumers.has(producerId)) return;
    this.wanted.set(producerId, participantId);
    this.ready
      .then(() => this.consume(producerId, participantId, paused))
      .catch((err: unknown) => {
        // A consumer of a router that is gone failing is expected, not news.
        if (this.session.closed || takenByReset(err)) return;
        // Nor is one whose producer closed, or whose owner left, while it was being set up.
        if (!this.wanted.has(producerId) && !this.consumers.has(producerId)) return;
        this.unwant(producerId);
        this.reportFailure(producerId, err);
      });
  }

  /** Tells the person a stream could not be received, unless its producer closed meanwhile (then nothing was lost). */
  private reportFailure(producerId: string, err: unknown): void {
    if (!this.context.closedProducers.has(producerId)) this.context.events.emit('error', { message: `Could not receive a stream: ${errorMessage(err)}` });
  }

  /**
   * Settles once every producer wanted now is set up in the browser (its consumer made and its
   * resume on the way) or given up, at the latest after `maxMs`, or when the session closes.
   * A page about to draw a new screen waits for it: that draw holds the page's thread for tens
   * of ms, and done in the middle of the receive connection's renegotiation it holds back every
   * stream with it; after it, it overlaps the wait for the streams' first frames.
   */
  setUp(maxMs: number): Promise<void> {
    if (this.wanted.size === 0 || this.session.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.setUpWaiters = this.setUpWaiters.filter((d) => d !== done);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.setUpWaiters.push(done);
    });
  }

  /** `producerId` is no longer waiting to be set up; callers of setUp hear when none is. */
  private unwant(producerId: string): void {
    this.wanted.delete(producerId);
    if (this.wanted.size === 0) for (const done of this.setUpWaiters.splice(0)) done();
  }

  /** Stops consuming `producerId`: it is no longer wanted, and its consumer (if any) closes with a `trackEnded`. */
  drop(producerId: string): void {
    this.unwant(producerId);
    const entry = this.consumers.get(producerId);
    if (!entry) return;
    this.consumers.delete(producerId);
    if (!entry.consumer.closed) entry.consumer.close();
    this.context.events.emit('trackEnded', { producerId, participantId: entry.participantId });
  }

  /** The producers consumed or wanted now, with whose each is. */
  consumingNow(): [producerId: string, participantId: string][] {
    return [...this.wanted, ...[...this.consumers].map(([producerId, entry]): [string, string] => [producerId, entry.participantId])];
  }

  /** Wants nothing more of `participantId`; returns its producers consumed, for the caller to drop. */
  forgetParticipant(participantId: string): string[] {
    for (const [producerId, owner] of [...this.wanted]) if (owner === participantId) this.unwant(producerId);
    return [...this.consumers].filter(([, entry]) => entry.participantId === participantId).map(([producerId]) => producerId);
  }

  /**
   * How the caller shows the video `track` (issue 22): a tile that cannot be seen receives
   * nothing, and one drawn small gets the camera's smaller layer. Told to the server only when
   * it changes what the server does (seen or not, or the layer the height needs).
   */
  viewTrack(track: MediaStreamTrack, view: TileView): void {
    for (const { consumer } of this.consumers.values()) {
      if (consumer.track !== track || consumer.kind !== 'video') continue;
      this.views.set(consumer, view);
      this.tellView(consumer);
    }
  }

  /** The group's video is held back or capped, or no longer, on this receiver's link (SessionContext.incomingVideo). */
  incomingVideoChanged(): void {
    for (const { consumer } of this.consumers.values()) if (consumer.kind === 'video') this.tellView(consumer);
  }

  /** Whether the server sends `consumer` now, as we last told it. */
  private shown(consumer: types.Consumer): boolean {
    return (this.told.get(consumer) ?? UNTOLD).visible;
  }

  private tellView(consumer: types.Consumer): void {
    const wanted = this.views.get(consumer) ?? UNTOLD;
    const { held, capped } = this.context.incomingVideo;
    // Capped, the smallest layer whatever the tile: the SFU then neither sends more nor probes
    // the link for room to send more, which would crowd out the voices on a weak link.
    const view: TileView = { visible: wanted.visible && !held, height: capped ? 0 : Math.round(wanted.height) };
    const told = this.told.get(consumer) ?? UNTOLD;
    const layers = spatialLayersIn(consumer.rtpParameters.encodings);
    if (told.visible === view.visible && spatialLayerFor(told.height, layers) === spatialLayerFor(view.height, layers)) return;
    this.told.set(consumer, view);
    this.viewsSent = this.viewsSent.then(async () => {
      if (consumer.closed || this.session.closed) return;
      // Refused only for a consumer gone meanwhile, which has nothing left to show.
      await this.context.signaling.request('setConsumerView', { consumerId: consumer.id, ...view }).catch(() => undefined);
      // Shown again: its first frame after the pause is watched for as at the start.
      if (view.visible && !told.visible) {
        const before = await framesDecoded(consumer).catch(() => 0);
        this.watchFirstFrame(consumer.producerId, consumer, FIRST_FRAME_WAIT_MS, before);
      }
    });
  }

  /** Closes every consumer (each reported as `trackEnded`); consumes still waiting find the session closed. */
  close(): void {
    this.markFailed(new MediaResetError());
    for (const timer of this.frameWatches) clearTimeout(timer);
    this.frameWatches.clear();
    // Consumers gathered and not set up yet fail now, as the closed transport would make them.
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.gatherTimer = null;
    for (const { reject } of this.gathered.splice(0)) reject(new MediaResetError());
    for (const [producerId, { consumer, participantId }] of this.consumers) {
      consumer.close();
      this.context.events.emit('trackEnded', { producerId, participantId });
    }
    this.consumers.clear();
    for (const producerId of [...this.wanted.keys()]) this.unwant(producerId);
  }

  private async consume(producerId: string, participantId: string, paused: boolean): Promise<void> {
    // The session closed, or the producer or its owner gone, while waiting for the receive transport.
    if (this.session.closed || !this.wanted.has(producerId)) return;
    const transport = this.session.receiveTransport;
    if (!transport) throw new Error('not joined');
    this.asking++;
    let info: ConsumeInfo;
    try {
      info = await this.context.signaling.request('consume', {
        transportId: transport.id,
        producerId,
        rtpCapabilities: this.session.rtpCapabilities,
      });
    } finally {
      this.asking--;
      this.mayFlush();
    }
    this.session.assertOpen();
    // Joining with sendFirst: the browser renegotiates one connection at a time, so the
    // consumer is set up here only once our camera's connection is up (or the wait ran out).
    const holding = this.context.sendFirst.holding;
    if (holding) await holding;
    this.session.assertOpen();
    if (!this.wanted.has(producerId)) return;
    const consumer = await this.gather(transport, info, participantId);
    if (this.session.closed || !this.wanted.has(producerId)) {
      // The producer went away while we were setting up its consumer.
      consumer.close();
      return;
    }
    this.consumers.set(producerId, { consumer, participantId });
    this.unwant(producerId);
    consumer.on('transportclose', () => this.context.dropProducer(producerId));
    consumer.on('trackended', () => this.context.dropProducer(producerId));
    // The track is the caller's now, before the server is asked to send: its tile is drawn
    // while the resume and the first frames are on their way, not after them (a page busy
    // drawing read the resume's answer long after it came). Its frames flow once resumed;
    // closed with the session, it ends with a `trackEnded` like any.
    this.context.events.emit('track', { producerId, participantId, kind: info.kind, track: consumer.track });
    if (paused) {
      this.context.pausedProducers.add(producerId);
      this.context.events.emit('producerPaused', { producerId, paused: true });
    }
    // Consumers start paused on the server so no key frame is lost before we are ready.
    try {
      await this.context.signaling.request('resumeConsumer', { consumerId: consumer.id });
    } catch (err) {
      // Gone meanwhile, with the session or with its producer: its track has ended already.
      if (this.session.closed || this.consumers.get(producerId)?.consumer !== consumer) return;
      // Never to be sent: its track ends, and the person hears why.
      this.drop(producerId);
      this.reportFailure(producerId, err);
      return;
    }
    // The session closed meanwhile, closing this consumer and ending its track.
    if (this.session.closed) return;
    if (info.kind === 'video') {
      // Held back or capped on this link since before it came: it starts so.
      if (this.context.incomingVideo.held || this.context.incomingVideo.capped) this.tellView(consumer);
      this.watchFirstFrame(producerId, consumer, FIRST_FRAME_WAIT_MS);
    }
  }

  /**
   * Sets a consumer up in the browser together with the others the server is answering for.
   * Each setup is a renegotiation of the receive connection, and mediasoup-client gathers into one
   * only the consume() calls made at the same moment; a newcomer's consume answers (audio and video
   * of each person in the group) arrive some milliseconds apart, and each one that came after a
   * renegotiation had begun waited for it and then had one of its own. So a consumer answered for
   * waits until no consume request is out, or CONSUME_GATHER_MAX_MS, and all waiting are set up at once.
   */
  private gather(transport: types.Transport, info: ConsumeInfo, participantId: string): Promise<types.Consumer> {
    return new Promise<types.Consumer>((resolve, reject) => {
      this.gathered.push({ transport, info, participantId, resolve, reject });
      this.mayFlush();
    });
  }

  private mayFlush(): void {
    if (this.gathered.length === 0) return;
    if (this.asking > 0) {
      this.gatherTimer ??= setTimeout(() => this.flush(), CONSUME_GATHER_MAX_MS);
      return;
    }
    this.flush();
  }

  private flush(): void {
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.gatherTimer = null;
    const batch = this.gathered;
    this.gathered = [];
    for (const { transport, info, participantId, resolve, reject } of batch) consumerFor(this.context, transport, info, participantId).then(resolve, reject);
  }

  /** Asks for key frames until `consumer` has decoded a frame past the `before` it had (FIRST_FRAME_WAIT_MS); ends with the consumer. */
  private watchFirstFrame(producerId: string, consumer: types.Consumer, waitMs: number, before = 0): void {
    const current = (): boolean => !this.session.closed && !consumer.closed && this.consumers.get(producerId)?.consumer === consumer;
    const timer = setTimeout(() => {
      this.frameWatches.delete(timer);
      if (!current()) return;
      void framesDecoded(consumer)
        .catch(() => 0)
        .then(async (decoded) => {
          if (decoded > before || !current()) return;
          // Nothing is sent of a paused producer, nor of a consumer we said cannot be seen.
          if (!this.context.pausedProducers.has(producerId) && this.shown(consumer)) {
            // Refused or gone meanwhile: the next check finds out whether the consumer is still here.
            await this.context.signaling.request('requestKeyFrame', { consumerId: consumer.id }).catch(() => undefined);
          }
          if (current()) this.watchFirstFrame(producerId, consumer, Math.min(waitMs * 2, FIRST_FRAME_MAX_WAIT_MS), before);
        });
    }, waitMs);
    this.frameWatches.add(timer);
  }
}
