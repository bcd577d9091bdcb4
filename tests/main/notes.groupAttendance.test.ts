/**
 * A group note starts from the session's attendance: the console (main's own handlers, the
 * real vault) asks the real server for the roster and writes a section per client, present
 * with their minutes or marked absent. Offline, the note still starts, empty of clients.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createIpcDispatcher } from '../../src/main/ipc/dispatch';
import { createHandlers } from '../../src/main/ipc/handlers';
import { NotesService } from '../../src/main/notes/notesService';
import { indexWorkerFromSource } from '../support/indexWorkerFromSource';
import { createMemoryKeyStore } from '../../src/main/notes/vault';
import type { IpcResults } from '../../src/shared/ipc';
import type { Result } from '../../src/shared/protocol';
import { startRestartableServer, type RestartableServer } from '../support/restartableServer';
import { seedPastSession } from '../support/rosterSeed';
import { freshTotp } from '../support/totpCodes';
import { tempDir } from './notes/support/fixture';
import { consoleServices } from './support/consoleServices';

let server: RestartableServer;
let sessionId: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  server = await startRestartableServer();
  const { facilitator } = server.seed;
  sessionId = await seedPastSession(server.current()!.store, {
    title: 'Thursday IOP group',
    facilitatorId: facilitator.id,
    admittedById: facilitator.id,
    now: new Date(),
    weeksAgo: 0,
    attendance: [
      { participantRef: 'IOP-7001', displayName: 'Robin', minutes: 85, rating: { score: 4, word: 'tired' } },
      { participantRef: 'IOP-7002', displayName: null, minutes: null },
    ],
  });
});
afterAll(async () => {
  await server?.dispose();
  for (const c of cleanups) c();
});

function data<C extends keyof IpcResults>(_channel: C, result: Result<unknown>): IpcResults[C] {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.data as IpcResults[C];
}

it('pre-fills a section per client from attendance: present with minutes, or absent; offline it starts empty', async () => {
  const { dir: baseDir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const services = consoleServices();
  services.notes = new NotesService({ baseDir, keyStore: createMemoryKeyStore(), server: services.server , indexWorker: indexWorkerFromSource });
  const dispatch = createIpcDispatcher(createHandlers(services));
  const { facilitator } = server.seed;
  const signIn = await dispatch('auth:signIn', {
    serverUrl: server.httpUrl,
    username: facilitator.username,
    password: facilitator.password,
    totp: await freshTotp(facilitator.totpSecret),
  });
  expect(signIn.ok, JSON.stringify(signIn)).toBe(true);

  const note = data('notes:create', await dispatch('notes:create', { template: 'group', sessionId, serviceDate: new Date().toISOString().slice(0, 10) }));
  expect(note.body.clients).toEqual([
    // The check-in rating is offered beside the section, not written into it.
    { participantRef: 'IOP-7001', present: true, minutesPresent: 85, text: '', checkInRating: { score: 4, word: 'tired' } },
    { participantRef: 'IOP-7002', present: false, minutesPresent: 0, text: '' },
  ]);
  expect(note.body.clientRefs).toEqual(['IOP-7001', 'IOP-7002']);

  await server.stop();
  const offline = data('notes:create', await dispatch('notes:create', { template: 'group', sessionId, serviceDate: new Date().toISOString().slice(0, 10) }));
  expect(offline.body.clients).toEqual([]);
  await server.start();
  services.notes.close();
});
