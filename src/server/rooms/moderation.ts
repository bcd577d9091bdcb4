/**
 * What a facilitator does to a client once it is in the room, and to the room itself: verify,
 * mute and allow to unmute, return to the waiting room, remove, lock; the clinic changing an
 * invitation under a live client; and reading what a client said for emergencies. Each act
 * checks its actor (Members.assertModerator) before anything else. Letting people in is
 * admission.ts.
 */
import { ProtocolError, type MediaKind, type ResultTypes, type VerificationMethod } from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import * as audience from './audiences.js';
import type { GracePeriod } from './gracePeriod.js';
import type { Members } from './members.js';
import type { Peer } from './peer.js';
import type { RoomRecords } from './roomRecords.js';

const log = createLogger('rooms');

/**
 * Puts a moderation act on record (the audit log). Called after the act's checks and before
 * it changes anything: if the write fails (a full disk, a database gone), the act does not
 * happen. The room may change while the write is under way, so the checks run again after it;
 * an act refused then stays on the log as tried (never the other way round: no act happens
 * without its record).
 */
export type RecordAct = (participantId: string) => Promise<void>;
export const NOT_RECORDED: RecordAct = async () => undefined;
/** Puts one act on many clients on record at once, as `RecordAct` does for one. */
export type RecordActs = (participantIds: string[]) => Promise<void>;
export const NOT_RECORDED_ALL: RecordActs = async () => undefined;

/** What moderation needs of the rest of its room. */
export interface ModerationParts {
  sessionId: string;
  members: Members;
  records: RoomRecords;
  grace: GracePeriod;
  /** Whether the lock is on record as the room opens. */
  lockedOnRecord: boolean;
  /** Takes a peer out of the room (Room.removePeer). */
  removePeer(peer: Peer): void;
}

export class Moderation {
  private lockedFlag: boolean;

  constructor(private readonly parts: ModerationParts) {
    // Locked before a restart, locked after it: the lock is on record, not only in memory.
    this.lockedFlag = parts.lockedOnRecord;
  }

  /**
   * A locked room lets in only clients admitted earlier in this live room. After a restart
   * nobody has been (memory of admissions is per process): clients come back through their
   * resume tokens, which pass the lock, or the facilitator unlocks.
   */
  get locked(): boolean {
    return this.lockedFlag;
  }

  /** Throws as `verify` would (NOT_FOUND, CONFLICT) without changing anything: checked before the record is written. */
  verifiable(by: Peer, participantId: string): void {
    this.parts.members.assertModerator(by);
    this.parts.members.clientIn(participantId, ['waiting', 'admitted']);
  }

  /** Marks a waiting or admitted client verified; returns them so the caller can record it. */
  verify(by: Peer, participantId: string, method: VerificationMethod): Peer {
    const { members } = this.parts;
    members.assertModerator(by);
    const target = members.clientIn(participantId, ['waiting', 'admitted']);
    target.standing.verification = { method, by: by.clinicianId ?? by.participantId };
    log.info('client.verified', { sessionId: this.parts.sessionId, participantId, by: by.participantId, method });
    members.notifyClinicians(target);
    return target;
  }

  /**
   * Mutes a waiting or admitted client's `kind`: its producers of that kind are paused on
   * the server now, and any it makes later are born paused, until allowUnmute.
   */
  async mute(by: Peer, participantId: string, kind: MediaKind, record: RecordAct = NOT_RECORDED): Promise<void> {
    const { members } = this.parts;
    members.assertModerator(by);
    const mutable = (): Peer => {
      const target = members.clientIn(participantId, ['waiting', 'admitted']);
      if (target.mutedByFacilitator[kind]) throw new ProtocolError('CONFLICT', `that participant's ${kind} is already muted`, { reason: 'participant-already-muted' });
      return target;
    };
    mutable();
    await record(participantId);
    members.assertModerator(by);
    await this.muteNow(mutable(), kind, by.participantId);
  }

  /** Mutes `kind` for every admitted client not muted already (never clinicians); returns their ids. */
  async muteAll(by: Peer, kind: MediaKind, record: RecordActs = NOT_RECORDED_ALL): Promise<string[]> {
    const { members } = this.parts;
    members.assertModerator(by);
    const unmuted = (): Peer[] => members.list(audience.admittedClients).filter((p) => !p.mutedByFacilitator[kind]);
    await record(unmuted().map((t) => t.participantId));
    members.assertModerator(by);
    // Whoever is admitted and unmuted once it is on record: a client admitted meanwhile is
    // muted too (the act was "everyone"), one who left is not.
    const targets = unmuted();
    await Promise.all(targets.map((t) => this.muteNow(t, kind, by.participantId)));
    return targets.map((t) => t.participantId);
  }

