/**
 * The live side of one session, and the one door its callers (signaling, sessions) use. The
 * Room itself holds membership and the room's life: who joins and how they leave, when the
 * room ends or closes. Every other act lives in its part, and the Room passes it on:
 * admission.ts (check-in, admit, deny), moderation.ts (verify, mute, remove, lock),
 * roomMedia.ts (the router and the group's media), messaging.ts, groupChat.ts, gracePeriod.ts (dropped
 * clients' places, resuming), over members.ts (the peers and how to tell them) and
 * roomRecords.ts (attendance and resumption writes). Who learns what is audiences.ts, and
 * which fields of a person, participantView.ts.
 */
import {
  ProtocolError,
  type ClinicianHelloResult,
  type ConnectionQuality,
  type MediaKind,
  type ParsedRequestData,
  type ResultTypes,
  type RtpCapabilities,
  type SealedKey,
  type VerificationMethod,
} from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import type { Direction } from '../media/peerMedia.js';
import type { MediaRouter, WorkerPool } from '../media/workerPool.js';
import { NOTHING_ON_RECORD, type ModerationRepo, type RoomOnRecord } from '../store/moderation.js';
import type { Resumption } from '../store/resumptions.js';
import type { SessionRecord } from '../store/sessions.js';
import { Admission } from './admission.js';
import * as audience from './audiences.js';
import { GracePeriod, type Resumed } from './gracePeriod.js';
import { GroupChat } from './groupChat.js';
import { Members } from './members.js';
import { relayOver, type Relay } from './messaging.js';
import { Moderation, type RecordAct, type RecordActs } from './moderation.js';
import type { Peer } from './peer.js';
import { participantFor } from './participantView.js';
import { RoomMedia, type CheckInAnswer } from './roomMedia.js';
import { RoomRecords, type RecordDeps } from './roomRecords.js';
import type { Standing } from './standing.js';

const log = createLogger('rooms');

export interface RoomDeps extends RecordDeps {
  pool: WorkerPool;
  /** Called once the room has no peers and no joins under way. */
  onEmpty(room: Room): void;
  /**
   * The lock on record (migration 8): read when the room opens (RoomRegistry.onRecord), so
   * a restart does not unlock a group; cleared here when the session ends. Setting it is the
   * lock method's, in the same transaction as its audit entry.
   */
  roomLocks: Pick<ModerationRepo, 'setRoomLock'>;
}

export type ClinicianSnapshot = ClinicianHelloResult;

export class Room {
  private readonly members = new Members();
  /** What the room passes between people and never keeps: private messages, encryption keys. */
  readonly relay: Relay = relayOver(this.members);
  private readonly records: RoomRecords;
  private readonly grace: GracePeriod;
  private readonly media: RoomMedia;
  private readonly admission: Admission;
  private readonly moderation: Moderation;
  /** The group's text channel (groupChat.ts): relayed like `relay`'s messages, never kept. */
  readonly groupChat: GroupChat;
  private pendingJoins = 0;
  private closed = false;

  constructor(
    readonly session: SessionRecord,
    private readonly deps: RoomDeps,
    onRecord: RoomOnRecord = NOTHING_ON_RECORD,
  ) {
    const { members } = this;
    const removePeer = (peer: Peer): void => this.removePeer(peer);
    this.records = new RoomRecords(session.id, deps);
    this.grace = new GracePeriod(session, members, this.records, () => this.closeIfEmpty());
    this.media = new RoomMedia(session.id, deps.pool, members, () => this.closed);
    const parts = { sessionId: session.id, members, records: this.records, grace: this.grace, removePeer };
    this.moderation = new Moderation({ ...parts, lockedOnRecord: onRecord.locked });
    this.groupChat = new GroupChat(session.id, members, !onRecord.groupChatOff);
    this.admission = new Admission({
      ...parts,
      media: this.media,
      locked: () => this.moderation.locked,
      groupChat: () => this.groupChat.enabled,
    });
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

  /** Whether the room is locked (Moderation.locked says what that means). */
  get locked(): boolean {
    return this.moderation.locked;
  }

  // --- membership --------------------------------------------------------------------

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
    return !this.moderation.locked || this.members.knownStanding(participantId)?.admittedBefore === true;
  }

