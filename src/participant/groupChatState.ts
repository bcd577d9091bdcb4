/**
 * The group chat's state on the participant page (issue 20), as a pure reducer: whether the
 * facilitators have it on, whether its panel is open, and what was said since this person
 * was let in (in memory only). What the page does with it is groupChat.ts's. No DOM, no
 * network: the unit tests run it in Node.
 */
import { MESSAGES_KEPT } from './moderation';

export interface GroupChatMessage {
  id: number;
  /** `me`, or the writer's participantId. */
  from: string;
  /** The writer's name as the group knew it when the message arrived (empty for the person's own: the page says "you"). */
  name: string;
  /** The therapist's messages are marked so. */
  byFacilitator: boolean;
  text: string;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface GroupChatState {
  /** The facilitators have it on (the server refuses messages while it is off). */
  enabled: boolean;
  open: boolean;
  /** Messages that arrived while the panel was closed. */
  unread: number;
  messages: GroupChatMessage[];
  nextId: number;
}

export type GroupChatEvent =
  | { type: 'admitted'; enabled: boolean }
  | { type: 'enabled'; enabled: boolean }
  | { type: 'received'; from: string; name: string; byFacilitator: boolean; text: string; at: number }
  | { type: 'sent'; text: string; at: number }
  | { type: 'cleared' }
  | { type: 'opened' }
  | { type: 'closed' }
  /** Out of the group (back to the waiting room, the visit over): nothing said stays. */
  | { type: 'reset' };

export const initialGroupChat: GroupChatState = { enabled: true, open: false, unread: 0, messages: [], nextId: 1 };

export function groupChatReducer(state: GroupChatState, event: GroupChatEvent): GroupChatState {
  switch (event.type) {
    case 'admitted':
      return { ...state, enabled: event.enabled };
    case 'enabled':
      return state.enabled === event.enabled ? state : { ...state, enabled: event.enabled };
    case 'received': {
      const next = append(state, { from: event.from, name: event.name, byFacilitator: event.byFacilitator, text: event.text, at: event.at });
      return state.open ? next : { ...next, unread: state.unread + 1 };
    }
    case 'sent':
      return append(state, { from: 'me', name: '', byFacilitator: false, text: event.text, at: event.at });
    case 'cleared':
      return { ...state, messages: [], unread: 0 };
    case 'opened':
      return { ...state, open: true, unread: 0 };
    case 'closed':
      return { ...state, open: false };
    case 'reset':
      return initialGroupChat;
  }
}

function append(state: GroupChatState, message: Omit<GroupChatMessage, 'id'>): GroupChatState {
  const messages = [...state.messages, { id: state.nextId, ...message }];
  return {
    ...state,
    messages: messages.length > MESSAGES_KEPT ? messages.slice(messages.length - MESSAGES_KEPT) : messages,
    nextId: state.nextId + 1,
  };
}
