/**
 * The way into the group: a client's check-in (its knock), the facilitator's admit, admit-all
 * and deny, and the readmission of a client who was in the group before a drop. What a client
 * learns on admission (the group, its producers, the lock) is decided here.
 */
import type { ParsedRequestData, RtpCapabilities, SealedKey } from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import * as audience from './audiences.js';
import type { GracePeriod } from './gracePeriod.js';
import type { Members } from './members.js';
import { NOT_RECORDED, NOT_RECORDED_ALL, type RecordAct, type RecordActs } from './moderation.js';
import type { Peer } from './peer.js';
import { participantFor } from './participantView.js';
import type { RoomMedia } from './roomMedia.js';
import type { RoomRecords } from './roomRecords.js';
import type { CrisisInfo } from './standing.js';

const log = createLogger('rooms');

/** What admission needs of the rest of its room. */
export interface AdmissionParts {
  sessionId: string;
  members: Members;
  records: RoomRecords;
  grace: GracePeriod;
  media: Pick<RoomMedia, 'rtpCapabilities' | 'releaseHeld'>;
  /** Whether the room is locked now; an admitted client is told so. */
  locked(): boolean;
  /** Whether the group chat is on now; an admitted client is told so. */
  groupChat(): boolean;
  /** Takes a peer out of the room (Room.removePeer). */
  removePeer(peer: Peer): void;
}

export class Admission {
  constructor(private readonly parts: AdmissionParts) {}

  /** check-in → waiting, and a knock to every clinician in the room. */
  checkIn(peer: Peer, data: ParsedRequestData<'checkIn'>): void {
    const { members, records, sessionId } = this.parts;
    peer.displayName = data.displayName;
    peer.mediaIntent = { ...data.media };
    // A reconnecting page may not ask again: what was said earlier stays unless replaced.
    const crisis: CrisisInfo = peer.standing.crisis;
    if (data.location !== undefined) crisis.location = data.location;
    if (data.emergencyContact !== undefined) crisis.emergencyContact = data.emergencyContact;
    if (data.privacy !== undefined) peer.standing.privacy = { ...data.privacy };
    if (data.rating !== undefined) peer.standing.rating = { ...data.rating };
    // Said again at every check-in: coming back with a microphone ends a text-only visit.
    peer.standing.textOnly = data.textOnly === true;
    // The language they read the agreement in (none said: English), for the clinicians.
    peer.standing.language = data.agreementLanguage ?? 'en';
    peer.moveTo('waiting');
    peer.knockedAt = new Date().toISOString();
    peer.knockSeq = members.nextKnock();
    log.info('client.knocked', { sessionId, participantId: peer.participantId });
    // The knock is also when they accepted the agreement: which version, in which language, goes on record with it.
    records.attendance(peer, 'knock', null, data.displayName, {
      agreementVersion: data.agreementVersion,
      agreementLanguage: peer.standing.language,
      rating: data.rating ?? null,
    });
    records.persist(peer);
    members.notifyWhere(audience.clinicians, 'knock', (viewer) => ({ participant: participantFor(viewer, peer) }));
  }

  /** `groupKey`: the group key the facilitator's console sealed to this client, passed on with `admitted`. */
  async admit(by: Peer, participantId: string, record: RecordAct = NOT_RECORDED, groupKey?: SealedKey): Promise<void> {
    const { members, media } = this.parts;
    members.assertModerator(by);
    this.waitingClient(participantId);
    // The router may not exist yet; everything after this await is synchronous, so the
    // state is checked again against what happened meanwhile.
    const rtpCapabilities = await media.rtpCapabilities();
    // Again after the await: the facilitator may have left meanwhile.
    members.assertModerator(by);
    this.waitingClient(participantId);
    await record(participantId);
    // And again after the record is written.
    members.assertModerator(by);
    this.admitNow(this.waitingClient(participantId), rtpCapabilities, by, groupKey);
  }