  private assertOpen(): void {
    if (this.closed) throw new ProtocolError('SESSION_ENDED', 'the session has closed', { reason: 'session-ended' });
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
    if (this.members.has(peer.participantId)) throw new ProtocolError('CONFLICT', 'already connected to this session', { reason: 'already-connected' });
    this.members.add(peer);
    log.info('clinician.joined', { sessionId: this.id, participantId: peer.participantId, role: peer.role });
    this.members.notifyWhere(audience.admittedBut(peer), 'peerJoined', (viewer) => ({ participant: participantFor(viewer, peer) }));
    return {
      participantId: peer.participantId,
      session: { id: this.session.id, title: this.session.title, state: this.session.state },
      routerRtpCapabilities: rtpCapabilities,
      waiting: this.grace.waitingAsSeenBy(peer),
      participants: this.grace.groupAsSeenBy(peer),
      producers: this.members.groupProducers(peer).filter((p) => p.participantId !== peer.participantId),
      locked: this.moderation.locked,
      groupChat: this.groupChat.enabled,
    };
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
    // Out of the group, out of the clear: an allowance to be heard unencrypted ends with the stay.
    if (peer.role === 'client') this.media.setClearAudio(peer.participantId, false);
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

  /** The connected client `remove` would act on, or undefined if not connected. */
  connectedClient(participantId: string): Peer | undefined {
    return this.members.connectedClient(participantId);
  }

  /** The client is gone for good while away; see GracePeriod.forget. */
  forgetReconnecting(participantId: string): boolean {
    return this.grace.forget(participantId);
  }

  // --- admission (admission.ts) ------------------------------------------------------

  checkIn(peer: Peer, data: ParsedRequestData<'checkIn'>): void {
    this.admission.checkIn(peer, data);
  }

  admit(by: Peer, participantId: string, record?: RecordAct, groupKey?: SealedKey): Promise<void> {
    return this.admission.admit(by, participantId, record, groupKey);
  }

  admitAll(by: Peer, record?: RecordActs, groupKeys?: Record<string, SealedKey>): Promise<string[]> {
    return this.admission.admitAll(by, record, groupKeys);
  }

  readmitIfReturning(peer: Peer): Promise<void> {
    return this.admission.readmitIfReturning(peer);
  }

  deny(by: Peer, participantId: string, record?: RecordAct): Promise<void> {
    return this.admission.deny(by, participantId, record);
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

  setConsumerView(peer: Peer, consumerId: string, visible: boolean, height: number): Promise<void> {
    return this.media.setConsumerView(peer, consumerId, visible, height);
  }

  setProducerPaused(peer: Peer, producerId: string, paused: boolean): Promise<void> {
    return this.media.setProducerPaused(peer, producerId, paused);
  }

  // --- moderation (moderation.ts) and messages (messaging.ts) ------------------------

  assertModerator(by: Peer): void {
    this.members.assertModerator(by);
  }

  verifiable(by: Peer, participantId: string): void {
    this.moderation.verifiable(by, participantId);
  }

  verify(by: Peer, participantId: string, method: VerificationMethod): Peer {
    return this.moderation.verify(by, participantId, method);
  }

  mute(by: Peer, participantId: string, kind: MediaKind, record?: RecordAct): Promise<void> {
    return this.moderation.mute(by, participantId, kind, record);
  }

  muteAll(by: Peer, kind: MediaKind, record?: RecordActs): Promise<string[]> {
    return this.moderation.muteAll(by, kind, record);
  }

  allowUnmute(by: Peer, participantId: string, kind: MediaKind, record?: RecordAct): Promise<void> {
    return this.moderation.allowUnmute(by, participantId, kind, record);
  }

  remove(by: Peer, target: Peer): void {
    this.moderation.remove(by, target);
  }

  invitationChanged(participantId: string, change: 'revoked' | 'reissued', by: string): boolean {
    return this.moderation.invitationChanged(participantId, change, by);
  }

  async returnToWaiting(by: Peer, participantId: string, record?: RecordAct): Promise<void> {
    await this.moderation.returnToWaiting(by, participantId, record);
    this.media.setClearAudio(participantId, false);
  }

  /**
   * A facilitator lets a client (waiting or in the group) take part by audio in the clear, or
   * no longer (clearAudio.ts): only where clear audio may be routed; what anyone sends in the
   * clear follows the key holder's sealed word. On record first, as a moderation act.
   */
  async allowClearAudio(by: Peer, participantId: string, allowed: boolean, record: RecordAct = async () => undefined): Promise<void> {
    this.members.assertModerator(by);
    if (allowed) this.members.clientIn(participantId, ['waiting', 'admitted']);
    if (allowed === this.members.clearAudio.isAllowed(participantId)) return;
    await record(participantId);
    this.members.assertModerator(by);
    if (allowed) this.members.clientIn(participantId, ['waiting', 'admitted']);
    this.media.setClearAudio(participantId, allowed);
  }

  setLocked(by: Peer, locked: boolean, record?: () => Promise<void>): Promise<boolean> {
    return this.moderation.setLocked(by, locked, record);
  }

  crisisInfo(by: Peer, participantId: string): ResultTypes['crisisInfo'] {
    return this.moderation.crisisInfo(by, participantId);
  }

  /** The peer's browser says how good its connection is; the clinicians hear of a change. */
  reportConnection(peer: Peer, quality: ConnectionQuality): void {
    if (peer.connectionQuality === quality) return;
    const recovered = quality === 'good' && (peer.connectionQuality === 'weak' || peer.connectionQuality === 'poor');
    peer.connectionQuality = quality;
    // Good again after a weak spell: what the SFU sends them climbs back at once (PeerMedia.afterRecovery).
    if (recovered) peer.media.afterRecovery();
    // Clients in the waiting room are known to the clinicians; clients in check-in are not yet.
    if (peer.state !== 'check-in') this.members.notifyClinicians(peer);
  }


  // --- lifecycle ---------------------------------------------------------------------

  /**
   * Ends the live session: everyone hears `sessionEnded`, every socket but the caller's
   * closes now (the caller's closes after its response), and the router closes.
   */
  end(by: Peer): void {
    this.members.assertModerator(by);
    log.info('room.ended', { sessionId: this.id, by: by.participantId });
    for (const p of this.members.list(audience.clientsPastCheckIn)) this.records.attendance(p, 'end', by.clinicianId ?? null);
    const everyone = this.members.list(audience.everyone);
    // Nobody comes back to an ended session.
    this.grace.takeAll();
    this.records.forgetSession();
    for (const p of everyone) p.notify('sessionEnded', {});
    for (const p of everyone) if (p !== by) p.channel.close(1000, 'session ended');
    this.close('ended');
    this.deps.onEmpty(this);
  }

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
   * looks just like one everyone left, and a lock must not fall off either way). `moved`
   * (another server took the session's lease over): as a shutdown, and every socket closes.
   */
  close(why: 'ended' | 'empty' | 'shutdown' | 'moved' = 'shutdown'): void {
    if (this.closed) return;
    this.closed = true;
    if (why === 'ended' && this.moderation.locked) this.records.quietly(() => this.deps.roomLocks.setRoomLock(this.id, null));
    this.records.stopHeartbeat();
    this.grace.takeAll();
    const now = Date.now();
    for (const peer of this.members.all()) {
      if ((why === 'shutdown' || why === 'moved') && audience.clientsPastCheckIn(peer)) {
        this.records.attendance(peer, 'drop');
        this.records.dropped(peer.participantId, now);
      }
      if (why === 'moved') peer.channel.close(1012, 'this session moved to another server');
      peer.markGone();
      peer.media.closeAll();
    }
    this.members.clear();
    this.media.close();
    log.info('room.closed', { sessionId: this.id });
  }
}
