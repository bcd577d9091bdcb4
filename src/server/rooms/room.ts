/**
 * The live side of one session: its peers, its waiting room and its mediasoup router.
 * The room enforces who learns what: clients in check-in or waiting hear nothing about
 * anyone; clinicians hear every knock; everyone admitted hears joins, leaves and producers.
 */
import type { types as ms } from 'mediasoup';
import {
  ProtocolError,
  RtpCapabilities,
  type MediaKind,
  type NotificationName,
  type NotificationTypes,
  type ParsedRequestData,
  type Participant,
  type Producer,
  type ResultTypes,
  type ClinicianHelloResult,
} from '../../shared/protocol.js';
import { createLogger } from '../logger.js';
import type { Direction, RtcListenOptions } from '../media/peerMedia.js';
import type { WorkerPool } from '../media/workerPool.js';
import type { SessionRecord } from '../store/sessions.js';
import type { Peer } from './peer.js';
import { participantFor, producersOf } from './participantView.js';

const log = createLogger('rooms');

export interface RoomDeps {
  pool: WorkerPool;
  rtc: RtcListenOptions;
  /** Called once the room has no peers and no joins under way. */
  onEmpty(room: Room): void;
}

interface RouterState {
  router: ms.Router;
  rtpCapabilities: RtpCapabilities;
}

export class Room {
  private readonly peers = new Map<string, Peer>();
  private routerState: Promise<RouterState> | undefined;
  private pendingJoins = 0;
  private closed = false;

  constructor(
    readonly session: SessionRecord,
    private readonly deps: RoomDeps,
  ) {}

