/**
 * What a room relays between people and never keeps: private messages (a client writes to the
 * session's facilitators, never to observers; a facilitator to one connected client; never
 * stored, never logged) and the keys of end-to-end encrypted calls (keyRelay.ts).
 */
import { ProtocolError, TO_FACILITATOR } from '../../shared/protocol.js';
import * as audience from './audiences.js';
import { memberKeys, publishKey, sendGroupKey } from './keyRelay.js';
import type { Members } from './members.js';
import type { Peer } from './peer.js';

export interface Relay {
  message(from: Peer, to: string, text: string): void;
  publishKey(from: Peer, key: Parameters<typeof publishKey>[2]): void;
  memberKeys(): ReturnType<typeof memberKeys>;
  sendGroupKey(from: Peer, to: string, key: Parameters<typeof sendGroupKey>[3]): void;
}

export function relayOver(members: Members): Relay {
  return {
    message: (from, to, text) => relayMessage(members, from, to, text),
    publishKey: (from, key) => publishKey(members, from, key),
    memberKeys: () => memberKeys(members),
    sendGroupKey: (from, to, key) => sendGroupKey(members, from, to, key),
  };
}

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