  private async muteNow(target: Peer, kind: MediaKind, by: string): Promise<void> {
    const { members } = this.parts;
    // The flag first: from here on the client cannot unpause, even while the pause is in flight.
    target.mutedByFacilitator[kind] = true;
    log.info('client.muted', { sessionId: this.parts.sessionId, participantId: target.participantId, kind, by });
    target.notify('mutedByFacilitator', { kind });
    members.notifyClinicians(target);
    this.parts.records.persist(target);
    const paused = await target.media.pauseKind(kind);
    if (!target.isAdmitted) return;
    for (const producerId of paused) {
      members.notifyWhere(audience.admitted, 'producerPaused', () => ({ producerId, paused: true }));
    }
  }

  /** Lets the client unmute `kind` itself; never resumes anything on its behalf. */
  async allowUnmute(by: Peer, participantId: string, kind: MediaKind, record: RecordAct = NOT_RECORDED): Promise<void> {
    const { members } = this.parts;
    const muted = (): Peer => {
      members.assertModerator(by);
      const target = members.clientIn(participantId, ['waiting', 'admitted']);
      if (!target.mutedByFacilitator[kind]) throw new ProtocolError('CONFLICT', `that participant's ${kind} is not muted`, { reason: 'participant-not-muted' });
      return target;
    };
    muted();
    await record(participantId);
    const target = muted();
    target.mutedByFacilitator[kind] = false;
    log.info('client.unmute_allowed', { sessionId: this.parts.sessionId, participantId, kind, by: by.participantId });
    target.notify('unmuteAllowed', { kind });
    members.notifyClinicians(target);
    this.parts.records.persist(target);
  }

  /** Sends `removed`, closes the client's socket and media; the caller revokes the invitation. */
  remove(by: Peer, target: Peer): void {
    this.parts.members.assertModerator(by);
    target.standing.readmitOnCheckIn = false;
    log.info('client.removed', { sessionId: this.parts.sessionId, participantId: target.participantId, by: by.participantId });
    target.departure = { kind: 'remove', byId: by.clinicianId ?? null };
    target.notify('removed', {});
    target.channel.close(1000, 'removed');
    this.parts.removePeer(target);
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
    const standing = this.parts.members.knownStanding(participantId);
    if (standing) {
      standing.readmitOnCheckIn = false;
      if (change === 'reissued') {
        standing.admittedBefore = false;
        standing.verification = null;
      }
    }
    const target = this.parts.members.connectedClient(participantId);
    if (!target) return this.parts.grace.forget(participantId);
    log.info(change === 'revoked' ? 'client.revoked' : 'client.reissued', { sessionId: this.parts.sessionId, participantId, by });
    // A revoked link is a removal on the roster; a re-issued one ends this connection like a
    // drop, but for good (a departure, so removePeer keeps no place for it).
    target.departure = { kind: change === 'revoked' ? 'remove' : 'reissue', byId: by };
    if (change === 'revoked') target.notify('removed', {});
    target.channel.close(1000, change === 'revoked' ? 'removed' : 'invitation re-issued');
    this.parts.removePeer(target);
    return true;
  }

  /** An admitted client back to the waiting room: media closed, socket kept. */
  async returnToWaiting(by: Peer, participantId: string, record: RecordAct = NOT_RECORDED): Promise<void> {
    const { members, records } = this.parts;
    members.assertModerator(by);
    members.clientIn(participantId, ['admitted']);
    await record(participantId);
    members.assertModerator(by);
    const target = members.clientIn(participantId, ['admitted']);
    target.moveTo('waiting');
    // Sent back on purpose: a reconnect must not admit them again by itself.
    target.standing.readmitOnCheckIn = false;
    log.info('client.returned_to_waiting', { sessionId: this.parts.sessionId, participantId, by: by.participantId });
    records.attendance(target, 'return-to-waiting', by.clinicianId ?? null);
    records.persist(target);
    members.announceDeparture(target, target.media.teardown());
    target.notify('returnedToWaiting', {});
    members.notifyClinicians(target);
  }

  /** Returns whether the flag changed; clinicians and every connected client hear of a change. */
  async setLocked(by: Peer, locked: boolean, record: () => Promise<void> = async () => undefined): Promise<boolean> {
    this.parts.members.assertModerator(by);
    if (this.lockedFlag === locked) return false;
    await record();
    this.parts.members.assertModerator(by);
    if (this.lockedFlag === locked) return false;
    this.lockedFlag = locked;
    log.info(locked ? 'room.locked' : 'room.unlocked', { sessionId: this.parts.sessionId, by: by.participantId });
    this.parts.members.notifyWhere(audience.everyone, 'locked', () => ({ locked }));
    return true;
  }

  /** What a client said at check-in for emergencies; null where they said nothing. */
  crisisInfo(by: Peer, participantId: string): ResultTypes['crisisInfo'] {
    this.parts.members.assertModerator(by);
    // Kept after the client drops: that may be exactly when the facilitator needs it.
    const standing = this.parts.members.knownStanding(participantId);
    if (!standing) throw new ProtocolError('NOT_FOUND', 'no such participant', { reason: 'participant-not-found' });
    return { location: standing.crisis.location ?? null, emergencyContact: standing.crisis.emergencyContact ?? null };
  }
}
