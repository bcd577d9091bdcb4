/**
 * Private messages in a room: a client writes to the session's facilitators (never to
 * observers), a facilitator to one connected client. Relayed only: never stored, never logged.
 */
import { ProtocolError, TO_FACILITATOR } from '../../shared/protocol.js';
import * as audience from './audiences.js';
import type { Members } from './members.js';
import type { Peer } from './peer.js';

export function relayMessage(members: Members, from: Peer, to: string, text: string): void {
  if (from.role === 'client') return messageFacilitators(members, from, to, text);
  if (from.role !== 'facilitator') throw new ProtocolError('FORBIDDEN', 'observers do not send messages');
  if (to === TO_FACILITATOR) throw new ProtocolError('BAD_REQUEST', 'write to a participantId');
  members.clientIn(to, ['waiting', 'admitted']).notify('message', { from: TO_FACILITATOR, text });
}

function messageFacilitators(members: Members, from: Peer, to: string, text: string): void {
  if (to !== TO_FACILITATOR) throw new ProtocolError('BAD_REQUEST', `clients write to "${TO_FACILITATOR}"`);
  const facilitators = members.list(audience.facilitators);
  // Better to say so than to drop a message someone may have found hard to write.
  if (facilitators.length === 0) throw new ProtocolError('NOT_FOUND', 'no facilitator is here right now');
  for (const f of facilitators) f.notify('message', { from: from.participantId, text });
}
