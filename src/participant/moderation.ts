/**
 * What the facilitator's moderation means for this page, as a pure reducer: mutes and
 * invitations to unmute, the room's lock, and the private conversation with the therapist.
 * The service feeds it events; components read the state. No DOM, no network: the unit
 * tests run it in Node.
 *
 * The page never turns a microphone or camera on by itself: `unmuteAllowed` only lifts the
 * lock and asks; the person decides.
 */
import type { MediaKind } from '../shared/protocol';

/** The protocol's limit for one message (after trimming). */
export const MESSAGE_MAX = 2000;
/** The conversation lives in memory only; a long session keeps its most recent messages. */
export const MESSAGES_KEPT = 200;

export interface ChatMessage {
  id: number;
  from: 'me' | 'facilitator';
  text: string;
  /** Milliseconds since the epoch, for the time shown beside the message. */
  at: number;
}

/** A calm line near the call controls about the last moderation event. */
export type ModerationNotice =
  /** The therapist muted the microphone or turned off the camera. */
  | { type: 'muted'; kind: MediaKind }
  /** The person pressed the locked button: explain, don't scold. */
  | { type: 'stillMuted'; kind: MediaKind }
  /** The server refused to unpause: the therapist's mute is still on. */
  | { type: 'refused'; kind: MediaKind };

export interface ModerationState {
  /** Kinds the therapist muted; turning them on waits for `unmuteAllowed`. */
  mutedByFacilitator: Record<MediaKind, boolean>;
  /** Kinds the therapist asked the person to turn back on (the prompt shows one at a time). */
  unmuteAsked: Record<MediaKind, boolean>;
  notice: ModerationNotice | null;
  /** The room is closed to new arrivals; shown discreetly, it changes nothing for this person. */
  locked: boolean;
  messages: ChatMessage[];
  nextMessageId: number;
  chatOpen: boolean;
  /** Messages from the therapist that arrived while the conversation was closed. */
  unread: number;
  /** The latest of those, shown briefly above the controls so it is not missed. */
  preview: ChatMessage | null;
}

export type ModerationEvent =
  /** (Re)admitted: the server's view of our own mutes, and the lock if it says. */
  | { type: 'admitted'; mutedByFacilitator?: Record<MediaKind, boolean>; locked?: boolean }
  | { type: 'muted'; kind: MediaKind }
  | { type: 'unmuteAllowed'; kind: MediaKind }
  /** The person tried to turn on a kind the therapist muted. */
  | { type: 'blockedAttempt'; kind: MediaKind }
  /** `setProducerPaused {paused:false}` answered MUTED_BY_FACILITATOR. */
  | { type: 'unmuteRefused'; kind: MediaKind }
  /** The person turned this kind on (from the prompt or the button). */
  | { type: 'turnedOn'; kind: MediaKind }
  | { type: 'promptDismissed'; kind: MediaKind }
  | { type: 'noticeDismissed' }
  | { type: 'locked'; locked: boolean }
  /** `seen`: shown in full where the person is (the waiting room), so not unread. */
  | { type: 'messageReceived'; text: string; at: number; seen?: boolean }
  | { type: 'messageSent'; text: string; at: number }
  | { type: 'chatOpened' }
  | { type: 'chatClosed' }
  | { type: 'previewDismissed' }
  /** Leaving, ending, reloading: nothing of the session stays behind. */
  | { type: 'reset' };

export const initialModeration: ModerationState = {
  mutedByFacilitator: { audio: false, video: false },
  unmuteAsked: { audio: false, video: false },
  notice: null,
  locked: false,
  messages: [],
  nextMessageId: 1,
  chatOpen: false,
  unread: 0,
  preview: null,
};

export function moderationReducer(state: ModerationState, event: ModerationEvent): ModerationState {
  switch (event.type) {
    case 'admitted':
      return {
        ...state,
        mutedByFacilitator: { ...(event.mutedByFacilitator ?? { audio: false, video: false }) },
        unmuteAsked: { audio: false, video: false },
        notice: null,
        locked: event.locked ?? state.locked,
      };
    case 'muted':
      return {
        ...state,
        mutedByFacilitator: { ...state.mutedByFacilitator, [event.kind]: true },
        unmuteAsked: { ...state.unmuteAsked, [event.kind]: false },
        notice: { type: 'muted', kind: event.kind },
      };
    case 'unmuteAllowed':
      return {
        ...state,
        mutedByFacilitator: { ...state.mutedByFacilitator, [event.kind]: false },
        unmuteAsked: { ...state.unmuteAsked, [event.kind]: true },
        notice: state.notice?.kind === event.kind ? null : state.notice,
      };
    case 'blockedAttempt':
      if (!state.mutedByFacilitator[event.kind]) return state;
      return { ...state, notice: { type: 'stillMuted', kind: event.kind } };
    case 'unmuteRefused':
      return {
        ...state,
        mutedByFacilitator: { ...state.mutedByFacilitator, [event.kind]: true },
        unmuteAsked: { ...state.unmuteAsked, [event.kind]: false },
        notice: { type: 'refused', kind: event.kind },
      };
    case 'turnedOn':
      return {
        ...state,
        unmuteAsked: { ...state.unmuteAsked, [event.kind]: false },
        notice: state.notice?.kind === event.kind ? null : state.notice,
      };
    case 'promptDismissed':
      return { ...state, unmuteAsked: { ...state.unmuteAsked, [event.kind]: false } };
    case 'noticeDismissed':
      return state.notice ? { ...state, notice: null } : state;
    case 'locked':
      return state.locked === event.locked ? state : { ...state, locked: event.locked };
    case 'messageReceived': {
      const next = appendMessage(state, 'facilitator', event.text, event.at);
      if (state.chatOpen || event.seen) return { ...next, unread: state.chatOpen ? 0 : state.unread };
      return { ...next, unread: state.unread + 1, preview: next.messages[next.messages.length - 1] ?? null };
    }
    case 'messageSent':
      return appendMessage(state, 'me', event.text, event.at);
    case 'chatOpened':
      return { ...state, chatOpen: true, unread: 0, preview: null };
    case 'chatClosed':
      return { ...state, chatOpen: false };
    case 'previewDismissed':
      return state.preview ? { ...state, preview: null } : state;
    case 'reset':
      return initialModeration;
  }
}

function appendMessage(state: ModerationState, from: ChatMessage['from'], text: string, at: number): ModerationState {
  const messages = [...state.messages, { id: state.nextMessageId, from, text, at }];
  return {
    ...state,
    messages: messages.length > MESSAGES_KEPT ? messages.slice(messages.length - MESSAGES_KEPT) : messages,
    nextMessageId: state.nextMessageId + 1,
  };
}

/** The kind the unmute prompt asks about now: the microphone first, as it matters most in a group. */
export function promptKind(state: ModerationState): MediaKind | null {
  if (state.unmuteAsked.audio) return 'audio';
  if (state.unmuteAsked.video) return 'video';
  return null;
}

export type MessageCheck = { ok: true; text: string } | { ok: false; error: string };

