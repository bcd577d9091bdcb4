/** The console's one bound store, combined from one slice per concern. */
import { create } from 'zustand';
import { createAuthSlice, type AuthSlice } from './authSlice';
import { createLockSlice, type LockSlice } from './lockSlice';
import { createMediaSlice, type MediaSlice } from './mediaSlice';
import { createNotesSlice, type NotesSlice } from './notesSlice';
import { createRoomSlice, type RoomSlice } from './roomSlice';
import { createRostersSlice, emptyRosters, type RostersSlice } from './rostersSlice';

export type ConsoleState = AuthSlice & RoomSlice & MediaSlice & NotesSlice & RostersSlice & LockSlice;

export const useConsole = create<ConsoleState>()((...a) => ({
  ...createAuthSlice(...a),
  ...createRoomSlice(...a),
  ...createMediaSlice(...a),
  ...createNotesSlice(...a),
  ...createRostersSlice(...a),
  ...createLockSlice(...a),
}));

// Rosters name clients: nothing of them stays in memory once the clinician is signed out.
useConsole.subscribe((s, prev) => {
  if (prev.account && !s.account) useConsole.setState(emptyRosters);
});
