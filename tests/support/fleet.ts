/**
 * Several real session servers (`src/server/cli.ts`, each its own process) on one PostgreSQL
 * database with one records key, seeded like the demo: what a test needs to open a link
 * through one server, find the session on another, and kill a server outright (SIGKILL) to
 * watch the group carry on elsewhere. Used by the server suite (vitest) and the end-to-end
 * suite (Playwright), so it starts its own cluster when it is not handed one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_SCRYPT, seedDemo, type DemoSeed } from '../../src/server/demo';
import { openConfiguredStore } from '../../src/server/store/open';
import { freePort } from './freePort';
import { startPostgres, type RunPostgres } from './postgres';

export interface FleetMember {
  serverId: string;
  /** Its own address (`serverUrl`), e.g. `http://127.0.0.1:41234`. */
  url: string;
  wsUrl: string;
  /** Where Prometheus reads it. */
  metricsUrl: string;
  /** What it printed so far (for a failing test's message). */
  output(): string;
  running(): boolean;
}

export interface Fleet {
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
  /** The run's cluster when the caller has one; otherwise the fleet starts its own. */
  postgres?: RunPostgres;
  /** Extra environment for every member. */
  env?: Record<string, string>;
}

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

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const own = options.postgres ? undefined : await startPostgres();
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
      const [port, metricsPort] = [await freePort(), await freePort()];
      const serverId = `server-${String.fromCharCode(97 + n)}`;
      const url = `http://127.0.0.1:${port}`;
      let printed = '';
      // Node itself with tsx loaded, not tsx's launcher: SIGKILL must reach the server, not a
      // wrapper that would leave it running.
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          CONFIDANT_LOG_LEVEL: 'warn',
          CONFIDANT_DATABASE_URL: databaseUrl,
          CONFIDANT_RECORDS_KEY_FILE: keyFile,
          CONFIDANT_DATA_DIR: join(dir, serverId),
          CONFIDANT_PORT: String(port),
          CONFIDANT_RTC_PORT: '0',
          CONFIDANT_WORKERS: '1',
          CONFIDANT_SERVER_ID: serverId,
          CONFIDANT_SERVER_URL: url,
          CONFIDANT_METRICS_PORT: String(metricsPort),
          CONFIDANT_SESSION_LEASE_SECONDS: String(options.leaseSeconds ?? 3),
          ...options.env,
        },
      });
      child.stdout?.on('data', (d: Buffer) => (printed += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (printed += d.toString()));
      children.push(child);
      await ready(url, child, () => printed);
      members.push({
        serverId,
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
