/**
 * One person in a session's room: a client (from an invitation) or a clinician. A peer owns
 * one socket (through PeerChannel) and its media objects; the Room decides what it may see.
 */
import type {
  Caller,
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
  readonly standing: Standing;
  displayName: string;
  state: ParticipantState;
  mediaIntent: MediaFlags = { audio: false, video: false };
  knockedAt: string | null = null;
  /** Orders knocks exactly (timestamps can tie); admitAll admits in this order. */
  knockSeq = 0;
  /** Set once the peer has left; a left peer is never notified or looked up again. */
  left = false;
  /**
   * Why the socket is about to close, when the server or the client said so (the roster tells
   * a client who left from one whose connection dropped); unset means it dropped.
   */
  departure: Departure | undefined;
  /** A client whose socket dropped, held in the room for the grace period; clinicians see it as reconnecting. */
  reconnecting = false;

  constructor(init: PeerInit) {
    this.participantId = init.participantId;
    this.role = init.role;
    this.channel = init.channel;
    this.displayName = init.displayName;
    this.state = init.state;
    this.participantRef = init.participantRef;
    this.verificationHint = init.verificationHint ?? null;
    this.clinicianId = init.clinicianId;
    this.standing = init.standing ?? freshStanding();
    this.media = new PeerMedia(init.participantId);
  }

  get isClinician(): boolean {
    return this.role !== 'client';
  }

  get isAdmitted(): boolean {
    return this.state === 'admitted' && !this.left;
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
    if (!this.left) this.channel.notify(name, data);
  }
}
