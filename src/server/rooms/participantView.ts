/**
 * What one peer may learn about another. Clinicians see a client's participantRef and the
 * clinic's verification hint; clients never see anyone's. Crisis information never appears here (only `crisisInfo` returns it).
 */
import type { Participant, Producer } from '../../shared/protocol.js';
import { clearKindOf } from './clearAudio.js';
import type { Peer } from './peer.js';

export function participantFor(viewer: Peer, subject: Peer): Participant {
  const p: Participant = {
    participantId: subject.participantId,
    role: subject.role,
    displayName: subject.displayName,
    state: subject.state,
    verified: subject.verified,
    media: { ...subject.mediaIntent },
    mutedByFacilitator: { ...subject.mutedByFacilitator },
    knockedAt: subject.knockedAt,
  };
  // Everyone may know: the group sees they take part by text, and why their tile is dark.
  if (subject.role === 'client' && subject.standing.textOnly) p.textOnly = true;
  // How good their link is: the clinicians' to know, about clients and clinicians alike.
  if (viewer.isClinician && subject.connectionQuality !== undefined) p.connectionQuality = subject.connectionQuality;
  if (viewer.isClinician && subject.role === 'client') {
    if (subject.participantRef !== undefined) p.participantRef = subject.participantRef;
    p.verificationHint = subject.verificationHint;
    // How a client was verified is the clinicians' business; peers see only `verified`.
    p.verificationMethod = subject.standing.verification?.method ?? null;
    p.connection = subject.status.is === 'reconnecting' ? 'reconnecting' : 'connected';
    // What the client ticked of the privacy check: for the therapists, never for the group.
    if (subject.standing.privacy) p.privacy = { ...subject.standing.privacy };
    // How they are today: for the therapists, never for the group.
    if (subject.standing.rating) p.rating = { ...subject.standing.rating };
    // The language they read the page and the agreement in: for the therapists, beside the knock.
    if (subject.standing.language) p.language = subject.standing.language;
  }
  return p;
}

export function producersOf(peer: Peer): Producer[] {
  return peer.media.listProducers().map((p) => ({
    producerId: p.id,
    participantId: peer.participantId,
    kind: p.kind,
    paused: p.paused,
    ...(clearKindOf(p) ? { clear: true as const } : {}),
  }));
}
