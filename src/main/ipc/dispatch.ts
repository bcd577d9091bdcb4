/**
 * Turns a map of typed handlers into one dispatcher that validates every call before it
 * runs and always answers with a result envelope: a thrown error crossing a process
 * boundary loses everything but its message, so nothing throws out of here.
 * Free of Electron so the console's test host can serve the very same handlers.
 */
import {
  ipcRequests,
  isIpcChannel,
  type IpcChannel,
  type IpcParsedRequest,
  type IpcResults,
} from '../../shared/ipc';
import { isErrorReason, ProtocolError, type Result } from '../../shared/protocol';
import { createLogger, errorFields } from '../../common/logger';

const log = createLogger('ipc');

export type IpcHandlers = {
  [C in IpcChannel]: (request: IpcParsedRequest<C>) => Promise<IpcResults[C]>;
};

export type IpcDispatcher = (channel: unknown, payload: unknown) => Promise<Result<unknown>>;

export function createIpcDispatcher(handlers: IpcHandlers): IpcDispatcher {
  return async (channel, payload) => {
    if (!isIpcChannel(channel)) {
      return { ok: false, error: { code: 'BAD_REQUEST', message: 'unknown channel', reason: 'invalid-request' } };
    }
    const parsed = ipcRequests[channel].safeParse(payload ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
      // A check that names its reason (the server address's) keeps it; any other is a bad request.
      const named: unknown = first?.code === 'custom' ? (first.params as { reason?: unknown } | undefined)?.reason : undefined;
      const reason = isErrorReason(named) ? named : 'invalid-request';
      return { ok: false, error: { code: 'BAD_REQUEST', message: `${where}${first?.message ?? 'invalid request'}`, reason } };
    }
    try {
      const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
      return { ok: true, data: await handler(parsed.data) };
    } catch (err) {
      if (err instanceof ProtocolError) return { ok: false, error: err.toBody() };
      log.error('ipc.handler_failed', { channel, ...errorFields(err) });
      return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong in the console. Try again.', reason: 'console-failed' } };
    }
  };
}
