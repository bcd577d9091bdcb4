/**
 * One person in a session's room: a client (from an invitation) or a clinician. A peer owns
 * one socket (through PeerChannel) and its media objects; the Room decides what it may see.
 */
import type {
  Caller,
  ConnectionQuality,
  KeyAnnouncement,
  MediaFlags,
  NotificationName,
  NotificationTypes,
  ParticipantState,
  PeerRole,
} from '../../shared/protocol.js';
import { PeerMedia } from '../media/peerMedia.js';
import { freshStanding, type CrisisInfo, type Standing } from './standing.js';

export type { CrisisInfo } from './standing.js';

/** What a room needs from a peer's connection. */
export interface PeerChannel {
  notify<N extends NotificationName>(name: N, data: NotificationTypes[N]): void;
  close(code: number, reason: string): void;
}

/**
 * A deliberate way out of the room; anything else is a dropped connection. `reissue`: the
 * clinic gave the invitation a new link, so this connection ends for good; the roster records
 * it as a drop (the client did not choose it), but no place is kept for the old link.
 */
export interface Departure {
  kind: 'leave' | 'deny' | 'remove' | 'reissue';
  /** The clinician's account id, for deny, remove and reissue. */
  byId: string | null;
}

/**
 * Where a peer stands, one thing at a time. The first three are the protocol's states of a
 * connected peer. `reconnecting`: a client whose socket dropped, held in its place for the
 * grace period (clinicians still see it, in the state it had). `gone`: left the room for
 * good, never notified or looked up again. `from` keeps the state a peer had when it went,
 * as that is still what is said about it.
 */
export type PeerStatus =
  | { is: 'check-in' }
  | { is: 'waiting' }
  | { is: 'admitted' }
  | { is: 'reconnecting'; from: 'waiting' | 'admitted' }
  | { is: 'gone'; from: ParticipantState };

export interface PeerInit {
  participantId: string;
  role: PeerRole;
  channel: PeerChannel;
  displayName: string;
  state: ParticipantState;
  participantRef?: string;
  /** The clinic's note on recognising this client; shown to clinicians only. */
  verificationHint?: string | null;
  clinicianId?: string;
  /** A clinician's console workstation, as its session ticket was asked for from (audit). */
  deviceId?: string | null;
  /** A client's standing in the live room, shared across its reconnects. */
  standing?: Standing;
}

export class Peer {
  readonly participantId: string;
  readonly role: PeerRole;
  readonly channel: PeerChannel;
  readonly media: PeerMedia;
  readonly participantRef: string | undefined;
  readonly verificationHint: string | null;
  readonly clinicianId: string | undefined;
  readonly deviceId: string | null;
  readonly standing: Standing;
  displayName: string;
  /** Changed only through moveTo, holdPlace and markGone, the transitions a peer can make. */
  private current: PeerStatus;
  mediaIntent: MediaFlags = { audio: false, video: false };
  /** How good the connection is, as the peer's browser last reported it (issue 22); for clinicians. */
  connectionQuality: ConnectionQuality | undefined;
  knockedAt: string | null = null;
  /** Orders knocks exactly (timestamps can tie); admitAll admits in this order. */
  knockSeq = 0;
  /**
   * Why the socket is about to close, when the server or the client said so (the roster tells
   * a client who left from one whose connection dropped); unset means it dropped.
   */
  departure: Departure | undefined;
  /**
   * The public key this connection announced for end-to-end encryption (rooms/keyRelay.ts):
   * its own, made for this connection, so a new socket starts without one.
   */
  e2eeKey: KeyAnnouncement | undefined;

  constructor(init: PeerInit) {
    this.participantId = init.participantId;
    this.role = init.role;
    this.channel = init.channel;
    this.displayName = init.displayName;
    this.current = { is: init.state };
    this.participantRef = init.participantRef;
    this.verificationHint = init.verificationHint ?? null;
    this.clinicianId = init.clinicianId;
    this.deviceId = init.deviceId ?? null;
    this.standing = init.standing ?? freshStanding();
    this.media = new PeerMedia(init.participantId);
  }

  get isClinician(): boolean {
    return this.role !== 'client';
  }

  get status(): Readonly<PeerStatus> {
    return this.current;
  }

  /** The protocol's state: where a connected peer is, or was when it went. */
  get state(): ParticipantState {
    switch (this.current.is) {
      case 'check-in':
      case 'waiting':
      case 'admitted':
        return this.current.is;
      case 'reconnecting':
      case 'gone':
        return this.current.from;
    }
  }

  /** Still on its socket: in check-in, waiting or admitted. */
  get connected(): boolean {
    switch (this.current.is) {
      case 'check-in':
      case 'waiting':
      case 'admitted':
        return true;
      case 'reconnecting':
      case 'gone':
        return false;
    }
  }

  get isAdmitted(): boolean {
    return this.current.is === 'admitted';
  }

  /**
   * A connected peer moves to `state`. One that has left stays out: a request of its still in
   * flight when it went may get here, and must not bring it back (only the state it is said
   * to have had follows, as authorization reads it).
   */
  moveTo(state: ParticipantState): void {
    switch (this.current.is) {
      case 'check-in':
      case 'waiting':
      case 'admitted':
        this.current = { is: state };
        return;
      case 'gone':
        this.current = { is: 'gone', from: state };
        return;
      case 'reconnecting':
        // Its socket has closed, so nothing of its own asks any more; the room never moves a ghost.
        return;
    }
  }

  /**
   * Dropped, with its place held for the grace period. A client still in check-in has no place
   * to hold (nobody has heard of it yet), so it is simply gone.
   */
  holdPlace(): void {
    const from = this.state;
    this.current = from === 'check-in' ? { is: 'gone', from } : { is: 'reconnecting', from };
  }

  /** Left for good (or its held place has ended). */
  markGone(): void {
    this.current = { is: 'gone', from: this.state };
  }

  get verified(): boolean {
    return this.standing.verification !== null;
  }

  get mutedByFacilitator(): MediaFlags {
    return this.standing.mutedByFacilitator;
  }

  get crisis(): CrisisInfo {
    return this.standing.crisis;
  }

  /** The caller as the authorization table (`isAllowed`) sees it. */
  caller(): Caller {
    return this.role === 'client' ? { role: 'client', state: this.state } : { role: this.role };
  }

  notify<N extends NotificationName>(name: N, data: NotificationTypes[N]): void {
    if (this.connected) this.channel.notify(name, data);
  }
}
