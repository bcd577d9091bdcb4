/**
 * The grace period: a client whose socket dropped keeps its place, as a ghost, until it comes
 * back or the period ends. Clinicians keep seeing a ghost (reconnecting, in the state it had);
 * everyone else saw it leave. Coming back through the resume token (`resume`) takes the place
 * again; after a restart no ghost survived, and the stored row stands in for it. Everything
 * about ghosts, their timers and how a resume restores a place belongs here.
 */
import type { Participant, ParticipantState } from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import type { Resumption } from '../store/resumptions.js';
import type { SessionRecord } from '../store/sessions.js';
import * as audience from './audiences.js';
import type { Members } from './members.js';
import type { Peer } from './peer.js';
import { participantFor } from './participantView.js';
import type { RoomRecords } from './roomRecords.js';

const log = createLogger('rooms');

/** How a client came back (see `resume`). */
export interface Resumed {
  state: ParticipantState;
  /** Admit again once the hello's answer has gone out. */
  readmit: boolean;
}

interface Ghost {
  peer: Peer;
  timer: ReturnType<typeof setTimeout>;
}

export class GracePeriod {
  /** Clients whose socket dropped, in their place until they come back or the grace period ends. */
  private readonly ghosts = new Map<string, Ghost>();

  constructor(
    private readonly session: SessionRecord,
    private readonly members: Members,
    private readonly records: RoomRecords,
    /** Called when a place ends without its client coming back (the room may now be empty). */
    private readonly onPlaceEnded: () => void,
  ) {}

  get size(): number {
    return this.ghosts.size;
  }

  /** `peer` has just dropped (its status says so): its place is held, on record, until the period ends. */
  hold(peer: Peer): void {
    this.records.dropped(peer.participantId, Date.now());
    const timer = setTimeout(() => this.expire(peer.participantId), this.records.graceMs);
    timer.unref();
    this.ghosts.set(peer.participantId, { peer, timer });
  }

  /** Ends a client's held place (and its timer), if it has one; returns the ghost that held it. */
  take(participantId: string): Peer | undefined {
    const ghost = this.ghosts.get(participantId);
    if (!ghost) return undefined;
    clearTimeout(ghost.timer);
    this.ghosts.delete(participantId);
    ghost.peer.markGone();
    return ghost.peer;
  }

  /** Ends every held place: the room is ending or closing. */
  takeAll(): void {
    for (const id of [...this.ghosts.keys()]) this.take(id);
  }

  /** Clients reconnecting within their grace period, in `state`: clinicians keep seeing them. */
  private inState(state: ParticipantState): Peer[] {
    return [...this.ghosts.values()].map((g) => g.peer).filter((p) => p.state === state);
  }

  /** The group as `viewer` is shown it: clinicians see who is reconnecting too. */
  groupAsSeenBy(viewer: Peer): Participant[] {
    const admitted = this.members.list(audience.admitted);
    if (viewer.isClinician) admitted.push(...this.inState('admitted'));
    return admitted.map((p) => participantFor(viewer, p));
  }

  /** The waiting room as a clinician is shown it, those reconnecting to it included. */
  waitingAsSeenBy(clinician: Peer): Participant[] {
    return [...this.members.list(audience.waitingClients), ...this.inState('waiting')].map((p) => participantFor(clinician, p));
  }

  /**
   * A client back through its resume token, into the place it had: admitted stays admitted
   * (re-admitted once the hello's answer is out), waiting stays waiting, and nobody hears a
   * new knock. `previous` is the stored row; a ghost in this room means the socket dropped
   * while this server ran. Without one, this server restarted under the session: a client
   * admitted before is let in again or sent to the waiting room per the session's policy
   * (the facilitator then hears a knock, as they must let them in). The caller has made way
   * for `peer` (no other socket of the client's is in the room).
   */
  resume(peer: Peer, previous: Resumption, resumeTokenHash: string): Resumed {
    const source = this.take(peer.participantId);
    peer.displayName = source?.displayName ?? previous.displayName ?? '';
    peer.mediaIntent = source ? { ...source.mediaIntent } : { ...previous.media };
    peer.knockedAt = source?.knockedAt ?? previous.knockedAt;
    peer.knockSeq = source?.knockSeq ?? this.members.nextKnock();
    if (!source) {
      peer.standing.mutedByFacilitator = { ...previous.mutedByFacilitator };
      peer.standing.admittedBefore ||= previous.admittedBefore;
    }
    const wasAdmitted = (source?.state ?? previous.state) === 'admitted';
    const readmit = wasAdmitted && (source !== undefined || this.session.rejoinPolicy === 'readmit');
    peer.moveTo(previous.state === 'check-in' ? 'check-in' : 'waiting');
    peer.standing.readmitOnCheckIn = readmit;
    this.members.add(peer);
    this.records.connected(peer, resumeTokenHash);
    log.info('client.resumed', { sessionId: this.session.id, participantId: peer.participantId, readmit, restarted: !source });
    if (peer.state === 'waiting') {
      if (source || readmit) this.members.notifyClinicians(peer);
      else {
        // Sent to the waiting room by the session's policy after a restart: the facilitator lets them in.
        this.records.attendance(peer, 'knock', null, peer.displayName || null);
        this.members.notifyWhere(audience.clinicians, 'knock', (viewer) => ({ participant: participantFor(viewer, peer) }));
      }
    }
    return { state: peer.state, readmit };
  }

  /**
   * The client is gone for good while away (removed, or its link revoked or re-issued while
   * reconnecting): its place ends and clinicians stop seeing it. Returns whether there was a
   * place to end.
   */
  forget(participantId: string): boolean {
    const ghost = this.take(participantId);
    // Its stored place too, ghost or not: after a restart the row is all there is.
    this.records.forget(participantId);
    if (!ghost) return false;
    this.placeEnded(ghost);
    return true;
  }

  /** The grace period passed without the client coming back: now it has left. */
  private expire(participantId: string): void {
    const ghost = this.take(participantId);
    if (!ghost) return;
    log.info('client.grace_ended', { sessionId: this.session.id, participantId });
    this.records.forget(participantId);
    this.placeEnded(ghost);
  }

  /** Clinicians, who kept seeing the ghost, hear it has left: the group, if it was in it, and the session. */
  private placeEnded(ghost: Peer): void {
    const { participantId } = ghost;
    if (ghost.state === 'admitted') this.members.notifyWhere(audience.clinicians, 'peerLeft', () => ({ participantId }));
    this.members.notifyWhere(audience.clinicians, 'participantLeft', () => ({ participantId }));
    this.onPlaceEnded();
  }
}
