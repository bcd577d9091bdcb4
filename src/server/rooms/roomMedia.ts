/**
 * A room's media: its mediasoup router (made on first need, replaced when its worker dies),
 * and the acts on peers' transports, producers and consumers that the group must hear of.
 * What each peer owns lives in its PeerMedia (media/peerMedia.ts); this is where the room
 * decides who may see which producer: an admitted peer's is the group's, a waiting client's
 * is held for itself alone.
 */
import type { types as ms } from 'mediasoup';
import {
  ProtocolError,
  RtpCapabilities,
  type MediaKind,
  type ParsedRequestData,
  type ResultTypes,
} from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import type { Direction } from '../media/peerMedia.js';
import type { MediaRouter, WorkerPool } from '../media/workerPool.js';
import * as audience from './audiences.js';
import type { ClearKind } from './clearAudio.js';
import type { Members } from './members.js';
import type { Peer } from './peer.js';

const log = createLogger('rooms');

interface RouterState {
  router: MediaRouter;
  rtpCapabilities: RtpCapabilities;
}

/** What every check-in is answered with. */
export type CheckInAnswer = Readonly<{ state: 'waiting'; routerRtpCapabilities: RtpCapabilities }>;

export class RoomMedia {
  private routerState: Promise<RouterState> | undefined;
  private checkInAnswerOf: { router: RouterState; answer: CheckInAnswer } | undefined;

  constructor(
    private readonly sessionId: string,
    private readonly pool: WorkerPool,
    private readonly members: Members,
    private readonly isClosed: () => boolean,
  ) {}

  private ensureRouter(): Promise<RouterState> {
    if (!this.routerState) {
      const pending = this.pool.createRouter({ onLost: (lost) => void this.routerLost(lost) }).then((router) => {
        if (this.isClosed()) {
          router.close();
          throw new ProtocolError('SESSION_ENDED', 'the session has closed', { reason: 'session-ended' });
        }
        // Parse mediasoup's capabilities once into the wire type (they are ours, but the
        // wire type is the contract).
        return { router, rtpCapabilities: RtpCapabilities.parse(router.rtpCapabilities) };
      });
      // A failed creation is not cached, so the next caller tries again.
      pending.catch(() => {
        if (this.routerState === pending) this.routerState = undefined;
      });
      this.routerState = pending;
    }
    return this.routerState;
  }

  async router(): Promise<MediaRouter> {
    return (await this.ensureRouter()).router;
  }

  async rtpCapabilities(): Promise<RtpCapabilities> {
    return (await this.ensureRouter()).rtpCapabilities;
  }

  /**
   * What every check-in is answered with: the router's codecs. One frozen object per router,
   * so fifty check-ins at once serialize it once (SignalingConnection.respond).
   */
  async checkInAnswer(): Promise<CheckInAnswer> {
    const router = await this.ensureRouter();
    if (this.checkInAnswerOf?.router !== router) {
      this.checkInAnswerOf = { router, answer: Object.freeze({ state: 'waiting' as const, routerRtpCapabilities: router.rtpCapabilities }) };
    }
    return this.checkInAnswerOf.answer;
  }

  /**
   * The router's worker died, taking every transport, producer and consumer with it. The
   * session moves to a new router and everyone admitted hears `mediaReset`, so their pages
   * connect and produce again by themselves. Nobody left: membership, mutes (a muted
   * client's new producer is born paused) and the attendance record stay as they are.
   */
  private async routerLost(lost: MediaRouter): Promise<void> {
    const current = this.routerState;
    if (this.isClosed() || !current) return;
    // Only the router in use matters; one replaced meanwhile has been dealt with.
    if ((await current.catch(() => undefined))?.router !== lost || this.routerState !== current) return;
    this.routerState = undefined;
    log.warn('room.router_lost', { sessionId: this.sessionId, routerId: lost.id });
    // Waiting clients who were getting their media ready must start over too.
    const ready = new Set(this.members.list(audience.gettingReady));
    // Their objects closed with the worker; this also drops whatever a request in flight
    // was making on the dead router (see PeerMedia's epoch).
    // Until everyone hears of the reset, a request about what was lost says a reset took it.
    for (const peer of this.members.all()) peer.media.routerLost();
    const next = this.ensureRouter();
    let moved: RouterState;
    try {
      moved = await next;
    } catch (err) {
      // Every worker is gone for good (the pool logged why); the next join tries again. No
      // reset is coming, so nothing lost is said to be explained by one.
      log.error('room.media_reset_failed', { sessionId: this.sessionId, error: String(err) });
      for (const peer of this.members.all()) peer.media.resetAnnounced();
      return;
    }
    // Closed meanwhile, or the new router was lost too (its own reset tells everyone).
    if (this.isClosed() || this.routerState !== next) return;
    log.info('room.media_reset', { sessionId: this.sessionId, routerId: moved.router.id });
    const { rtpCapabilities } = moved;
    this.members.notifyWhere(audience.admittedAndReady(ready), 'mediaReset', () => ({ routerRtpCapabilities: rtpCapabilities }));
    // Heard (the notification is ahead of any later answer on each socket): plain NOT_FOUND again.
    for (const peer of this.members.all()) peer.media.resetAnnounced();
  }

