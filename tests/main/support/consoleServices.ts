/** The console's services as main builds them, for tests of the IPC handlers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { ConsoleServices, Notifier } from '../../../src/main/ipc/handlers';
import { ConsoleLock } from '../../../src/main/lock/consoleLock';
import { NotesService } from '../../../src/main/notes/notesService';
import { RostersService } from '../../../src/main/rosters/rostersService';
import { createMemoryKeyStore } from '../../../src/main/notes/vault';
import { ServerSession } from '../../../src/main/services/serverSession';
import { indexWorkerFromSource } from '../../support/indexWorkerFromSource';

/** The folders made for the file's tests, removed once its tests are done. */
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function consoleServices(overrides: { notifier?: Notifier; fetch?: typeof fetch } = {}): ConsoleServices {
  const server = new ServerSession(overrides.fetch);
  const baseDir = mkdtempSync(join(tmpdir(), 'confidant-console-test-'));
  made.push(baseDir);
  const keyStore = createMemoryKeyStore();
  return {
    appInfo: { platform: 'linux', version: 't', captureProtection: 'unavailable', defaultServerUrl: null },
    server,
    lock: new ConsoleLock({ idleMinutes: 10, isSignedIn: () => server.current() !== null }),
    notifier: overrides.notifier ?? { show: () => undefined },
    clipboard: { writeText: () => undefined, readText: () => '' },
    // The OS keychain has its own tests (tests/main/notes/vault.keychain.test.ts).
    notes: new NotesService({ baseDir, keyStore, server, indexWorker: indexWorkerFromSource }),
    rosters: new RostersService({ baseDir, keyStore, server }),
    keyStore,
    files: {
      saveText: async () => {
        throw new Error('this test saves no files');
      },
    },
  };
}
