/** Sign-in and the session list: calls into main through the bridge, results into the store. */
import type { SignInRequest } from '../../../shared/ipc';
import { call } from '../bridge';
import { useConsole } from '../store';
import { mondayOf } from '../store/authSlice';

export async function loadAppInfo(): Promise<void> {
  const store = useConsole.getState();
  store.setAppInfo(await call('app:info', {}));
  store.setAccount(await call('auth:current', {}));
}

export async function signIn(request: SignInRequest): Promise<void> {
  const account = await call('auth:signIn', request);
  useConsole.getState().setAccount(account);
  await refreshSessions();
}

export async function signOut(): Promise<void> {
  await call('auth:signOut', {});
  useConsole.getState().setAccount(null);
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** Loads the sessions of the week the sessions screen shows. */
export async function refreshSessions(): Promise<void> {
  const store = useConsole.getState();
  const from = new Date(store.weekStart);
  // Days are not all 24 hours long across a clock change; step by calendar day instead.
  const to = new Date(from.getFullYear(), from.getMonth(), from.getDate() + 7);
  store.setSessionsLoading(true);
  try {
    store.setSessions(await call('sessions:list', { from: from.toISOString(), to: to.toISOString() }));
  } finally {
    store.setSessionsLoading(false);
  }
}

export async function showWeek(offsetWeeks: -1 | 0 | 1): Promise<void> {
  const store = useConsole.getState();
  const base = offsetWeeks === 0 ? mondayOf(new Date()) : store.weekStart + offsetWeeks * WEEK_MS;
  store.setWeekStart(mondayOf(new Date(base + 12 * 60 * 60 * 1000)));
  await refreshSessions();
}