  /** Closes the router (and with it every transport on it). */
  close(): void {
    const state = this.routerState;
    this.routerState = undefined;
    state?.then(({ router }) => router.close()).catch(() => undefined);
  }

  async createTransport(peer: Peer, direction: Direction): Promise<ResultTypes['createTransport']> {
    // Observers only receive: a send transport would let them be heard or seen.
    if (direction === 'send' && peer.role === 'observer') {
      throw new ProtocolError('FORBIDDEN', 'observers receive only');
    }
    return peer.media.createTransport(await this.router(), direction);
  }

  /** Closes one of `peer`'s transports; everyone admitted hears of the producers that went with it. */
  closeTransport(peer: Peer, transportId: string): void {
    for (const producerId of peer.media.closeTransport(transportId)) {
      log.info('producer.closed', { sessionId: this.sessionId, participantId: peer.participantId, producerId });
      this.members.notifyWhere(audience.admitted, 'producerClosed', () => ({ producerId }));
    }
  }

  /**
   * A producer of `peer`'s. An admitted peer's is announced to everyone admitted. A waiting
   * client's is *held*: created paused, announced to nobody and consumable by nobody
   * (PeerMedia skips it for everyone but its owner), so the page can connect its camera's
   * transport before admission and be seen at once after it; it is released, in the state the
   * client set while waiting, when the client is admitted (releaseHeld).
   */
  async produce(peer: Peer, data: ParsedRequestData<'produce'>): Promise<ResultTypes['produce']> {
    const kind: MediaKind = data.kind;
    // The group was told this client takes part by text: no camera or microphone reaches it.
    if (peer.standing.textOnly) {
      throw new ProtocolError('FORBIDDEN', 'you are taking part by text only; check in again to use a camera or microphone');
    }
    const held = !peer.isAdmitted;
    const clear = this.clearKindFor(peer, kind, data.clear === true);
    // A mute holds before the producer exists: it is born paused.
    const producer = await peer.media.produce(data.transportId, kind, data.rtpParameters, {
      paused: peer.mutedByFacilitator[kind],
      held,
      ...(clear ? { clear } : {}),
    });
    // Left, or sent back to the waiting room, while it was being made: PeerMedia has closed
    // it already in both cases (its epoch moved); this is for any other way out.
    if (!peer.connected || (!held && !peer.isAdmitted)) {
      producer.close();
      throw new ProtocolError('NOT_FOUND', 'you are no longer in the group');
    }
    // The allowance changed while it was being made (asked again: clearAudio.ts).
    if (!this.members.clearAudio.mayGoOn(peer, producer) || (clear === undefined && this.members.clearAudio.inClear(peer))) {
      producer.close();
      throw new ProtocolError('FORBIDDEN', 'audio in the clear is not allowed here now');
    }
    if (held) {
      log.info('producer.held', { sessionId: this.sessionId, participantId: peer.participantId, producerId: producer.id, kind });
      return { id: producer.id };
    }
    // A mute that arrived while mediasoup was creating it found nothing to pause.
    if (peer.mutedByFacilitator[kind] && !producer.paused) await peer.media.pauseKind(kind);
    this.announceProducer(peer, producer);
    return { id: producer.id };
  }

