/**
 * The live side of one session: its peers, its waiting room and its mediasoup router.
 * The room enforces who learns what: clients in check-in or waiting hear nothing about
 * anyone; clinicians hear every knock; everyone admitted hears joins, leaves and producers.
 */
import {
  ProtocolError,
  TO_FACILITATOR,
  type MediaKind,
  type ParsedRequestData,
  type ResultTypes,
  type RtpCapabilities,
  type ClinicianHelloResult,
  type VerificationMethod,
} from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import type { Direction } from '../media/peerMedia.js';
import type { MediaRouter, WorkerPool } from '../media/workerPool.js';
import type { ModerationRepo } from '../store/moderation.js';
import type { Resumption } from '../store/resumptions.js';
import type { SessionRecord } from '../store/sessions.js';
import * as audience from './audiences.js';
import { GracePeriod, type Resumed } from './gracePeriod.js';
import { Members } from './members.js';
import type { Peer } from './peer.js';
import { participantFor, producersOf } from './participantView.js';
import { RoomMedia, type CheckInAnswer } from './roomMedia.js';
import { RoomRecords, type RecordDeps } from './roomRecords.js';
import type { CrisisInfo, Standing } from './standing.js';

const log = createLogger('rooms');

export interface RoomDeps extends RecordDeps {
  pool: WorkerPool;
  /** Called once the room has no peers and no joins under way. */
  onEmpty(room: Room): void;
  /**
   * The lock on record (migration 8): read when the room opens, so a restart does not unlock
   * a group; cleared when the session ends. Setting it is the lock method's, in the same
   * transaction as its audit entry.
   */
  roomLocks: Pick<ModerationRepo, 'roomLocked' | 'setRoomLock'>;
}

/**
 * Puts a moderation act on record (the audit log). Called after the act's checks and before
 * it changes anything: if the write fails (a full disk), the act does not happen.
 */
export type RecordAct = (participantId: string) => void;
const NOT_RECORDED: RecordAct = () => undefined;


export class Room {
  private readonly members = new Members();
  private readonly media: RoomMedia;
  private pendingJoins = 0;
  private closed = false;
  private lockedFlag = false;
  private readonly records: RoomRecords;
  private readonly grace: GracePeriod;

  constructor(
    readonly session: SessionRecord,
    private readonly deps: RoomDeps,
  ) {
    this.records = new RoomRecords(session.id, deps);
    this.grace = new GracePeriod(session, this.members, this.records, () => this.closeIfEmpty());
    this.media = new RoomMedia(session.id, deps.pool, this.members, () => this.closed);
    // Locked before a restart, locked after it: the lock is on record, not only in memory.
    this.lockedFlag = deps.roomLocks.roomLocked(session.id);
  }

