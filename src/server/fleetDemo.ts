/**
 * Several real session servers (`src/server/cli.ts`, each its own process) on one PostgreSQL
 * database with one records key, seeded like the demo: `npm run demo:fleet` (fleetDemoCli.ts)
 * runs two on a laptop, and the tests use the same launcher to open a link through one server,
 * find the session on another, and kill a server outright (SIGKILL) to watch the group carry
 * on elsewhere. Without a cluster handed in, it starts a throwaway one of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '../common/freePort.js';
import { DEMO_SCRYPT, seedDemo, type DemoSeed } from './demo.js';
import { openConfiguredStore } from './store/open.js';
import { startThrowawayCluster, type Postgres } from './store/postgres/throwawayCluster.js';

export interface FleetMember {
  serverId: string;
  pid: number;
  /** Its own address (`serverUrl`), e.g. `http://127.0.0.1:41234`. */
  url: string;
  wsUrl: string;
  /** Where Prometheus reads it. */
  metricsUrl: string;
  /** What it printed so far (for a failing test's message). */
  output(): string;
  running(): boolean;
}

export interface FleetDemo {
  databaseUrl: string;
  /** The records key every member uses, and its file (what the admin command needs too). */
  recordsKey: Buffer;
  recordsKeyFile: string;
  seed: DemoSeed;
  members: FleetMember[];
  /** Kills a member at once (SIGKILL: no goodbye, no lease given up). */
  kill(n: number): Promise<void>;
  /** Stops every member and the cluster (if the fleet started it) and deletes the files. */
  dispose(): Promise<void>;
}

export interface FleetOptions {
  servers?: number;
  invitations?: number;
  /** `sessionLeaseSeconds`: how soon a dead server's sessions may be taken over. */
  leaseSeconds?: number;
  /** A cluster to make the database in; otherwise the fleet starts a throwaway one of its own. */
  postgres?: Pick<Postgres, 'createDatabase'>;
  /** Each member's HTTP port, in order; free ones by default. */
  ports?: number[];
  /** Each member's first media port (rtcPort; a worker each from there); any free by default. */
  rtcPorts?: number[];
  /** Each member's Prometheus port, in order; free ones by default. */
  metricsPorts?: number[];
  /** Extra environment for every member. */
  env?: Record<string, string>;
  /** Each piece of what a member prints, as it prints it (a demo shows its warnings). */
  echo?: (serverId: string, text: string) => void;
}

/** The session server's command line, beside this file. */
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

/** Waits until the server answers its readiness check, or fails with what it printed. */
async function ready(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not become ready:\n${output()}`);
}

export async function startFleet(options: FleetOptions = {}): Promise<FleetDemo> {
  const own = options.postgres ? undefined : await startThrowawayCluster();
  const cluster = options.postgres ?? own!;
  const dir = mkdtempSync(join(tmpdir(), 'confidant-fleet-'));
  const children: ChildProcess[] = [];
  const dispose = async (): Promise<void> => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }),
    );
    await own?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const databaseUrl = await cluster.createDatabase('fleet');
    const key = randomBytes(32);
    const keyFile = join(dir, 'records.key');
    writeFileSync(keyFile, key.toString('base64'), { mode: 0o600 });
    // Accounts, a live-able session and its invitations, as the admin command would make them.
    const store = await openConfiguredStore({ dataDir: join(dir, 'seed'), database: { url: databaseUrl } }, { recordsKey: key });
    let seed: DemoSeed;
    try {
      seed = await seedDemo(store, options.invitations ?? 3, new Date(), DEMO_SCRYPT);
    } finally {
      await store.close();
    }
    const members: FleetMember[] = [];
    for (let n = 0; n < (options.servers ?? 2); n++) {
      const port = options.ports?.[n] ?? (await freeLoopbackPort());
      const metricsPort = options.metricsPorts?.[n] ?? (await freeLoopbackPort());
      const serverId = `server-${String.fromCharCode(97 + n)}`;
      const url = `http://127.0.0.1:${port}`;
      let printed = '';
      // Node itself with tsx loaded, not tsx's launcher: SIGKILL must reach the server, not a
      // wrapper that would leave it running.
      const child = spawn(process.execPath, ['--import', 'tsx', CLI], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          CONFIDANT_LOG_LEVEL: 'warn',
          CONFIDANT_DATABASE_URL: databaseUrl,
          CONFIDANT_RECORDS_KEY_FILE: keyFile,
          CONFIDANT_DATA_DIR: join(dir, serverId),
          CONFIDANT_PORT: String(port),
          CONFIDANT_RTC_PORT: String(options.rtcPorts?.[n] ?? 0),
          CONFIDANT_WORKERS: '1',
          CONFIDANT_SERVER_ID: serverId,
          CONFIDANT_SERVER_URL: url,
          CONFIDANT_METRICS_PORT: String(metricsPort),
          CONFIDANT_SESSION_LEASE_SECONDS: String(options.leaseSeconds ?? 3),
          ...options.env,
        },
      });
      const heard = (d: Buffer): void => {
        printed += d.toString();
        options.echo?.(serverId, d.toString());
      };
      child.stdout?.on('data', heard);
      child.stderr?.on('data', heard);
      children.push(child);
      await ready(url, child, () => printed);
      members.push({
        serverId,
        pid: child.pid ?? -1,
        url,
        wsUrl: `ws://127.0.0.1:${port}/ws`,
        metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
        output: () => printed,
        running: () => child.exitCode === null && child.signalCode === null,
      });
    }
    return {
      databaseUrl,
      recordsKey: key,
      recordsKeyFile: keyFile,
      seed,
      members,
      async kill(n) {
        const child = children[n]!;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      },
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