  /**
   * What a new producer of `peer`'s is (clearAudio.ts): asked for in the clear, the voice of
   * someone allowed in the clear (`speaker`) or a member's copy of their voice for them
   * (`copy`); otherwise encrypted, which someone in the clear may not send. Checked against
   * the allowance as it stands at this call.
   */
  private clearKindFor(peer: Peer, kind: MediaKind, clear: boolean): ClearKind | undefined {
    const routing = this.members.clearAudio;
    if (!clear) {
      if (routing.inClear(peer)) throw new ProtocolError('FORBIDDEN', 'you take part by audio in the clear: your microphone, unencrypted, is all you may send');
      return undefined;
    }
    if (kind !== 'audio') throw new ProtocolError('BAD_REQUEST', 'only audio is ever sent in the clear');
    if (!peer.isAdmitted) throw new ProtocolError('FORBIDDEN', 'nothing is sent in the clear before admission');
    if (routing.inClear(peer)) return 'speaker';
    if (!routing.anyone) throw new ProtocolError('FORBIDDEN', 'nobody here takes part by audio in the clear');
    return 'copy';
  }

  /** Tells everyone admitted but `peer` who may receive it of its new producer, and everyone admitted if it is paused. */
  private announceProducer(peer: Peer, producer: ms.Producer): void {
    log.info('producer.added', { sessionId: this.sessionId, participantId: peer.participantId, producerId: producer.id, kind: producer.kind });
    const clear = producer.appData['clear'] !== undefined;
    this.members.notifyWhere(
      (viewer) => audience.admittedBut(peer)(viewer) && this.members.clearAudio.mayReceive(viewer, peer, producer),
      'producerAdded',
      () => ({ producerId: producer.id, participantId: peer.participantId, kind: producer.kind, ...(clear ? { clear: true as const } : {}) }),
    );
    if (producer.paused) {
      this.members.notifyWhere(audience.admitted, 'producerPaused', () => ({ producerId: producer.id, paused: true }));
    }
  }

  /**
   * `peer` has just been admitted: its producers held since the waiting room are announced at
   * once, together, each in the state the client set while waiting (paused unless it asked
   * otherwise; paused whatever it asked where the facilitator muted its kind). The group starts
   * setting up its streams while the newcomer's page is still opening its admission, and sets
   * up both of a person's in one renegotiation, not one after the other.
   */
  releaseHeld(peer: Peer): void {
    const held = peer.media.heldProducers();
    if (held.length === 0) return;
    const announce = (): void => {
      // Gone, or sent back to the waiting room, meanwhile: those producers closed unannounced.
      if (!peer.isAdmitted || !peer.connected) return;
      for (const producer of held) if (!producer.closed && peer.media.release(producer.id)) this.announceProducer(peer, producer);
    };
    const muted = held.filter((p) => peer.mutedByFacilitator[p.kind] && !p.paused);
    if (muted.length === 0) return announce();
    void Promise.all(muted.map((p) => peer.media.setProducerPaused(p.id, true).catch(() => undefined))).then(announce);
  }

  private ownHeldProducer(peer: Peer, producerId: string): ms.Producer {
    if (!peer.media.isHeld(producerId)) throw new ProtocolError('NOT_FOUND', 'no such producer');
    return peer.media.ownProducer(producerId);
  }

  private producerInGroup(producerId: string): { owner: Peer; producer: ms.Producer } | undefined {
    for (const owner of this.members.list(audience.admitted)) {
      const producer = owner.media.producer(producerId);
      if (producer) return { owner, producer };
    }
    return undefined;
  }

  /**
   * A producer in the group that `viewer` may receive now: encrypted for those who can open
   * it, clear audio for those it is meant for (clearAudio.ts). Asked at every call, since an
   * allowance may have ended since the consumer was made.
   */
  private receivable(viewer: Peer, producerId: string): ms.Producer | undefined {
    const found = this.producerInGroup(producerId);
    if (!found) return undefined;
    if (!this.members.clearAudio.mayReceive(viewer, found.owner, found.producer)) {
      throw new ProtocolError('FORBIDDEN', 'that stream is not for you: encrypted streams are not for someone in the clear, and clear ones only for them');
    }
    return found.producer;
  }

  /**
   * A facilitator let `participantId` take part by audio in the clear, or no longer; or they
   * left the group (which ends it). Whatever may no longer flow stops: clear producers nobody
   * may send (a voice no longer allowed; members' copies once nobody is allowed), and each
   * consumer whose receiver may no longer have it (its owner hears `producerClosed`).
   */
  setClearAudio(participantId: string, allowed: boolean): void {
    if (!this.members.clearAudio.set(participantId, allowed)) return;
    log.info(allowed ? 'clear_audio.allowed' : 'clear_audio.ended', { sessionId: this.sessionId, participantId });
    this.reroute();
  }

