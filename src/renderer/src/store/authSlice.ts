import type { StateCreator } from 'zustand';
import type { AppInfo, SignInResult } from '../../../shared/ipc';
import type { SessionSummary } from '../../../shared/protocol';
import type { ConsoleState } from './index';

export interface AuthSlice {
  appInfo: AppInfo | null;
  account: SignInResult | null;
  sessions: SessionSummary[];
  sessionsLoading: boolean;
  setAppInfo(info: AppInfo): void;
  setAccount(account: SignInResult | null): void;
  setSessions(sessions: SessionSummary[]): void;
  setSessionsLoading(loading: boolean): void;
}

export const createAuthSlice: StateCreator<ConsoleState, [], [], AuthSlice> = (set) => ({
  appInfo: null,
  account: null,
  sessions: [],
  sessionsLoading: false,
  setAppInfo: (appInfo) => set({ appInfo }),
  setAccount: (account) => set(account ? { account } : { account: null, sessions: [] }),
  setSessions: (sessions) => set({ sessions, sessionsLoading: false }),
  setSessionsLoading: (sessionsLoading) => set({ sessionsLoading }),
});