  get id(): string {
    return this.session.id;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get size(): number {
    return this.members.size;
  }

  /**
   * A locked room lets in only clients admitted earlier in this live room. After a restart
   * nobody has been (memory of admissions is per process): clients come back through their
   * resume tokens, which pass the lock, or the facilitator unlocks.
   */
  get locked(): boolean {
    return this.lockedFlag;
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
    return this.members.get(participantId);
  }

  hasPeer(participantId: string): boolean {
    return this.members.has(participantId);
  }


  /** The client's standing in this room, made on first contact and kept across reconnects. */
  standingOf(participantId: string): Standing {
    return this.members.standingOf(participantId);
  }

  /** May this client's hello pass the lock? Only if admitted earlier in this live room. */
  admitsThroughLock(participantId: string): boolean {
    return !this.lockedFlag || this.members.knownStanding(participantId)?.admittedBefore === true;
  }



  private assertOpen(): void {
    if (this.closed) throw new ProtocolError('SESSION_ENDED', 'the session has closed');
  }

  /** A client after a successful hello: in check-in, known to nobody yet. */
  addClient(peer: Peer, resumeTokenHash: string): void {
    this.assertOpen();
    if (this.members.has(peer.participantId)) throw new ProtocolError('CONFLICT', 'this invitation is already connected');
    // Back through the invitation link rather than a resume: a newcomer's path (check-in,
    // then readmission if they were admitted), so their place in the grace period ends here.
    if (this.grace.take(peer.participantId)) {
      this.members.notifyWhere(audience.clinicians, 'participantLeft', () => ({ participantId: peer.participantId }));
    }
    this.members.add(peer);
    this.records.connected(peer, resumeTokenHash);
    log.info('client.connected', { sessionId: this.id, participantId: peer.participantId });
  }

  /** A client back through its resume token, into the place it had (GracePeriod.resume). */
  resume(peer: Peer, previous: Resumption, resumeTokenHash: string): Resumed {
    this.assertOpen();
    const stale = this.members.get(peer.participantId);
    // The old socket has not noticed it is dead yet: this one replaces it.
    if (stale) {
      stale.channel.close(1000, 'resumed elsewhere');
      this.removePeer(stale);
    }
    return this.grace.resume(peer, previous, resumeTokenHash);
  }

  /**
   * A clinician after a successful hello: admitted at once and announced to everyone
   * admitted. Returns what the clinician's hello answers with.
   */
  addClinician(peer: Peer, rtpCapabilities: RtpCapabilities): Omit<ClinicianSnapshot, 'role'> {
    this.assertOpen();
    if (this.members.has(peer.participantId)) throw new ProtocolError('CONFLICT', 'already connected to this session');
    this.members.add(peer);
    log.info('clinician.joined', { sessionId: this.id, participantId: peer.participantId, role: peer.role });
    this.members.notifyWhere(audience.admittedBut(peer), 'peerJoined', (viewer) => ({ participant: participantFor(viewer, peer) }));
    return {
      participantId: peer.participantId,
      session: { id: this.session.id, title: this.session.title, state: this.session.state },
      routerRtpCapabilities: rtpCapabilities,
      waiting: this.grace.waitingAsSeenBy(peer),
      participants: this.grace.groupAsSeenBy(peer),
      producers: this.members.list(audience.admittedBut(peer)).flatMap(producersOf),
      locked: this.lockedFlag,
    };
  }

  /** check-in → waiting, and a knock to every clinician in the room. */
  checkIn(peer: Peer, data: ParsedRequestData<'checkIn'>): void {
    peer.displayName = data.displayName;
    peer.mediaIntent = { ...data.media };
    // A reconnecting page may not ask again: what was said earlier stays unless replaced.
    const crisis: CrisisInfo = peer.standing.crisis;
    if (data.location !== undefined) crisis.location = data.location;
    if (data.emergencyContact !== undefined) crisis.emergencyContact = data.emergencyContact;
    peer.moveTo('waiting');
    peer.knockedAt = new Date().toISOString();
    peer.knockSeq = this.members.nextKnock();
    log.info('client.knocked', { sessionId: this.id, participantId: peer.participantId });
    this.records.attendance(peer, 'knock', null, data.displayName);
    this.records.persist(peer);
    this.members.notifyWhere(
      audience.clinicians,
      'knock',
      (viewer) => ({ participant: participantFor(viewer, peer) }),
    );
  }



  private waitingClient(participantId: string): Peer {
    return this.members.clientIn(participantId, ['waiting']);
  }


  async admit(by: Peer, participantId: string, record: RecordAct = NOT_RECORDED): Promise<void> {
    this.assertModerator(by);
    this.waitingClient(participantId);
    // The router may not exist yet; everything after this await is synchronous, so the
    // state is checked again against what happened meanwhile.
    const rtpCapabilities = await this.rtpCapabilities();
    // Again after the await: the facilitator may have left meanwhile.
    this.assertModerator(by);
    const target = this.waitingClient(participantId);
    record(participantId);
    this.admitNow(target, rtpCapabilities, by);
  }

  /** Admits every waiting client in knock order; returns their ids. */
  async admitAll(by: Peer, record: RecordAct = NOT_RECORDED): Promise<string[]> {
    this.assertModerator(by);
    const rtpCapabilities = await this.rtpCapabilities();
    this.assertModerator(by);
    const waiting = this.members.list(audience.waitingClients).sort((a, b) => a.knockSeq - b.knockSeq);
    for (const target of waiting) {
      record(target.participantId);
      this.admitNow(target, rtpCapabilities, by);
    }
    return waiting.map((p) => p.participantId);
  }

  /**
   * A client admitted earlier in this room who dropped and checked in again is admitted
   * at once: the facilitator already let them in, and a dropped connection should not
   * send them back to the queue. Runs after the check-in response has gone out, so the
   * page sees `waiting` and then `admitted`, as for any admission.
   */
  async readmitIfReturning(peer: Peer): Promise<void> {
    if (!peer.standing.readmitOnCheckIn) return;
    const rtpCapabilities = await this.rtpCapabilities();
    if (peer.status.is !== 'waiting' || !peer.standing.readmitOnCheckIn) return;
    this.admitNow(peer, rtpCapabilities, 'readmission');
  }

  /** `by` is the admitting clinician, or 'readmission' for a client back after a drop. */
  private admitNow(target: Peer, rtpCapabilities: RtpCapabilities, by: Peer | 'readmission'): void {
    target.moveTo('admitted');
    target.standing.admittedBefore = true;
    target.standing.readmitOnCheckIn = true;
    log.info('client.admitted', {
      sessionId: this.id,
      participantId: target.participantId,
      by: by === 'readmission' ? by : by.participantId,
    });
    if (by === 'readmission') this.records.attendance(target, 'reconnect');
    else this.records.attendance(target, 'admit', by.clinicianId ?? null);
    this.records.persist(target);
    target.notify('admitted', {
      routerRtpCapabilities: rtpCapabilities,
      participants: this.grace.groupAsSeenBy(target),
      producers: this.members.groupProducers(),
      // Otherwise a client admitted into a locked room would learn of the lock only on a change.
      locked: this.lockedFlag,
    });
    this.members.notifyWhere(
      audience.admittedBut(target),
      'peerJoined',
      (viewer) => ({ participant: participantFor(viewer, target) }),
    );
    this.members.notifyClinicians(target);
  }

  /** Sends `denied` and closes the client's socket; the invitation stays valid. */
  deny(by: Peer, participantId: string, record: RecordAct = NOT_RECORDED): void {
    this.assertModerator(by);
    const target = this.waitingClient(participantId);
    record(participantId);
    log.info('client.denied', { sessionId: this.id, participantId, by: by.participantId });
    target.departure = { kind: 'deny', byId: by.clinicianId ?? null };
    target.notify('denied', {});
    target.channel.close(1000, 'denied');
    this.removePeer(target);
  }

  /**
   * The peer has left (leave, socket closed, denied, removed): close its media and tell those
   * who knew. A client in the waiting room or the group whose socket simply dropped keeps its
   * place for the grace period: clinicians see it as reconnecting, everyone else as gone.
   */
  removePeer(peer: Peer): void {
    if (!this.members.isMember(peer)) return;
    const wasAdmitted = peer.isAdmitted;
    const knownToClinicians = audience.clientsPastCheckIn(peer);
    const dropped = knownToClinicians && peer.departure === undefined && !this.closed;
    if (dropped) peer.holdPlace();
    else peer.markGone();
    this.members.delete(peer);
    if (knownToClinicians) {
      const kind = peer.departure === undefined || peer.departure.kind === 'reissue' ? 'drop' : peer.departure.kind;
      this.records.attendance(peer, kind, peer.departure?.byId ?? null);
    }
    const closedProducers = peer.media.closeAll();
    log.info(dropped ? 'peer.dropped' : 'peer.left', { sessionId: this.id, participantId: peer.participantId, role: peer.role });
    if (dropped) {
      this.grace.hold(peer);
      if (wasAdmitted) {
        for (const producerId of closedProducers) {
          this.members.notifyWhere(audience.admitted, 'producerClosed', () => ({ producerId }));
        }
        this.members.notifyWhere(audience.admittedClients, 'peerLeft', () => ({ participantId: peer.participantId }));
      }
      this.members.notifyClinicians(peer);
      this.closeIfEmpty();
      return;
    }
    if (peer.role === 'client') this.records.forget(peer.participantId);
    if (wasAdmitted) this.members.announceDeparture(peer, closedProducers);
    if (knownToClinicians) {
      this.members.notifyWhere(audience.clinicians, 'participantLeft', () => ({ participantId: peer.participantId }));
    }
    this.closeIfEmpty();
  }

  // --- media (roomMedia.ts) ----------------------------------------------------------

  router(): Promise<MediaRouter> {
    return this.media.router();
  }

  rtpCapabilities(): Promise<RtpCapabilities> {
    return this.media.rtpCapabilities();
  }

  checkInAnswer(): Promise<CheckInAnswer> {
    return this.media.checkInAnswer();
  }

  createTransport(peer: Peer, direction: Direction): Promise<ResultTypes['createTransport']> {
    return this.media.createTransport(peer, direction);
  }

  closeTransport(peer: Peer, transportId: string): void {
    this.media.closeTransport(peer, transportId);
  }

  produce(peer: Peer, data: ParsedRequestData<'produce'>): Promise<ResultTypes['produce']> {
    return this.media.produce(peer, data);
  }

  consume(peer: Peer, data: ParsedRequestData<'consume'>): Promise<ResultTypes['consume']> {
    return this.media.consume(peer, data);
  }

  resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    return this.media.resumeConsumer(peer, consumerId);
  }

