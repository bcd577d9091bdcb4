/** The console's services as main builds them, for tests of the IPC handlers. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleServices, Notifier } from '../../../src/main/ipc/handlers';
import { NotesService } from '../../../src/main/notes/notesService';
import { createMemoryKeyStore } from '../../../src/main/notes/vault';
import { ServerSession } from '../../../src/main/services/serverSession';

export function consoleServices(overrides: { notifier?: Notifier } = {}): ConsoleServices {
  const server = new ServerSession();
  return {
    appInfo: { platform: 'linux', version: 't', captureProtection: 'unavailable', defaultServerUrl: null },
    server,
    notifier: overrides.notifier ?? { show: () => undefined },
    clipboard: { writeText: () => undefined, readText: () => '' },
    // The OS keychain has its own tests (tests/main/notes/vault.keychain.test.ts).
    notes: new NotesService({
      baseDir: mkdtempSync(join(tmpdir(), 'confidant-console-test-')),
      keyStore: createMemoryKeyStore(),
      server,
    }),
  };
}
