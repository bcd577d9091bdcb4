/**
 * A throwaway PostgreSQL cluster: Debian's own server binaries (package `postgresql`,
 * installed by `npm run setup`), a fresh `initdb` in a temporary folder, started on a free
 * loopback port with password authentication, stopped and deleted afterwards (and when the
 * process exits, however it exits). The fleet demo (`npm run demo:fleet`) runs on one; so do
 * the tests (tests/support/postgres.ts), which talk to it over TCP as a deployment would.
 * Never for records that must last: fsync is off.
 *
 * PostgreSQL refuses to run as root, and CI runs as root: there the cluster belongs to the
 * unprivileged `nobody` account, and every server command runs under it (setpriv).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freeLoopbackPort } from '../../../common/freePort.js';

const run = promisify(execFile);

/** How to reach a cluster (what a test run's shared cluster is handed to its tests as). */
export interface PostgresAccess {
  /** A connection string for the cluster's superuser over 127.0.0.1 (password included). */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface Postgres extends PostgresAccess {
  /** The server's log so far (for a failing start's or test's message). */
  log(): string;
  /**
   * Stops the server (fast shutdown: sessions are ended, as an administrator's restart
   * would) and keeps its data, port and password, for `startServer`.
   */
  stopServer(): Promise<void>;
  /** Starts the stopped server again on the same port and data. */
  startServer(): Promise<void>;
  /** Creates an empty database in the cluster; resolves to its connection string. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server at once and deletes the cluster. */
  stop(): Promise<void>;
}

/** The unprivileged account a root process hands the cluster to (nobody:nogroup). */
const UNPRIVILEGED = { uid: 65534, gid: 65534 };

/** Debian keeps each major version's server programs in /usr/lib/postgresql/N/bin; the newest wins. */
export function postgresBinDir(): string {
  const fromEnv = process.env.CONFIDANT_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error('PostgreSQL server programs not found in /usr/lib/postgresql/*/bin: run `npm run setup` (Debian package postgresql)');
  }
  return join(root, versions[0]!, 'bin');
}

export async function startThrowawayCluster(): Promise<Postgres> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'confidant-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const passwordFile = join(dir, 'password');
  const user = 'confidant';
  const password = randomBytes(18).toString('base64url');
  writeFileSync(passwordFile, password, { mode: 0o600 });
  if (asRoot) {
    chownSync(dir, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
    chownSync(passwordFile, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
  }
  const server = (program: string, args: string[]) =>
    asRoot
      ? run('setpriv', [`--reuid=${UNPRIVILEGED.uid}`, `--regid=${UNPRIVILEGED.gid}`, '--clear-groups', join(bin, program), ...args], { cwd: dir })
      : run(join(bin, program), args, { cwd: dir });

  const readLog = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  try {
    // Password authentication even on loopback, as a deployment's server would ask for one.
    await server('initdb', ['-D', dataDir, '-U', user, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  // fsync off: a throwaway cluster need not survive a power cut, and it runs faster.
  const startOn = (port: number) =>
    server('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`, 'start']);

  let port: number;
  for (let attempt = 0; ; attempt++) {
    port = await freeLoopbackPort();
    try {
      await startOn(port);
      break;
    } catch (err) {
      // Another process took the port between the probe and the start: try another.
      if (attempt < 3 && /could not bind|Address already in use/.test(readLog())) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`PostgreSQL did not start: ${String(err)}\n${readLog()}`, { cause: err });
    }
  }

  let stopped = false;
  // A process that ends without stopping its cluster (a crash, a killed run) still takes the
  // server down with it, so no stray PostgreSQL outlives it.
  const stopAtExit = (): void => {
    if (stopped) return;
    try {
      execFileSync(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop'], {
        stdio: 'ignore',
        ...(asRoot ? { uid: UNPRIVILEGED.uid, gid: UNPRIVILEGED.gid } : {}),
      });
    } catch {
      // Already down.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopAtExit);
  const urlOf = (database: string): string => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    url: urlOf('postgres'),
    host: '127.0.0.1',
    port,
    user,
    password,
    log: readLog,
    async stopServer() {
      await server('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
    async startServer() {
      await startOn(port);
    },
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: urlOf('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return urlOf(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', stopAtExit);
      try {
        await server('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } catch (err) {
        // Left stopped by stopServer() is fine; anything else is worth hearing about.
        if (!/Is server running\?/.test(String(err))) throw err;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