  requestKeyFrame(peer: Peer, consumerId: string): Promise<void> {
    return this.media.requestKeyFrame(peer, consumerId);
  }

  setProducerPaused(peer: Peer, producerId: string, paused: boolean): Promise<void> {
    return this.media.setProducerPaused(peer, producerId, paused);
  }

  // --- moderation (facilitators only) ---------------------------------------------------

  /**
   * Every act below checks its actor itself, though isAllowed and the live role check have
   * run before it: the room is where the act happens, so no other path (a new method, a
   * test harness, a future caller) can moderate as someone who is not a facilitator here.
   */
  assertModerator(by: Peer): void {
    this.members.assertModerator(by);
  }

  /** Throws as `verify` would (NOT_FOUND, CONFLICT) without changing anything: checked before the record is written. */
  verifiable(by: Peer, participantId: string): void {
    this.assertModerator(by);
    this.members.clientIn(participantId, ['waiting', 'admitted']);
  }

  /** Marks a waiting or admitted client verified; returns them so the caller can record it. */
  verify(by: Peer, participantId: string, method: VerificationMethod): Peer {
    this.assertModerator(by);
    const target = this.members.clientIn(participantId, ['waiting', 'admitted']);
    target.standing.verification = { method, by: by.clinicianId ?? by.participantId };
    log.info('client.verified', { sessionId: this.id, participantId, by: by.participantId, method });
    this.members.notifyClinicians(target);
    return target;
  }

