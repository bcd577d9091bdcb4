/**
 * Who learns what in a room, in one place. Every notification a room sends goes to one of
 * these audiences, and every list of peers it reads is drawn with one; a new notification
 * picks the audience whose description fits, or adds one here with its reason.
 * (Who may learn which fields of a person is participantView.ts.)
 */
import type { Peer } from './peer.js';

/** Decides, for one connected peer, whether it belongs. Left peers are never asked. */
export type Audience = (viewer: Peer) => boolean;

/** Everyone in the group: admitted clients, facilitators and observers. */
export const admitted: Audience = (p) => p.isAdmitted;

/** Everyone in the group but `subject` (who knows already: it is their own act or arrival). */
export const admittedBut =
  (subject: Peer): Audience =>
  (p) =>
    p.isAdmitted && p !== subject;

/** Clients in the group; clinicians learn the same facts their own way (participantLeft). */
export const admittedClients: Audience = (p) => p.isAdmitted && !p.isClinician;

/** The session's clinicians: knocks, who waits, who reconnects, and how each was verified. */
export const clinicians: Audience = (p) => p.isClinician;

/** Only the session's facilitators: what only they may act on. */
export const facilitators: Audience = (p) => p.role === 'facilitator';

/** Clients in the waiting room, waiting to be let in. */
export const waitingClients: Audience = (p) => p.role === 'client' && p.status.is === 'waiting';

/**
 * Clients past check-in, waiting or admitted: the ones on the attendance record, whose knock
 * the clinicians heard.
 */
export const clientsPastCheckIn: Audience = (p) => p.role === 'client' && p.state !== 'check-in';

/**
 * Peers outside the group whose media is in use: waiting clients getting ready (only they may
 * hold media before admission), whose media a media reset takes with it.
 */
export const gettingReady: Audience = (p) => !p.isAdmitted && p.media.inUse;

/** Every connected person, in check-in and the waiting room too: what everyone may know (the lock). */
export const everyone: Audience = () => true;

/**
 * Everyone in the group, and the waiting clients among `wereGettingReady` (whose media made
 * ready in the waiting room a media reset took with it).
 */
export const admittedAndReady =
  (wereGettingReady: ReadonlySet<Peer>): Audience =>
  (p) =>
    p.isAdmitted || (wereGettingReady.has(p) && p.status.is === 'waiting');
