/**
 * Who may hear what when a facilitator lets someone whose browser cannot encrypt take part by
 * audio in the clear (issue 19; docs/decisions.md, "An allowance the server cannot make"). The
 * server cannot read the facilitator's sealed word on it, and does not need to: this is the
 * facilitator's plain `allowClearAudio`, used only to route, so that clear audio goes nowhere
 * it was not meant for even if a client misbehaves. What members send and play in the clear
 * follows the sealed word alone; a server in the wrong hands could route anything, but could
 * not make anyone send in the clear.
 *
 * A clear producer is one of two things, fixed when it is made:
 * - `speaker`: the voice of someone allowed in the clear, for everyone in the group;
 * - `copy`: a group member's own voice sent a second time without encryption, for the people
 *   in the clear only (they cannot open the encrypted one).
 * Everything else is encrypted, and never for someone in the clear (who could not open it,
 * and receives no video at all).
 */
import type { types as ms } from 'mediasoup';
import type { Peer } from './peer.js';

export type ClearKind = 'speaker' | 'copy';

/** How a producer was made (its appData), or undefined for an encrypted one. */
export function clearKindOf(producer: ms.Producer): ClearKind | undefined {
  const kind = producer.appData['clear'];
  return kind === 'speaker' || kind === 'copy' ? kind : undefined;
}

export class ClearRouting {
  /** The participantIds a facilitator allowed, waiting or in the group. */
  private readonly allowed = new Set<string>();

  /** Whether anyone is allowed now (members may then send copies). */
  get anyone(): boolean {
    return this.allowed.size > 0;
  }

  isAllowed(participantId: string): boolean {
    return this.allowed.has(participantId);
  }

  /** Returns whether it changed. */
  set(participantId: string, allowed: boolean): boolean {
    if (allowed === this.allowed.has(participantId)) return false;
    if (allowed) this.allowed.add(participantId);
    else this.allowed.delete(participantId);
    return true;
  }

  /** Whether `peer` takes part by audio in the clear now: an allowed client, in the group. */
  inClear(peer: Peer): boolean {
    return peer.role === 'client' && peer.isAdmitted && this.allowed.has(peer.participantId);
  }

  /** Whether `viewer` may receive `producer` of `owner`, asked afresh at every call. */
  mayReceive(viewer: Peer, owner: Peer, producer: ms.Producer): boolean {
    switch (clearKindOf(producer)) {
      case 'speaker':
        return this.inClear(owner);
      case 'copy':
        return this.inClear(viewer) && !this.inClear(owner);
      default:
        return !this.inClear(viewer) && !this.inClear(owner);
    }
  }

  /** Whether `producer` of `owner` may go on existing: a speaker still allowed, a copy while anyone is. */
  mayGoOn(owner: Peer, producer: ms.Producer): boolean {
    const kind = clearKindOf(producer);
    if (kind === 'speaker') return this.inClear(owner);
    if (kind === 'copy') return this.anyone && !this.inClear(owner);
    return true;
  }
}