  /**
   * Mutes a waiting or admitted client's `kind`: its producers of that kind are paused on
   * the server now, and any it makes later are born paused, until allowUnmute.
   */
  async mute(by: Peer, participantId: string, kind: MediaKind, record: RecordAct = NOT_RECORDED): Promise<void> {
    this.assertModerator(by);
    const target = this.members.clientIn(participantId, ['waiting', 'admitted']);
    if (target.mutedByFacilitator[kind]) throw new ProtocolError('CONFLICT', `that participant's ${kind} is already muted`);
    record(participantId);
    await this.muteNow(target, kind, by.participantId);
  }

  /** Mutes `kind` for every admitted client not muted already (never clinicians); returns their ids. */
  async muteAll(by: Peer, kind: MediaKind, record: (participantIds: string[]) => void = () => undefined): Promise<string[]> {
    this.assertModerator(by);
    const targets = this.members.list(audience.admittedClients).filter((p) => !p.mutedByFacilitator[kind]);
    record(targets.map((t) => t.participantId));
    await Promise.all(targets.map((t) => this.muteNow(t, kind, by.participantId)));
    return targets.map((t) => t.participantId);
  }

  private async muteNow(target: Peer, kind: MediaKind, by: string): Promise<void> {
    // The flag first: from here on the client cannot unpause, even while the pause is in flight.
    target.mutedByFacilitator[kind] = true;
    log.info('client.muted', { sessionId: this.id, participantId: target.participantId, kind, by });
    target.notify('mutedByFacilitator', { kind });
    this.members.notifyClinicians(target);
    this.records.persist(target);
    const paused = await target.media.pauseKind(kind);
    if (!target.isAdmitted) return;
    for (const producerId of paused) {
      this.members.notifyWhere(audience.admitted, 'producerPaused', () => ({ producerId, paused: true }));
    }
  }

