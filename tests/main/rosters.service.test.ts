/**
 * The console's rosters channels against a real session server (in this process, stopped and
 * started again for "offline"), with the real roster cache under a key from the key store
 * the note vault uses. Past sessions are recorded through the server's own store.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIpcDispatcher, type IpcDispatcher } from '../../src/main/ipc/dispatch';
import { createHandlers, type ConsoleServices } from '../../src/main/ipc/handlers';
import { NotesService } from '../../src/main/notes/notesService';
import { indexWorkerFromSource } from '../support/indexWorkerFromSource';
import { createMemoryKeyStore } from '../../src/main/notes/vault';
import { RostersService } from '../../src/main/rosters/rostersService';
import { ROSTER_CSV_COLUMNS, type Result } from '../../src/shared/protocol';
import type { IpcResults } from '../../src/shared/ipc';
import { startRestartableServer, type RestartableServer } from '../support/restartableServer';
import { seedPastSession } from '../support/rosterSeed';
import { freshTotp } from '../support/totpCodes';
import { tempDir } from './notes/support/fixture';
import { consoleServices } from './support/consoleServices';

const TITLE = 'Tuesday evening IOP group';
const NAME_MARKER = 'Robin-Seed-Marker';

let server: RestartableServer;
let pastIds: string[];
const now = new Date();
const range = { from: new Date(now.getTime() - 5 * 7 * 86_400_000).toISOString(), to: new Date(now.getTime() + 86_400_000).toISOString() };
const cleanups: (() => void)[] = [];

interface Console {
  dispatch: IpcDispatcher;
  services: ConsoleServices;
  baseDir: string;
  saved: { name: string; text: string }[];
}

function consoleFor(): Console {
  const { dir: baseDir, cleanup } = tempDir();
  cleanups.push(cleanup);
  // The console as main builds it, with the vault and the roster cache in a directory this
  // test can look into, under one key store as in main.
  const services = consoleServices();
  const keyStore = createMemoryKeyStore();
  const saved: { name: string; text: string }[] = [];
  services.notes = new NotesService({ baseDir, keyStore, server: services.server , indexWorker: indexWorkerFromSource });
  services.rosters = new RostersService({ baseDir, keyStore, server: services.server });
  services.files = {
    saveText: async (name, text) => {
      saved.push({ name, text });
      return `/exports/${name}`;
    },
  };
  return { dispatch: createIpcDispatcher(createHandlers(services)), services, baseDir, saved };
}

async function signedIn(who: 'supervisor' | 'facilitator'): Promise<Console> {
  const c = consoleFor();
  const account = server.seed[who];
  const result = await c.dispatch('auth:signIn', {
    serverUrl: server.httpUrl,
    username: account.username,
    password: account.password,
    totp: await freshTotp(account.totpSecret),
  });
  expect(result.ok, JSON.stringify(result)).toBe(true);
  return c;
}

function data<C extends keyof IpcResults>(_channel: C, result: Result<unknown>): IpcResults[C] {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.data as IpcResults[C];
}

beforeAll(async () => {
  server = await startRestartableServer();
  const store = server.current()!.store;
  const { facilitator } = server.seed;
  const [ref1, ref2] = server.seed.invitations.map((i) => i.participantRef) as [string, string];
  pastIds = [
    await seedPastSession(store, {
      title: TITLE,
      facilitatorId: facilitator.id,
      admittedById: facilitator.id,
      now,
      weeksAgo: 2,
      attendance: [
        { participantRef: ref1, displayName: NAME_MARKER, minutes: 50 },
        { participantRef: ref2, displayName: null, minutes: null },
      ],
    }),
    await seedPastSession(store, {
      title: TITLE,
      facilitatorId: facilitator.id,
      admittedById: facilitator.id,
      now,
      weeksAgo: 1,
      attendance: [
        { participantRef: ref1, displayName: NAME_MARKER, minutes: 80 },
        { participantRef: ref2, displayName: 'Sam', minutes: 30 },
      ],
    }),
  ];
});

afterAll(async () => {
  await server?.dispose();
  for (const c of cleanups) c();
});

describe('rosters in the console, against a real server', () => {
  let supervisor: Console;
  let listFetchedAt: string;
  let rosterFetchedAt: string;

  it('lists the sessions a supervisor may see with their figures, and opens one with names', async () => {
    supervisor = await signedIn('supervisor');
    const list = data('rosters:list', await supervisor.dispatch('rosters:list', range));
    expect(list.offline).toBe(false);
    listFetchedAt = list.fetchedAt;
    expect(list.data.map((s) => s.session.id)).toEqual([...pastIds, server.seed.sessionId]);
    expect(list.data[1]).toMatchObject({ facilitatorName: 'Dr. Ana Demo', invited: 2, attended: 2, removed: 0, minutesPresentTotal: 110 });
    expect(list.data[0]).toMatchObject({ invited: 2, attended: 1, minutesPresentTotal: 50 });

    const roster = data('rosters:get', await supervisor.dispatch('rosters:get', { sessionId: pastIds[0] }));
    rosterFetchedAt = roster.fetchedAt;
    expect(roster.offline).toBe(false);
    expect(roster.data.session).toMatchObject({ id: pastIds[0], title: TITLE });
    expect(roster.data.facilitatorName).toBe('Dr. Ana Demo');
    expect(roster.data.entries.map((e) => [e.participantRef, e.displayName, e.admittedBy, e.minutesPresent, e.status])).toEqual([
      ['IOP-1042', NAME_MARKER, 'Dr. Ana Demo', 50, 'left'],
      ['IOP-1043', null, null, 0, 'absent'],
    ]);
  });

  it('finds the session itself when a roster is opened before any list', async () => {
    const rosters = new RostersService({ baseDir: supervisor.baseDir, keyStore: createMemoryKeyStore(), server: supervisor.services.server });
    const roster = await rosters.get(pastIds[1]!);
    expect(roster.data.session.title).toBe(TITLE);
    expect(roster.data.facilitatorName).toBe('Dr. Ana Demo');
    await expect(rosters.get('no-such-session')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("shows a client's weeks against a target the supervisor sets", async () => {
    const set = await supervisor.dispatch('attendance:setTarget', { participantRef: 'IOP-1042', hoursPerWeek: 1.5 });
    expect(set).toMatchObject({ ok: true, data: { targetHoursPerWeek: 1.5 } });
    const history = data('attendance:client', await supervisor.dispatch('attendance:client', { participantRef: 'IOP-1042', ...range }));
    expect(history.offline).toBe(false);
    expect(history.data.targetHoursPerWeek).toBe(1.5);
    expect(history.data.weeks.map((w) => w.minutesPresent).filter((m) => m > 0)).toEqual([50, 80]);
    const bad = await supervisor.dispatch('attendance:setTarget', { participantRef: 'IOP-1042', hoursPerWeek: 200 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('exports the server’s CSV where the clinician chooses, on the audit trail, which verifies', async () => {
    const result = data('rosters:exportCsv', await supervisor.dispatch('rosters:exportCsv', { sessionId: pastIds[1] }));
    expect(supervisor.saved).toHaveLength(1);
    const [saved] = supervisor.saved;
    expect(result.path).toBe(`/exports/${saved!.name}`);
    expect(saved!.name).toMatch(/^roster-\d{4}-\d{2}-\d{2}-tuesday-evening-iop-group\.csv$/);
    const lines = saved!.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(ROSTER_CSV_COLUMNS.join(','));
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2))).toEqual([
      ['IOP-1042', NAME_MARKER],
      ['IOP-1043', 'Sam'],
    ]);

    const audit = data('audit:list', await supervisor.dispatch('audit:list', { sessionId: pastIds[1] }));
    expect(audit.map((e) => [e.event, e.actorId])).toContainEqual(['roster.exported', server.seed.supervisor.id]);
    const verified = data('audit:verify', await supervisor.dispatch('audit:verify', {}));
    expect(verified).toMatchObject({ ok: true });
  });

  it('offline, serves the copies it saved with when they were fetched, and says what it has not got', async () => {
    await server.stop();
    try {
      const list = data('rosters:list', await supervisor.dispatch('rosters:list', range));
      expect(list).toMatchObject({ offline: true, fetchedAt: listFetchedAt });
      expect(list.data.map((s) => s.session.id)).toEqual([...pastIds, server.seed.sessionId]);
      const roster = data('rosters:get', await supervisor.dispatch('rosters:get', { sessionId: pastIds[0] }));
      expect(roster).toMatchObject({ offline: true, fetchedAt: rosterFetchedAt });
      expect(roster.data.entries[0]).toMatchObject({ displayName: NAME_MARKER, minutesPresent: 50 });

      const never = await supervisor.dispatch('rosters:get', { sessionId: server.seed.sessionId });
      expect(never).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND', message: expect.stringContaining('No copy of this roster'), reason: 'offline-no-roster' },
      });
      const exported = await supervisor.dispatch('rosters:exportCsv', { sessionId: pastIds[0] });
      expect(exported).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('audit trail'), reason: 'export-needs-server' } });
    } finally {
      await server.start();
    }
  });

  it('keeps no client detail in the clear in its cache file', () => {
    const dir = join(supervisor.baseDir, 'vaults');
    const files = readdirSync(dir).filter((f) => f.startsWith('rosters-'));
    expect(files.length).toBeGreaterThan(0);
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
    for (const marker of [NAME_MARKER, 'IOP-1042', TITLE, 'Dr. Ana Demo', pastIds[0]!, 'Sam']) {
      expect(bytes.includes(Buffer.from(marker)), `"${marker}" in the cache file`).toBe(false);
    }
  });

  it('a refusal is the server’s word: no fallback to the copy, which is forgotten', async () => {
    const store = server.current()!.store;
    const { supervisor: sup, facilitator } = server.seed;
    await store.clinicians.removeSupervision(sup.id, facilitator.id);
    try {
      const refused = await supervisor.dispatch('rosters:get', { sessionId: pastIds[0] });
      expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      await server.stop();
      const offline = await supervisor.dispatch('rosters:get', { sessionId: pastIds[0] });
      expect(offline).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringContaining('No copy') } });
    } finally {
      if (!server.current()) await server.start();
      await server.current()!.store.clinicians.addSupervision(sup.id, facilitator.id);
    }
  });

  it('signing out closes the cache', async () => {
    expect(supervisor.services.rosters.cacheOpen()).toBe(true);
    await supervisor.dispatch('auth:signOut', {});
    expect(supervisor.services.rosters.cacheOpen()).toBe(false);
    expect(await supervisor.dispatch('rosters:list', range)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('a facilitator sees their own rosters but not the audit trail', async () => {
    const facilitator = await signedIn('facilitator');
    const list = data('rosters:list', await facilitator.dispatch('rosters:list', range));
    expect(list.data).toHaveLength(3);
    expect(await facilitator.dispatch('audit:verify', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await facilitator.dispatch('auth:signOut', {});
  });
});
