/**
 * While the console is locked, main answers only the calls the lock screen needs and the
 * ones that carry no one's details. Everything that returns names, notes, rosters or
 * session details is refused, so even a renderer that ignored the lock could not fetch
 * them. A live call is untouched: its WebSocket and media run in the renderer, not here.
 */
import { ProtocolError } from '../../shared/protocol';
import type { IpcChannel } from '../../shared/ipc';
import type { IpcHandlers } from '../ipc/dispatch';
import type { ConsoleLock } from './consoleLock';

export const CHANNELS_OPEN_WHILE_LOCKED: ReadonlySet<IpcChannel> = new Set<IpcChannel>([
  'app:info',
  // The clinician's own name and server, for the lock screen.
  'auth:current',
  'auth:unlock',
  'auth:lock',
  'auth:signOut',
  'lock:status',
  // Counts only (pending, conflicts), for the status bar.
  'notes:status',
  // A note editor unmounted by the lock saves its last keystrokes on the way out; the
  // answer is the note the renderer just sent, so nothing new is revealed.
  'notes:save',
  // A count of who is waiting, never a name: the facilitator still hears a knock.
  'app:notifyKnock',
]);

export const LOCKED_MESSAGE = 'The console is locked. Unlock it to continue.';

export function guardWhileLocked(handlers: IpcHandlers, lock: ConsoleLock): IpcHandlers {
  const guarded: Partial<Record<IpcChannel, (request: never) => Promise<unknown>>> = {};
  for (const channel of Object.keys(handlers) as IpcChannel[]) {
    const handler = handlers[channel] as (request: never) => Promise<unknown>;
    guarded[channel] = CHANNELS_OPEN_WHILE_LOCKED.has(channel)
      ? handler
      : async (request) => {
          if (lock.isLocked()) throw new ProtocolError('FORBIDDEN', LOCKED_MESSAGE, { reason: 'console-locked' });
          return handler(request);
        };
  }
  return guarded as IpcHandlers;
}
