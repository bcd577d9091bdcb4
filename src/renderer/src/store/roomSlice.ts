import type { StateCreator } from 'zustand';
import type { ClinicianHelloResult, ConnectionQuality, Participant, Producer } from '../../../shared/protocol';
import type { ConsoleState } from './index';
import { noEncryption, type EncryptionView } from '../services/encryption';

/**
 * `reconnecting`: the socket dropped and the console is getting back in by itself; the group's
 * lists stay on screen (marked as out of date) until the server's fresh snapshot replaces them.
 */
export type RoomStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'closed' | 'failed';

/** A private in-call message; kept in memory for the live session only, never stored. */
export interface ChatMessage {
  from: 'me' | 'them';
  text: string;
  at: number;
}

/**
 * The group chat (issue 20) as this console sees it: whether it is on, and what was written
 * since this console came in (memory only, dropped when a facilitator clears it).
 */
export interface GroupChatView {
  enabled: boolean;
  messages: GroupChatEntry[];
  /** Written while the panel was folded away. */
  unread: number;
  open: boolean;
}

export interface GroupChatEntry {
  id: number;
  /** `me`, or the writer's participantId. */
  from: string;
  /** The writer's name when it arrived (they may have left since). */
  name: string;
  text: string;
  at: number;
}

/** A long session keeps the newest messages. */
const GROUP_MESSAGES_KEPT = 300;

export const noGroupChat: GroupChatView = { enabled: true, messages: [], unread: 0, open: false };

export interface Notice {
  tone: 'info' | 'error';
  text: string;
}

export interface RoomSlice {
  roomStatus: RoomStatus;
  roomError: string | null;
  session: ClinicianHelloResult['session'] | null;
  myRole: ClinicianHelloResult['role'] | null;
  myParticipantId: string | null;
  locked: boolean;
  /** Clients knocking, by participantId. */
  waiting: Record<string, Participant>;
  /** Everyone admitted, clinicians included, by participantId. */
  participants: Record<string, Participant>;
  producers: Record<string, Producer>;
  pending: Record<string, 'admit' | 'deny'>;
  /** Conversations by client participantId. */
  messages: Record<string, ChatMessage[]>;
  unread: Record<string, number>;
  /** The client whose conversation is open in the side panel. */
  conversationWith: string | null;
  notice: Notice | null;
  /**
   * What the live region says now (services/announcer.ts): polite, for a screen reader. The same
   * words twice are still said twice.
   */
  announcement: string;
  /** How good this console's own connection is, once measured (issue 22); others' are on their Participant. */
  ownConnection: ConnectionQuality | null;
  groupChat: GroupChatView;
  /** The call's end-to-end encryption as this console stands in it (services/encryption.ts). */
  encryption: EncryptionView;
  roomConnecting(): void;
  roomReconnecting(): void;
  roomJoined(hello: ClinicianHelloResult): void;
  roomFailed(message: string): void;
  roomClosed(message?: string): void;
  upsertParticipant(p: Participant): void;
  removeParticipant(participantId: string): void;
  setProducer(p: Producer): void;
  removeProducer(producerId: string): void;
  setProducerPaused(producerId: string, paused: boolean): void;
  setPending(participantId: string, action: 'admit' | 'deny' | null): void;
  setLocked(locked: boolean): void;
  addMessage(participantId: string, message: ChatMessage): void;
  openConversation(participantId: string | null): void;
  setNotice(notice: Notice | null): void;
  announce(text: string): void;
  setOwnConnection(quality: ConnectionQuality): void;
  setGroupChatEnabled(enabled: boolean): void;
  addGroupMessage(message: Omit<GroupChatEntry, 'id'>): void;
  clearGroupMessages(): void;
  openGroupChat(open: boolean): void;
  setEncryption(encryption: EncryptionView): void;
}

const byId = <T extends { participantId: string }>(list: T[]) =>
  Object.fromEntries(list.map((p) => [p.participantId, p]));

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const { [key]: _gone, ...rest } = record;
  return rest;
}

/** The live session's state when there is none. */
const noRoom = {
  session: null,
  myRole: null,
  myParticipantId: null,
  waiting: {},
  participants: {},
  producers: {},
  pending: {},
  messages: {},
  unread: {},
  conversationWith: null,
  notice: null,
  announcement: '',
  ownConnection: null,
  groupChat: noGroupChat,
  encryption: noEncryption,
} satisfies Partial<RoomSlice>;

