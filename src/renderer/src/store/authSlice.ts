import type { StateCreator } from 'zustand';
import { localTimeZone, weekStartInstant } from '../../../shared/clinicWeeks';
import type { AppInfo, SignInResult } from '../../../shared/ipc';
import type { SessionSummary } from '../../../shared/protocol';
import type { ConsoleState } from './index';

export type ConsoleView = 'sessions' | 'notes' | 'accounts' | 'rosters';

export interface AuthSlice {
  appInfo: AppInfo | null;
  account: SignInResult | null;
  /** Why the console went back to sign-in by itself (token expired or idle), if it did. */
  signedOutReason: string | null;
  view: ConsoleView;
  /** Monday 00:00 local time of the week the sessions screen shows. */
  weekStart: number;
  sessions: SessionSummary[];
  sessionsLoading: boolean;
  setAppInfo(info: AppInfo): void;
  setAccount(account: SignInResult | null): void;
  setSessions(sessions: SessionSummary[]): void;
  setSessionsLoading(loading: boolean): void;
  signedOutByServer(reason: string): void;
  setView(view: ConsoleView): void;
  setWeekStart(weekStart: number): void;
}

/** Monday 00:00 (local time) of the week containing `at`. */
export function mondayOf(at: Date): number {
  return weekStartInstant(at, localTimeZone()).getTime();
}

export const createAuthSlice: StateCreator<ConsoleState, [], [], AuthSlice> = (set) => ({
  appInfo: null,
  account: null,
  signedOutReason: null,
  view: 'sessions',
  weekStart: mondayOf(new Date()),
  sessions: [],
  sessionsLoading: false,
  setAppInfo: (appInfo) => set({ appInfo }),
  setAccount: (account) =>
    set(account ? { account, signedOutReason: null } : { account: null, sessions: [], view: 'sessions' }),
  signedOutByServer: (reason) => set({ account: null, sessions: [], view: 'sessions', signedOutReason: reason }),
  setView: (view) => set({ view }),
  setWeekStart: (weekStart) => set({ weekStart }),
  setSessions: (sessions) => set({ sessions, sessionsLoading: false }),
  setSessionsLoading: (sessionsLoading) => set({ sessionsLoading }),
});
