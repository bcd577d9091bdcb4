/** Sign-in and the session list: calls into main through the bridge, results into the store. */
import { addWeeks, localTimeZone } from '../../../shared/clinicWeeks';
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
  const base = offsetWeeks === 0 ? new Date() : addWeeks(store.weekStart, offsetWeeks, localTimeZone());
  store.setWeekStart(mondayOf(base));
  await refreshSessions();
}
