/**
 * What a room relays between people and never keeps: private messages (a client writes to the
 * session's facilitators, never to observers; a facilitator to one connected client; never
 * stored, never logged) and the keys of end-to-end encrypted calls (keyRelay.ts).
 */
import { ProtocolError, TO_FACILITATOR, type MessageBody } from '../../shared/protocol.js';
import * as audience from './audiences.js';
import { memberKeys, publishKey, sendGroupKey } from './keyRelay.js';
import type { Members } from './members.js';
import type { Peer } from './peer.js';

export interface Relay {
  message(from: Peer, to: string, body: MessageBody): void;
  publishKey(from: Peer, key: Parameters<typeof publishKey>[2]): void;
  memberKeys(): ReturnType<typeof memberKeys>;
  sendGroupKey(from: Peer, to: string, key: Parameters<typeof sendGroupKey>[3]): void;
}

export function relayOver(members: Members): Relay {
  return {
    message: (from, to, body) => relayMessage(members, from, to, body),
    publishKey: (from, key) => publishKey(members, from, key),
    memberKeys: () => memberKeys(members),
    sendGroupKey: (from, to, key) => sendGroupKey(members, from, to, key),
  };
}

/** Relays a message as it came: its text, or its sealed box (which the server cannot open). */
export function relayMessage(members: Members, from: Peer, to: string, body: MessageBody): void {
  // Only what the schema allows goes on, whatever else the request carried.
  const content: MessageBody = 'sealed' in body ? { sealed: body.sealed } : { text: body.text };
  if (from.role === 'client') return messageFacilitators(members, from, to, content);
  if (from.role !== 'facilitator') throw new ProtocolError('FORBIDDEN', 'observers do not send messages', { reason: 'observer-sends-nothing' });
  if (to === TO_FACILITATOR) throw new ProtocolError('BAD_REQUEST', 'write to a participantId');
  members.clientIn(to, ['waiting', 'admitted']).notify('message', { from: TO_FACILITATOR, ...content });
}

function messageFacilitators(members: Members, from: Peer, to: string, content: MessageBody): void {
  if (to !== TO_FACILITATOR) throw new ProtocolError('BAD_REQUEST', `clients write to "${TO_FACILITATOR}"`);
  const facilitators = members.list(audience.facilitators);
  // Better to say so than to drop a message someone may have found hard to write.
  if (facilitators.length === 0) throw new ProtocolError('NOT_FOUND', 'no facilitator is here right now');
  for (const f of facilitators) f.notify('message', { from: from.participantId, ...content });
}