  /** Admits every waiting client in knock order; returns their ids. */
  async admitAll(by: Peer, record: RecordActs = NOT_RECORDED_ALL, groupKeys: Record<string, SealedKey> = {}): Promise<string[]> {
    const { members, media } = this.parts;
    members.assertModerator(by);
    const rtpCapabilities = await media.rtpCapabilities();
    members.assertModerator(by);
    const waiting = members.list(audience.waitingClients).sort((a, b) => a.knockSeq - b.knockSeq);
    // Every admission on record at once, then each made that is still to be made.
    await record(waiting.map((p) => p.participantId));
    members.assertModerator(by);
    const admitted: string[] = [];
    for (const target of waiting) {
      if (target.status.is !== 'waiting') continue;
      this.admitNow(target, rtpCapabilities, by, Object.hasOwn(groupKeys, target.participantId) ? groupKeys[target.participantId] : undefined);
      admitted.push(target.participantId);
    }
    return admitted;
  }

  /**
   * A client admitted earlier in this room who dropped and checked in again is admitted
   * at once: the facilitator already let them in, and a dropped connection should not
   * send them back to the queue. Runs after the check-in response has gone out, so the
   * page sees `waiting` and then `admitted`, as for any admission.
   */
  async readmitIfReturning(peer: Peer): Promise<void> {
    if (!peer.standing.readmitOnCheckIn) return;
    const rtpCapabilities = await this.parts.media.rtpCapabilities();
    if (peer.status.is !== 'waiting' || !peer.standing.readmitOnCheckIn) return;
    this.admitNow(peer, rtpCapabilities, 'readmission');
  }

  /** Sends `denied` and closes the client's socket; the invitation stays valid. */
  async deny(by: Peer, participantId: string, record: RecordAct = NOT_RECORDED): Promise<void> {
    this.parts.members.assertModerator(by);
    this.waitingClient(participantId);
    await record(participantId);
    this.parts.members.assertModerator(by);
    const target = this.waitingClient(participantId);
    log.info('client.denied', { sessionId: this.parts.sessionId, participantId, by: by.participantId });
    target.departure = { kind: 'deny', byId: by.clinicianId ?? null };
    target.notify('denied', {});
    target.channel.close(1000, 'denied');
    this.parts.removePeer(target);
  }

  private waitingClient(participantId: string): Peer {
    return this.parts.members.clientIn(participantId, ['waiting']);
  }

  /** `by` is the admitting clinician, or 'readmission' for a client back after a drop. */
  private admitNow(target: Peer, rtpCapabilities: RtpCapabilities, by: Peer | 'readmission', groupKey?: SealedKey): void {
    const { members, records, grace } = this.parts;
    target.moveTo('admitted');
    target.standing.admittedBefore = true;
    target.standing.readmitOnCheckIn = true;
    log.info('client.admitted', {
      sessionId: this.parts.sessionId,
      participantId: target.participantId,
      by: by === 'readmission' ? by : by.participantId,
    });
    if (by === 'readmission') records.attendance(target, 'reconnect');
    else records.attendance(target, 'admit', by.clinicianId ?? null);
    records.persist(target);
    target.notify('admitted', {
      routerRtpCapabilities: rtpCapabilities,
      participants: grace.groupAsSeenBy(target),
      producers: members.groupProducers(target),
      // Otherwise a client admitted into a locked room would learn of the lock only on a change.
      locked: this.parts.locked(),
      groupChat: this.parts.groupChat(),
      // Sealed to this client alone by the admitting console; nobody else's admission carries it.
      ...(groupKey && by !== 'readmission' ? { groupKey: { from: by.participantId, ...groupKey } } : {}),
    });
    members.notifyWhere(audience.admittedBut(target), 'peerJoined', (viewer) => ({ participant: participantFor(viewer, target) }));
    members.notifyClinicians(target);
    // What the client made ready while waiting is announced now, not after its page has
    // opened the admission and asked: the group's consumes of it start at once.
    this.parts.media.releaseHeld(target);
  }
}
