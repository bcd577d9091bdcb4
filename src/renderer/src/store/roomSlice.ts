import type { StateCreator } from 'zustand';
import type { ClinicianHelloResult, Participant, Producer } from '../../../shared/protocol';
import type { ConsoleState } from './index';

export type RoomStatus = 'idle' | 'connecting' | 'live' | 'closed' | 'failed';

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
  roomConnecting(): void;
  roomJoined(hello: ClinicianHelloResult): void;
  roomFailed(message: string): void;
  roomClosed(message?: string): void;
  upsertParticipant(p: Participant): void;
  removeParticipant(participantId: string): void;
  setProducer(p: Producer): void;
  removeProducer(producerId: string): void;
  setProducerPaused(producerId: string, paused: boolean): void;
  setPending(participantId: string, action: 'admit' | 'deny' | null): void;
}

const byId = <T extends { participantId: string }>(list: T[]) =>
  Object.fromEntries(list.map((p) => [p.participantId, p]));

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const { [key]: _gone, ...rest } = record;
  return rest;
}

export const createRoomSlice: StateCreator<ConsoleState, [], [], RoomSlice> = (set) => ({
  roomStatus: 'idle',
  roomError: null,
  session: null,
  myRole: null,
  myParticipantId: null,
  locked: false,
  waiting: {},
  participants: {},
  producers: {},
  pending: {},
  roomConnecting: () =>
    set({ roomStatus: 'connecting', roomError: null, waiting: {}, participants: {}, producers: {}, pending: {} }),
  roomJoined: (hello) =>
    set({
      roomStatus: 'live',
      session: hello.session,
      myRole: hello.role,
      myParticipantId: hello.participantId,
      locked: hello.locked,
      waiting: byId(hello.waiting),
      participants: byId(hello.participants),
      producers: Object.fromEntries(hello.producers.map((p) => [p.producerId, p])),
    }),
  roomFailed: (message) => set({ roomStatus: 'failed', roomError: message }),
  roomClosed: (message) =>
    set({
      roomStatus: 'closed',
      roomError: message ?? null,
      session: null,
      myRole: null,
      myParticipantId: null,
      waiting: {},
      participants: {},
      producers: {},
      pending: {},
    }),
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
  setPending: (participantId, action) =>
    set((s) => ({
      pending: action ? { ...s.pending, [participantId]: action } : without(s.pending, participantId),
    })),
});