  get id(): string {
    return this.session.id;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get size(): number {
    return this.peers.size;
  }

  // --- router ----------------------------------------------------------------------

  private ensureRouter(): Promise<RouterState> {
    if (!this.routerState) {
      const pending = this.deps.pool.createRouter().then((router) => {
        if (this.closed) {
          router.close();
          throw new ProtocolError('SESSION_ENDED', 'the session has closed');
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

  async router(): Promise<ms.Router> {
    return (await this.ensureRouter()).router;
  }

  async rtpCapabilities(): Promise<RtpCapabilities> {
    return (await this.ensureRouter()).rtpCapabilities;
  }

  /**
   * Keeps the room open across an asynchronous join (the router may be created meanwhile);
   * pair every call with `release`.
   */
  reserve(): void {
    this.pendingJoins++;
  }

  release(): void {
    this.pendingJoins--;
    this.closeIfEmpty();
  }

  // --- membership --------------------------------------------------------------------

  peer(participantId: string): Peer | undefined {
    return this.peers.get(participantId);
  }

  hasPeer(participantId: string): boolean {
    return this.peers.has(participantId);
  }

  private list(filter: (p: Peer) => boolean): Peer[] {
    return [...this.peers.values()].filter((p) => !p.left && filter(p));
  }

  private notifyWhere<N extends NotificationName>(
    filter: (p: Peer) => boolean,
    name: N,
    data: (viewer: Peer) => NotificationTypes[N],
  ): void {
    for (const p of this.list(filter)) p.notify(name, data(p));
  }

  private participantsFor(viewer: Peer): Participant[] {
    return this.list((p) => p.isAdmitted).map((p) => participantFor(viewer, p));
  }

  private allProducers(): Producer[] {
    return this.list((p) => p.isAdmitted).flatMap(producersOf);
  }

  private assertOpen(): void {
    if (this.closed) throw new ProtocolError('SESSION_ENDED', 'the session has closed');
  }

  /** A client after a successful hello: in check-in, known to nobody yet. */
  addClient(peer: Peer): void {
    this.assertOpen();
    if (this.peers.has(peer.participantId)) throw new ProtocolError('CONFLICT', 'this invitation is already connected');
    this.peers.set(peer.participantId, peer);
    log.info('client.connected', { sessionId: this.id, participantId: peer.participantId });
  }

  /**
   * A clinician after a successful hello: admitted at once and announced to everyone
   * admitted. Returns what the clinician's hello answers with.
   */
  addClinician(peer: Peer, rtpCapabilities: RtpCapabilities): Omit<ClinicianSnapshot, 'role'> {
    this.assertOpen();
    if (this.peers.has(peer.participantId)) throw new ProtocolError('CONFLICT', 'already connected to this session');
    this.peers.set(peer.participantId, peer);
    log.info('clinician.joined', { sessionId: this.id, participantId: peer.participantId, role: peer.role });
    this.notifyWhere(
      (p) => p.isAdmitted && p !== peer,
      'peerJoined',
      (viewer) => ({ participant: participantFor(viewer, peer) }),
    );
    return {
      participantId: peer.participantId,
      session: { id: this.session.id, title: this.session.title, state: this.session.state },
      routerRtpCapabilities: rtpCapabilities,
      waiting: this.list((p) => p.role === 'client' && p.state === 'waiting').map((p) => participantFor(peer, p)),
      participants: this.participantsFor(peer),
      producers: this.allProducers().filter((p) => p.participantId !== peer.participantId),
      locked: false,
    };
  }

  /** check-in → waiting, and a knock to every clinician in the room. */
  checkIn(peer: Peer, data: ParsedRequestData<'checkIn'>): void {
    peer.displayName = data.displayName;
    peer.mediaIntent = { ...data.media };
    peer.crisis = {
      ...(data.location !== undefined ? { location: data.location } : {}),
      ...(data.emergencyContact !== undefined ? { emergencyContact: data.emergencyContact } : {}),
    };
    peer.state = 'waiting';
    peer.knockedAt = new Date().toISOString();
    log.info('client.knocked', { sessionId: this.id, participantId: peer.participantId });
    this.notifyWhere(
      (p) => p.isClinician,
      'knock',
      (viewer) => ({ participant: participantFor(viewer, peer) }),
    );
  }

  private waitingClient(participantId: string): Peer {
    const target = this.peers.get(participantId);
    if (!target || target.left || target.role !== 'client') throw new ProtocolError('NOT_FOUND', 'no such participant');
    if (target.state !== 'waiting') throw new ProtocolError('CONFLICT', 'that participant is not waiting');
    return target;
  }

  async admit(by: Peer, participantId: string): Promise<void> {
    this.waitingClient(participantId);
    // The router may not exist yet; everything after this await is synchronous, so the
    // state is checked again against what happened meanwhile.
    const rtpCapabilities = await this.rtpCapabilities();
    const target = this.waitingClient(participantId);
    target.state = 'admitted';
    log.info('client.admitted', { sessionId: this.id, participantId, by: by.participantId });
    target.notify('admitted', {
      routerRtpCapabilities: rtpCapabilities,
      participants: this.participantsFor(target),
      producers: this.allProducers(),
    });
    this.notifyWhere(
      (p) => p.isAdmitted && p !== target,
      'peerJoined',
      (viewer) => ({ participant: participantFor(viewer, target) }),
    );
    this.notifyWhere(
      (p) => p.isClinician,
      'participantUpdated',
      (viewer) => ({ participant: participantFor(viewer, target) }),
    );
  }

  /** Sends `denied` and closes the client's socket; the invitation stays valid. */
  deny(by: Peer, participantId: string): void {
    const target = this.waitingClient(participantId);
    log.info('client.denied', { sessionId: this.id, participantId, by: by.participantId });
    target.notify('denied', {});
    target.channel.close(1000, 'denied');
    this.removePeer(target);
  }

  /** The peer has left (leave, socket closed, denied): close its media and tell those who knew. */
  removePeer(peer: Peer): void {
    if (peer.left || this.peers.get(peer.participantId) !== peer) return;
    const wasAdmitted = peer.isAdmitted;
    const knownToClinicians = peer.role === 'client' && peer.state !== 'check-in';
    peer.left = true;
    this.peers.delete(peer.participantId);
    const closedProducers = peer.media.closeAll();
    log.info('peer.left', { sessionId: this.id, participantId: peer.participantId, role: peer.role });
    if (wasAdmitted) {
      for (const producerId of closedProducers) {
        this.notifyWhere((p) => p.isAdmitted, 'producerClosed', () => ({ producerId }));
      }
      this.notifyWhere((p) => p.isAdmitted, 'peerLeft', () => ({ participantId: peer.participantId }));
    }
    if (knownToClinicians) {
      this.notifyWhere((p) => p.isClinician, 'participantLeft', () => ({ participantId: peer.participantId }));
    }
    this.closeIfEmpty();
  }

  // --- media -------------------------------------------------------------------------

  async createTransport(peer: Peer, direction: Direction): Promise<ResultTypes['createTransport']> {
    // Observers only receive: a send transport would let them be heard or seen.
    if (direction === 'send' && peer.role === 'observer') {
      throw new ProtocolError('FORBIDDEN', 'observers receive only');
    }
    return peer.media.createTransport(await this.router(), direction);
  }

  async produce(peer: Peer, data: ParsedRequestData<'produce'>): Promise<ResultTypes['produce']> {
    const producer = await peer.media.produce(data.transportId, data.kind, data.rtpParameters);
    if (peer.left) {
      producer.close();
      throw new ProtocolError('NOT_FOUND', 'the peer has left');
    }
    log.info('producer.added', { sessionId: this.id, participantId: peer.participantId, producerId: producer.id, kind: producer.kind });
    const kind: MediaKind = producer.kind;
    this.notifyWhere(
      (p) => p.isAdmitted && p !== peer,
      'producerAdded',
      () => ({ producerId: producer.id, participantId: peer.participantId, kind }),
    );
    return { id: producer.id };
  }

  private producerInRoom(producerId: string): ms.Producer {
    for (const p of this.list((x) => x.isAdmitted)) {
      const producer = p.media.producer(producerId);
      if (producer) return producer;
    }
    throw new ProtocolError('NOT_FOUND', 'no such producer');
  }

  async consume(peer: Peer, data: ParsedRequestData<'consume'>): Promise<ResultTypes['consume']> {
    const producer = this.producerInRoom(data.producerId);
    const consumer = await peer.media.consume(await this.router(), data.transportId, producer.id, data.rtpCapabilities);
    return {
      id: consumer.id,
      producerId: consumer.producerId,
      kind: consumer.kind,
      rtpParameters: { ...consumer.rtpParameters, codecs: consumer.rtpParameters.codecs.map((c) => ({ ...c })) },
    };
  }

  async setProducerPaused(peer: Peer, producerId: string, paused: boolean): Promise<void> {
    const changed = await peer.media.setProducerPaused(producerId, paused);
    if (!changed) return;
    this.notifyWhere((p) => p.isAdmitted && p !== peer, 'producerPaused', () => ({ producerId, paused }));
  }

  // --- lifecycle ---------------------------------------------------------------------

  private closeIfEmpty(): void {
    if (!this.closed && this.peers.size === 0 && this.pendingJoins === 0) {
      this.close();
      this.deps.onEmpty(this);
    }
  }

  /** Closes the router (and with it every transport); peers' sockets are the caller's business. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const peer of this.peers.values()) {
      peer.left = true;
      peer.media.closeAll();
    }
    this.peers.clear();
    const state = this.routerState;
    this.routerState = undefined;
    state?.then(({ router }) => router.close()).catch(() => undefined);
    log.info('room.closed', { sessionId: this.id });
  }
}

export type ClinicianSnapshot = ClinicianHelloResult;
