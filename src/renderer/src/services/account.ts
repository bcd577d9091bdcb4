/** Sign-in and the session list: calls into main through the bridge, results into the store. */
import type { SignInRequest } from '../../../shared/ipc';
import { call } from '../bridge';
import { useConsole } from '../store';

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

export async function refreshSessions(): Promise<void> {
  const store = useConsole.getState();
  store.setSessionsLoading(true);
  try {
    store.setSessions(await call('sessions:list', {}));
  } finally {
    store.setSessionsLoading(false);
  }
}