  /** Lets the client unmute `kind` itself; never resumes anything on its behalf. */
  allowUnmute(by: Peer, participantId: string, kind: MediaKind, record: RecordAct = NOT_RECORDED): void {
    this.assertModerator(by);
    const target = this.members.clientIn(participantId, ['waiting', 'admitted']);
    if (!target.mutedByFacilitator[kind]) throw new ProtocolError('CONFLICT', `that participant's ${kind} is not muted`);
    record(participantId);
    target.mutedByFacilitator[kind] = false;
    log.info('client.unmute_allowed', { sessionId: this.id, participantId, kind, by: by.participantId });
    target.notify('unmuteAllowed', { kind });
    this.members.notifyClinicians(target);
    this.records.persist(target);
  }

  /** The connected client `remove` would act on, or undefined if not connected. */
  connectedClient(participantId: string): Peer | undefined {
    return this.members.connectedClient(participantId);
  }

  /** The client is gone for good while away; see GracePeriod.forget. */
  forgetReconnecting(participantId: string): boolean {
    return this.grace.forget(participantId);
  }

  /** Sends `removed`, closes the client's socket and media; the caller revokes the invitation. */
  remove(by: Peer, target: Peer): void {
    this.assertModerator(by);
    target.standing.readmitOnCheckIn = false;
    log.info('client.removed', { sessionId: this.id, participantId: target.participantId, by: by.participantId });
    target.departure = { kind: 'remove', byId: by.clinicianId ?? null };
    target.notify('removed', {});
    target.channel.close(1000, 'removed');
    this.removePeer(target);
  }

  /**
   * The client's invitation changed outside the call. Revoked: like `remove`, the client
   * hears `removed` and its socket closes. Re-issued: the socket on the old link closes
   * without a word, and whoever opens the new link is a newcomer to this room (knocks,
   * waits behind a lock, is verified afresh); only mutes carry over. Either way the old
   * link's place ends with it: no grace period, no resume token that still works (a
   * re-issued link would otherwise come back through its resume token, past a lock).
   * Returns whether a connected client was closed.
   */
  invitationChanged(participantId: string, change: 'revoked' | 'reissued', by: string): boolean {
    const standing = this.members.knownStanding(participantId);
    if (standing) {
      standing.readmitOnCheckIn = false;
      if (change === 'reissued') {
        standing.admittedBefore = false;
        standing.verification = null;
      }
    }
    const target = this.connectedClient(participantId);
    if (!target) return this.forgetReconnecting(participantId);
    log.info(change === 'revoked' ? 'client.revoked' : 'client.reissued', { sessionId: this.id, participantId, by });
    // A revoked link is a removal on the roster; a re-issued one ends this connection like a
    // drop, but for good (a departure, so removePeer keeps no place for it).
    target.departure = { kind: change === 'revoked' ? 'remove' : 'reissue', byId: by };
    if (change === 'revoked') target.notify('removed', {});
    target.channel.close(1000, change === 'revoked' ? 'removed' : 'invitation re-issued');
    this.removePeer(target);
    return true;
  }

  /** An admitted client back to the waiting room: media closed, socket kept. */
  returnToWaiting(by: Peer, participantId: string, record: RecordAct = NOT_RECORDED): void {
    this.assertModerator(by);
    const target = this.members.clientIn(participantId, ['admitted']);
    record(participantId);
    target.moveTo('waiting');
    // Sent back on purpose: a reconnect must not admit them again by itself.
    target.standing.readmitOnCheckIn = false;
    log.info('client.returned_to_waiting', { sessionId: this.id, participantId, by: by.participantId });
    this.records.attendance(target, 'return-to-waiting', by.clinicianId ?? null);
    this.records.persist(target);
    this.members.announceDeparture(target, target.media.teardown());
    target.notify('returnedToWaiting', {});
    this.members.notifyClinicians(target);
  }

  /** Returns whether the flag changed; clinicians and every connected client hear of a change. */
  setLocked(by: Peer, locked: boolean, record: () => void = () => undefined): boolean {
    this.assertModerator(by);
    if (this.lockedFlag === locked) return false;
    record();
    this.lockedFlag = locked;
    log.info(locked ? 'room.locked' : 'room.unlocked', { sessionId: this.id, by: by.participantId });
    this.members.notifyWhere(audience.everyone, 'locked', () => ({ locked }));
    return true;
  }

