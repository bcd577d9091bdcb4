/**
 * The renderer's only door to the main process. Unwraps result envelopes into values or
 * thrown ProtocolErrors so callers handle failure in one place.
 */
import type { IpcChannel, IpcRequest, IpcResults } from '../../shared/ipc';
import { ProtocolError, type Result } from '../../shared/protocol';
import { useConsole } from './store';
import { t } from './i18n';
import { failureText } from './i18n/errorText';

export async function call<C extends IpcChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResults[C]> {
  // Indexing a mapped type by a generic key loses the per-channel signature; restore it.
  const fn = window.confidant[channel] as unknown as (r: IpcRequest<C>) => Promise<Result<IpcResults[C]>>;
  const result = await fn(request);
  if (result.ok) return result.data as IpcResults[C];
  if (result.error.code === 'UNAUTHENTICATED' && channel !== 'auth:signIn' && channel !== 'auth:signOut') {
    // The server ended the sign-in (12 hours, 30 idle minutes, or an admin's change).
    useConsole.getState().signedOutByServer(t.room.signedOutBridge);
  }
  throw ProtocolError.fromBody(result.error);
}

/** What to tell the clinician about a failure, in the catalogue's words (i18n/errorText.ts). */
export function messageOf(err: unknown): string {
  return failureText(err, t);
}
