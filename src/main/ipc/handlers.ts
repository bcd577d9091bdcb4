/**
 * The console's IPC handlers, built from its services. Main registers each with
 * ipcMain.handle; the test host serves the same map to the renderer under test.
 */
import type { AppInfo } from '../../shared/ipc';
import type { ServerSession } from '../services/serverSession';
import type { IpcHandlers } from './dispatch';

/** Shows a desktop notification (Electron's Notification in main). */
export interface Notifier {
  show(title: string, body: string): void;
}

export interface ConsoleServices {
  appInfo: AppInfo;
  server: ServerSession;
  notifier: Notifier;
}

/** The words of a knock notification: a count, never a name. */
export function knockNotification(waiting: number): { title: string; body: string } {
  return {
    title: 'Confidant',
    body: waiting === 1 ? 'Someone is waiting to be let in.' : `${waiting} people are waiting to be let in.`,
  };
}

export function createHandlers(services: ConsoleServices): IpcHandlers {
  const { server } = services;
  return {
    'app:info': async () => services.appInfo,
    'auth:signIn': (request) => server.signIn(request),
    'auth:signOut': async () => {
      await server.signOut();
      return {};
    },
    'auth:current': async () => server.current(),
    'sessions:list': () => server.listSessions(),
    'sessions:connect': async ({ sessionId }) => server.connection(sessionId),
    'app:notifyKnock': async ({ waiting }) => {
      const { title, body } = knockNotification(waiting);
      services.notifier.show(title, body);
      return {};
    },
  };
}

/** macOS and Windows honour setContentProtection; Linux compositors offer no equivalent. */
export function captureProtectionFor(platform: string): AppInfo['captureProtection'] {
  return platform === 'darwin' || platform === 'win32' ? 'enforced' : 'unavailable';
}
