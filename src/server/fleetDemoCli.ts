/**
 * `npm run demo:fleet [-- --servers N]`: Confidant as a small fleet on this machine, to see
 * several session servers share one PostgreSQL database: a throwaway cluster (Debian's
 * PostgreSQL, installed by `npm run setup`), two servers by default on 127.0.0.1:4780 and
 * :4781 (their own media ports, Prometheus on 9464 and up), seeded like the demo. The links it
 * prints open through the last server and reach the session wherever it is hosted; kill the
 * host (`kill -9 PID`) and the group carries on at another within seconds. Ctrl-C stops
 * everything and deletes the cluster. Nothing here is for records that must last.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PARTICIPANT_DIR } from './config.js';
import { setLogLevel } from '../common/logger.js';
import { startFleet, type FleetDemo } from './fleetDemo.js';

const LEASE_SECONDS = 6;

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run demo:fleet [-- --servers N]   (N from 2 to 4)\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let servers = 2;
  try {
    const { values } = parseArgs({ options: { servers: { type: 'string' } }, strict: true });
    if (values.servers !== undefined) servers = Number(values.servers);
  } catch (err) {
    usage(err instanceof Error ? err.message : 'bad arguments');
  }
  if (!Number.isInteger(servers) || servers < 2 || servers > 4) usage(`invalid --servers: ${servers}`);
  if (!existsSync(join(DEFAULT_PARTICIPANT_DIR, 'index.html'))) {
    process.stderr.write('The participant page is not built yet: run `npm run build` first.\n');
    process.exit(1);
  }

  process.stderr.write('Starting a throwaway PostgreSQL cluster and the servers…\n');
  // Filled once the fleet runs; a Ctrl-C before then stops what has started (startFleet
  // cleans up after itself when it fails).
  const started: { fleet?: FleetDemo } = {};
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('\nStopping the servers and deleting the cluster…\n');
    void (started.fleet?.dispose() ?? Promise.resolve()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const fleet = await startFleet({
    servers,
    invitations: 4,
    leaseSeconds: LEASE_SECONDS,
    ports: Array.from({ length: servers }, (_, n) => 4780 + n),
    rtcPorts: Array.from({ length: servers }, (_, n) => 40000 + 100 * n),
    metricsPorts: Array.from({ length: servers }, (_, n) => 9464 + n),
    echo: (serverId, text) => process.stderr.write(text.replace(/^(?=.)/gm, `[${serverId}] `)),
  });
  started.fleet = fleet;
  const { seed, members } = fleet;
  const entry = members.at(-1)!;
  const account = (role: string, a: { username: string; password: string; totpSecret: string }) =>
    `  ${role.padEnd(12)} ${a.username} / ${a.password}  TOTP secret ${a.totpSecret}`;
  const admin = `CONFIDANT_DATABASE_URL='${fleet.databaseUrl}' CONFIDANT_RECORDS_KEY_FILE=${fleet.recordsKeyFile} CONFIDANT_DATA_DIR=/tmp/confidant-admin`;
  process.stderr.write(
    [
      '',
      `Confidant fleet: ${members.length} servers on one PostgreSQL database (a session moves after ${LEASE_SECONDS} s without its server)`,
      ...members.map((m) => `  ${m.serverId}  ${m.url}  pid ${m.pid}  metrics ${m.metricsUrl}`),
      '',
      `Console: sign in to any of them (for example ${members[0]!.url}) with`,
      account('facilitator', seed.facilitator),
      account('supervisor', seed.supervisor),
      account('admin', seed.admin),
      'No authenticator app at hand? npm run demo:code -- SECRET prints the current code.',
      '',
      `Clients (links through ${entry.serverId}; they reach the session wherever it is hosted):`,
      ...seed.invitations.map((i) => `  ${i.participantRef}  ${entry.url}/join/${i.token}  passcode ${i.passcode}`),
      '',
      'Try: kill -9 the pid of the server hosting the call, and watch the group carry on at another.',
      `Or drain one: ${admin} npm run admin -- drain ${members[0]!.serverId} --handover`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

// The servers' warnings are shown, prefixed; this process's own info lines are noise here.
if (process.env.CONFIDANT_LOG_LEVEL === undefined) setLogLevel('warn');
main().catch((err: unknown) => {
  process.stderr.write(`confidant demo:fleet: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
