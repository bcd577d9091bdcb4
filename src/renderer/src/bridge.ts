/**
 * The renderer's only door to the main process. Unwraps result envelopes into values or
 * thrown ProtocolErrors so callers handle failure in one place.
 */
import type { IpcChannel, IpcRequest, IpcResults } from '../../shared/ipc';
import { ProtocolError, type Result } from '../../shared/protocol';

export async function call<C extends IpcChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResults[C]> {
  // Indexing a mapped type by a generic key loses the per-channel signature; restore it.
  const fn = window.confidant[channel] as unknown as (r: IpcRequest<C>) => Promise<Result<IpcResults[C]>>;
  const result = await fn(request);
  if (result.ok) return result.data as IpcResults[C];
  throw new ProtocolError(result.error.code, result.error.message);
}

export function messageOf(err: unknown): string {
  if (err instanceof ProtocolError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