export const createRoomSlice: StateCreator<ConsoleState, [], [], RoomSlice> = (set, get) => ({
  roomStatus: 'idle',
  roomError: null,
  locked: false,
  ...noRoom,
  roomConnecting: () => set({ ...noRoom, roomStatus: 'connecting', roomError: null }),
  // Media is gone with the old connection; who is where stays shown until the snapshot comes.
  roomReconnecting: () => set({ roomStatus: 'reconnecting', producers: {}, pending: {}, encryption: noEncryption }),
  roomJoined: (hello) =>
    set({
      roomStatus: 'live',
      session: hello.session,
      myRole: hello.role,
      myParticipantId: hello.participantId,
      locked: hello.locked,
      // What was written before a reconnect stays shown; whether it is on is the server's word.
      groupChat: { ...get().groupChat, enabled: hello.groupChat ?? true },
      waiting: byId(hello.waiting),
      participants: byId(hello.participants),
      producers: Object.fromEntries(hello.producers.map((p) => [p.producerId, p])),
    }),
  roomFailed: (message) => set({ roomStatus: 'failed', roomError: message }),
  // Everything about the session goes, private messages included: nothing is kept after group.
  roomClosed: (message) => set({ ...noRoom, roomStatus: 'closed', roomError: message ?? null }),
  // A participant lives in exactly one list, chosen by state; check-in is not shown.
  upsertParticipant: (p) =>
    set((s) => {
      const waiting = without(s.waiting, p.participantId);
      const participants = without(s.participants, p.participantId);
      const pending = without(s.pending, p.participantId);
      if (p.state === 'waiting') return { waiting: { ...waiting, [p.participantId]: p }, participants, pending };
      if (p.state === 'admitted') return { waiting, participants: { ...participants, [p.participantId]: p }, pending };
      return { waiting, participants, pending };
    }),
  removeParticipant: (participantId) =>
    set((s) => ({
      waiting: without(s.waiting, participantId),
      participants: without(s.participants, participantId),
      pending: without(s.pending, participantId),
      producers: Object.fromEntries(
        Object.entries(s.producers).filter(([, p]) => p.participantId !== participantId),
      ),
    })),
  setProducer: (p) => set((s) => ({ producers: { ...s.producers, [p.producerId]: p } })),
  removeProducer: (producerId) => set((s) => ({ producers: without(s.producers, producerId) })),
  setProducerPaused: (producerId, paused) =>
    set((s) => {
      const p = s.producers[producerId];
      return p ? { producers: { ...s.producers, [producerId]: { ...p, paused } } } : {};
    }),
  setLocked: (locked) => set({ locked }),
  addMessage: (participantId, message) =>
    set((s) => ({
      messages: { ...s.messages, [participantId]: [...(s.messages[participantId] ?? []), message] },
      unread:
        message.from === 'them' && s.conversationWith !== participantId
          ? { ...s.unread, [participantId]: (s.unread[participantId] ?? 0) + 1 }
          : s.unread,
    })),
  openConversation: (participantId) =>
    set((s) => ({
      conversationWith: participantId,
      unread: participantId ? without(s.unread, participantId) : s.unread,
    })),
  setNotice: (notice) => set({ notice }),
  setOwnConnection: (quality) => set({ ownConnection: quality }),
  announce: (text) => set((s) => ({ announcement: s.announcement === text ? `${text}\u00a0` : text })),
  setGroupChatEnabled: (enabled) => set((s) => ({ groupChat: { ...s.groupChat, enabled } })),
  addGroupMessage: (message) =>
    set((s) => {
      const last = s.groupChat.messages.at(-1);
      const messages = [...s.groupChat.messages, { id: (last?.id ?? 0) + 1, ...message }].slice(-GROUP_MESSAGES_KEPT);
      const unread = s.groupChat.open ? 0 : s.groupChat.unread + (message.from === 'me' ? 0 : 1);
      return { groupChat: { ...s.groupChat, messages, unread } };
    }),
  clearGroupMessages: () => set((s) => ({ groupChat: { ...s.groupChat, messages: [], unread: 0 } })),
  openGroupChat: (open) => set((s) => ({ groupChat: { ...s.groupChat, open, unread: open ? 0 : s.groupChat.unread } })),
  setEncryption: (encryption) => set({ encryption }),
  setPending: (participantId, action) =>
    set((s) => ({
      pending: action ? { ...s.pending, [participantId]: action } : without(s.pending, participantId),
    })),
});
