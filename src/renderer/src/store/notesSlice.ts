import type { StateCreator } from 'zustand';
import type { NotesStatus } from '../../../shared/ipc';
import type { NoteSummary } from '../../../shared/notes';
import type { ConsoleState } from './index';

export interface NotesFilter {
  query: string;
  clientRef: string;
  from: string;
  to: string;
  /** Supervisors: only notes waiting for my co-signature. */
  awaitingMe: boolean;
}

export const emptyFilter: NotesFilter = { query: '', clientRef: '', from: '', to: '', awaitingMe: false };

export interface NotesSlice {
  notesStatus: NotesStatus | null;
  notes: NoteSummary[];
  notesFilter: NotesFilter;
  openNoteId: string | null;
  setNotesStatus(status: NotesStatus | null): void;
  setNotes(notes: NoteSummary[]): void;
  setNotesFilter(filter: Partial<NotesFilter>): void;
  openNote(id: string | null): void;
}

export const createNotesSlice: StateCreator<ConsoleState, [], [], NotesSlice> = (set) => ({
  notesStatus: null,
  notes: [],
  notesFilter: emptyFilter,
  openNoteId: null,
  setNotesStatus: (notesStatus) => set({ notesStatus }),
  setNotes: (notes) => set({ notes }),
  setNotesFilter: (filter) => set((s) => ({ notesFilter: { ...s.notesFilter, ...filter } })),
  openNote: (openNoteId) => set({ openNoteId }),
});
