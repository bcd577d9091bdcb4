/**
 * The session server of bench/join.ts, in a process of its own: demo mode with no invitations;
 * the driver asks for live sessions of the demo facilitator with fresh invitations before each
 * round (untimed), so every burst is a group opening its links for the first time.
 *
 * Its store: JOIN_DATABASE_URL, a PostgreSQL server the demo makes a fresh database of its own
 * on; SQLite when it is empty or absent (whatever CONFIDANT_DATABASE_URL says, so the SQLite
 * figures stay SQLite's).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { setLogLevel } from '../../src/common/logger.js';
import { startDemo } from '../../src/server/demo.js';
import { seedGroups } from '../loadGroups.js';
import type { DriverToJoinServer, JoinServerToDriver } from './joinMessages.js';

setLogLevel('warn');

const demo = await startDemo({ invitations: 0, databaseUrl: process.env['JOIN_DATABASE_URL'] ?? '' });

// BENCH_PROFILE=FILE: a CPU profile of this server over the whole run, written to FILE at the end.
const profileFile = process.env['BENCH_PROFILE'];
const inspector = profileFile ? new Session() : undefined;
if (inspector) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.start');
}
const send = (m: JoinServerToDriver): void => {
  process.send?.(m);
};
send({
  type: 'ready',
  pid: process.pid,
  httpUrl: demo.info.httpUrl,
  wsUrl: demo.info.wsUrl,
  facilitator: { username: demo.info.facilitator.username, password: demo.info.facilitator.password, totpSecret: demo.info.facilitator.totpSecret ?? '' },
});
process.on('message', async (raw) => {
  const m = raw as DriverToJoinServer;
  try {
    send({ type: 'seeded', groups: await seedGroups(demo.server, m.groups, m.clients) });
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
const stop = (): void => {
  const profiled = inspector
    ? inspector.post('Profiler.stop').then(({ profile }) => writeFileSync(profileFile!, JSON.stringify(profile)))
    : Promise.resolve();
  profiled.then(() => demo.close()).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