  /** Stops what the allowance as it stands no longer lets flow (setClearAudio). */
  reroute(): void {
    const group = this.members.list(audience.admitted);
    for (const owner of group) {
      for (const producer of owner.media.listProducers()) {
        if (this.members.clearAudio.mayGoOn(owner, producer)) continue;
        producer.close();
        log.info('producer.closed', { sessionId: this.sessionId, participantId: owner.participantId, producerId: producer.id });
        this.members.notifyWhere(audience.admitted, 'producerClosed', () => ({ producerId: producer.id }));
      }
    }
    for (const viewer of group) {
      const closed = viewer.media.closeConsumersWhere((producerId) => {
        const found = this.producerInGroup(producerId);
        return !!found && !this.members.clearAudio.mayReceive(viewer, found.owner, found.producer);
      });
      for (const producerId of closed) viewer.notify('producerClosed', { producerId });
    }
  }

  /**
   * A consumer of a producer in the room, created paused (resumeConsumer). A waiting client may
   * consume only a producer of its own that is held: its page does so to open its receive
   * connection before admission, and may not resume it while waiting, so nothing flows.
   */
  async consume(peer: Peer, data: ParsedRequestData<'consume'>): Promise<ResultTypes['consume']> {
    const producer = peer.isAdmitted ? this.receivable(peer, data.producerId) : this.ownHeldProducer(peer, data.producerId);
    if (!producer) throw new ProtocolError('NOT_FOUND', 'no such producer');
    const consumer = await peer.media.consume(await this.router(), data.transportId, producer.id, data.rtpCapabilities);
    return {
      id: consumer.id,
      producerId: consumer.producerId,
      kind: consumer.kind,
      rtpParameters: { ...consumer.rtpParameters, codecs: consumer.rtpParameters.codecs.map((c) => ({ ...c })) },
    };
  }

  /**
   * The producer of one of `peer`'s consumers. A consumer whose producer has closed here is
   * gone, though the worker's word that it closed the consumer too may not have arrived yet.
   */
  private liveConsumer(peer: Peer, consumerId: string): string {
    const { producerId } = peer.media.ownConsumer(consumerId);
    if (!this.receivable(peer, producerId)) throw new ProtocolError('NOT_FOUND', 'no such consumer');
    return producerId;
  }

  /** Resumes one of `peer`'s consumers. */
  async resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    this.liveConsumer(peer, consumerId);
    await peer.media.resumeConsumer(consumerId);
  }

  /** How `peer` shows one of its consumers: seen or not, how tall (PeerMedia.setConsumerView). */
  async setConsumerView(peer: Peer, consumerId: string, visible: boolean, height: number): Promise<void> {
    this.liveConsumer(peer, consumerId);
    await peer.media.setConsumerView(consumerId, visible, height);
  }

  /** A key frame for one of `peer`'s video consumers that has not shown a frame yet (PeerMedia.requestKeyFrame). */
  async requestKeyFrame(peer: Peer, consumerId: string): Promise<void> {
    const producerId = this.liveConsumer(peer, consumerId);
    if (await peer.media.requestKeyFrame(consumerId)) log.debug('keyframe.requested', { consumerId, producerId });
  }

  /**
   * Pauses or resumes one of `peer`'s producers. A waiting client's held producer stays held:
   * what it sets is the state the producer is released in at admission (releaseHeld). One still
   * held once its owner is admitted (made while the admission happened) is released by this
   * call, announced (producerAdded) in the state asked for.
   */
  async setProducerPaused(peer: Peer, producerId: string, paused: boolean): Promise<void> {
    const producer = peer.media.ownProducer(producerId);
    // Pausing is always allowed; unpausing waits for the facilitator's allowUnmute.
    if (!paused && peer.mutedByFacilitator[producer.kind]) {
      throw new ProtocolError('MUTED_BY_FACILITATOR', 'the facilitator has muted you; wait until they allow unmuting');
    }
    // A mute arriving meanwhile pauses it after this (PeerMedia.pauseKind reaches held ones too).
    const changed = await peer.media.setProducerPaused(producerId, paused);
    // Checked again after the wait: only a client in the group releases its producer.
    if (peer.media.isHeld(producerId)) {
      if (!peer.isAdmitted || producer.closed) return;
      if (!peer.media.release(producerId) || producer.closed) return;
      this.announceProducer(peer, producer);
      return;
    }
    if (!changed) return;
    this.members.notifyWhere(audience.admittedBut(peer), 'producerPaused', () => ({ producerId, paused }));
  }
}