  /** What a client said at check-in for emergencies; null where they said nothing. */
  crisisInfo(by: Peer, participantId: string): ResultTypes['crisisInfo'] {
    this.assertModerator(by);
    // Kept after the client drops: that may be exactly when the facilitator needs it.
    const standing = this.members.knownStanding(participantId);
    if (!standing) throw new ProtocolError('NOT_FOUND', 'no such participant');
    return { location: standing.crisis.location ?? null, emergencyContact: standing.crisis.emergencyContact ?? null };
  }

  /**
   * Relays a private message: a client writes to the session's facilitators (never to
   * observers), a facilitator to one connected client. Never stored, never logged.
   */
  relayMessage(from: Peer, to: string, text: string): void {
    if (from.role === 'client') return this.messageFacilitators(from, to, text);
    if (from.role !== 'facilitator') throw new ProtocolError('FORBIDDEN', 'observers do not send messages');
    if (to === TO_FACILITATOR) throw new ProtocolError('BAD_REQUEST', 'write to a participantId');
    this.members.clientIn(to, ['waiting', 'admitted']).notify('message', { from: TO_FACILITATOR, text });
  }

  private messageFacilitators(from: Peer, to: string, text: string): void {
    if (to !== TO_FACILITATOR) throw new ProtocolError('BAD_REQUEST', `clients write to "${TO_FACILITATOR}"`);
    const facilitators = this.members.list(audience.facilitators);
    // Better to say so than to drop a message someone may have found hard to write.
    if (facilitators.length === 0) throw new ProtocolError('NOT_FOUND', 'no facilitator is here right now');
    for (const f of facilitators) f.notify('message', { from: from.participantId, text });
  }

  /**
   * Ends the live session: everyone hears `sessionEnded`, every socket but the caller's
   * closes now (the caller's closes after its response), and the router closes.
   */
  end(by: Peer): void {
    this.assertModerator(by);
    log.info('room.ended', { sessionId: this.id, by: by.participantId });
    const everyone = this.members.list(audience.everyone);
    for (const p of everyone) if (audience.clientsPastCheckIn(p)) this.records.attendance(p, 'end', by.clinicianId ?? null);
    // Nobody comes back to an ended session.
    this.grace.takeAll();
    this.records.forgetSession();
    for (const p of everyone) p.notify('sessionEnded', {});
    for (const p of everyone) if (p !== by) p.channel.close(1000, 'session ended');
    this.close('ended');
    this.deps.onEmpty(this);
  }

  // --- lifecycle ---------------------------------------------------------------------

  private closeIfEmpty(): void {
    if (!this.closed && this.members.size === 0 && this.pendingJoins === 0 && this.grace.size === 0) {
      this.close('empty');
      this.deps.onEmpty(this);
    }
  }

  /**
   * Closes the router (and with it every transport); peers' sockets are the caller's business.
   * `shutdown` (the server stopping under a live session): every client in the waiting room or
   * the group dropped now, on the record, and keeps its place for the grace period, so the
   * restarted server takes them back. The lock stays on record unless the session ended: it
   * is the session's until a facilitator unlocks (a room emptied by a server shutting down
   * looks just like one everyone left, and a lock must not fall off either way).
   */
  close(why: 'ended' | 'empty' | 'shutdown' = 'shutdown'): void {
    if (this.closed) return;
    this.closed = true;
    if (why === 'ended' && this.lockedFlag) this.records.quietly(() => this.deps.roomLocks.setRoomLock(this.id, null));
    this.records.stopHeartbeat();
    this.grace.takeAll();
    const now = Date.now();
    for (const peer of this.members.all()) {
      if (why === 'shutdown' && audience.clientsPastCheckIn(peer)) {
        this.records.attendance(peer, 'drop');
        this.records.dropped(peer.participantId, now);
      }
      peer.markGone();
      peer.media.closeAll();
    }
    this.members.clear();
    this.media.close();
    log.info('room.closed', { sessionId: this.id });
  }
}

export type ClinicianSnapshot = ClinicianHelloResult;
