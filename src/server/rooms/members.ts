/**
 * The people in one room and how the room reaches them: the connected peers by participantId,
 * each client's standing (kept across reconnects for the room's life), the lookups every act
 * starts from, and notifications sent to an audience (audiences.ts) with what each viewer may
 * learn (participantView.ts). The other parts of a room find and tell people through here.
 */
import {
  ProtocolError,
  type NotificationName,
  type NotificationTypes,
  type ParticipantState,
  type Producer,
} from '../../shared/protocol.js';
import * as audience from './audiences.js';
import type { Audience } from './audiences.js';
import type { Peer } from './peer.js';
import { participantFor, producersOf } from './participantView.js';
import { freshStanding, type Standing } from './standing.js';
import { ClearRouting } from './clearAudio.js';

export class Members {
  private readonly peers = new Map<string, Peer>();
  /** Clients' standing by participantId, kept across reconnects for the room's life. */
  private readonly standings = new Map<string, Standing>();
  private knocks = 0;
  /** Who a facilitator let take part by audio in the clear, and so where clear audio may go. */
  readonly clearAudio = new ClearRouting();

  get size(): number {
    return this.peers.size;
  }

  get(participantId: string): Peer | undefined {
    return this.peers.get(participantId);
  }

  has(participantId: string): boolean {
    return this.peers.has(participantId);
  }

  add(peer: Peer): void {
    this.peers.set(peer.participantId, peer);
  }

  /** Is `peer` connected and the one this room knows under its participantId (not a replaced socket)? */
  isMember(peer: Peer): boolean {
    return peer.connected && this.peers.get(peer.participantId) === peer;
  }

  delete(peer: Peer): void {
    this.peers.delete(peer.participantId);
  }

  /** Every peer in the room; only for taking everyone's media down or closing the room. */
  all(): IterableIterator<Peer> {
    return this.peers.values();
  }

  clear(): void {
    this.peers.clear();
  }

  /** The client's standing in this room, made on first contact and kept across reconnects. */
  standingOf(participantId: string): Standing {
    let standing = this.standings.get(participantId);
    if (!standing) {
      standing = freshStanding();
      this.standings.set(participantId, standing);
    }
    return standing;
  }

  /** The client's standing if this room has ever met it; made by nobody here. */
  knownStanding(participantId: string): Standing | undefined {
    return this.standings.get(participantId);
  }

  /** The next place in the knock order (timestamps can tie; admitAll admits in this order). */
  nextKnock(): number {
    return ++this.knocks;
  }

  /** The connected peers in `filter` (audiences.ts). */
  list(filter: Audience): Peer[] {
    return [...this.peers.values()].filter((p) => p.connected && filter(p));
  }

  /** Sends `name` to every connected peer in `filter` (audiences.ts), with what that viewer may learn. */
  notifyWhere<N extends NotificationName>(filter: Audience, name: N, data: (viewer: Peer) => NotificationTypes[N]): void {
    for (const p of this.list(filter)) p.notify(name, data(p));
  }

  /** Tells the clinicians how `subject` stands now. */
  notifyClinicians(subject: Peer): void {
    this.notifyWhere(audience.clinicians, 'participantUpdated', (viewer) => ({ participant: participantFor(viewer, subject) }));
  }

  /** Tells everyone admitted that `peer`'s producers and the peer itself are gone. */
  announceDeparture(peer: Peer, closedProducers: string[]): void {
    for (const producerId of closedProducers) {
      this.notifyWhere(audience.admitted, 'producerClosed', () => ({ producerId }));
    }
    this.notifyWhere(audience.admitted, 'peerLeft', () => ({ participantId: peer.participantId }));
  }

  /** Every producer in the group that `viewer` may receive (clearAudio.ts), as the wire shows it. */
  groupProducers(viewer: Peer): Producer[] {
    return this.list(audience.admitted).flatMap((owner) =>
      producersOf(owner).filter((p) => owner === viewer || this.clearAudio.mayReceive(viewer, owner, owner.media.producer(p.producerId)!)),
    );
  }

  /**
   * Every moderation act checks its actor itself, though isAllowed and the live role check
   * have run before it: the room is where the act happens, so no other path (a new method, a
   * test harness, a future caller) can moderate as someone who is not a facilitator here.
   */
  assertModerator(by: Peer): void {
    if (by.role !== 'facilitator' || !this.isMember(by)) {
      throw new ProtocolError('FORBIDDEN', 'for this session\'s facilitators only', { reason: 'not-session-facilitator' });
    }
  }

  /** A connected client of this room; NOT_FOUND for anyone else (clinicians included). */
  client(participantId: string): Peer {
    const target = this.connectedClient(participantId);
    if (!target) throw new ProtocolError('NOT_FOUND', 'no such participant', { reason: 'participant-not-found' });
    return target;
  }

  /** A connected client in one of `states`; CONFLICT when it is in another. */
  clientIn(participantId: string, states: readonly ParticipantState[]): Peer {
    const target = this.client(participantId);
    if (!states.includes(target.state)) {
      throw new ProtocolError('CONFLICT', `that participant is not ${states.join(' or ')}`, { reason: 'participant-wrong-state' });
    }
    return target;
  }

  /** The connected client under `participantId`, or undefined if there is none. */
  connectedClient(participantId: string): Peer | undefined {
    const target = this.peers.get(participantId);
    return target && target.connected && target.role === 'client' ? target : undefined;
  }
}
