/** The console's one bound store, combined from one slice per concern. */
import { create } from 'zustand';
import { createAuthSlice, type AuthSlice } from './authSlice';
import { createMediaSlice, type MediaSlice } from './mediaSlice';
import { createNotesSlice, type NotesSlice } from './notesSlice';
import { createRoomSlice, type RoomSlice } from './roomSlice';

export type ConsoleState = AuthSlice & RoomSlice & MediaSlice & NotesSlice;

export const useConsole = create<ConsoleState>()((...a) => ({
  ...createAuthSlice(...a),
  ...createRoomSlice(...a),
  ...createMediaSlice(...a),
  ...createNotesSlice(...a),
}));
