/**
 * Keys for end-to-end encrypted calls, relayed in a room and never stored (protocol/e2ee.ts):
 * a person's public key goes to the session's facilitators, whose consoles decide whether to
 * trust it; a sealed group key goes to one person, and only to someone in the group. The
 * server cannot open either (it never has a private key or the group key); what it must not
 * do is hand a sealed key to someone the facilitator has not admitted, so it checks that here
 * rather than trusting the console.
 */
import { ProtocolError, type GroupKey, type KeyAnnouncement, type MemberKey } from '../../shared/protocol.js';
import * as audience from './audiences.js';
import type { Members } from './members.js';
import type { Peer } from './peer.js';

/** `from` announced its public key (again): kept on its peer, told to the facilitators. */
export function publishKey(members: Members, from: Peer, key: KeyAnnouncement): void {
  from.e2eeKey = stripUndefined(key);
  const announced = memberKeyOf(from);
  if (!announced) return;
  for (const f of members.list(audience.facilitators)) if (f !== from) f.notify('memberKey', announced);
}

/** Every public key announced by someone connected in the room. */
export function memberKeys(members: Members): MemberKey[] {
  return [...members.all()].flatMap((p) => {
    const key = p.connected ? memberKeyOf(p) : undefined;
    return key ? [key] : [];
  });
}

/** A facilitator's sealed group key, to one connected person in the group. */
export function sendGroupKey(members: Members, from: Peer, to: string, key: Omit<GroupKey, 'from'>): void {
  if (from.role !== 'facilitator') throw new ProtocolError('FORBIDDEN', 'only a facilitator shares the group key');
  const target = members.get(to);
  if (!target || !target.connected) throw new ProtocolError('NOT_FOUND', 'nobody by that participantId is connected here', { reason: 'participant-not-found' });
  // A waiting client never holds a key: what they could open would be the group's.
  if (!target.isAdmitted) throw new ProtocolError('FORBIDDEN', 'the group key is only for people in the group');
  if (target === from) throw new ProtocolError('BAD_REQUEST', 'a facilitator does not send the group key to themselves');
  target.notify('groupKey', { from: from.participantId, ...key });
}

function memberKeyOf(peer: Peer): MemberKey | undefined {
  const key = peer.e2eeKey;
  return key ? { participantId: peer.participantId, ...key } : undefined;
}

/** Only what was said: an optional field sent as undefined is left out, as on the wire. */
function stripUndefined(key: KeyAnnouncement): KeyAnnouncement {
  return Object.fromEntries(Object.entries(key).filter(([, v]) => v !== undefined)) as KeyAnnouncement;
}
