/**
 * A throwaway PostgreSQL cluster for the tests: Debian's own server binaries (package
 * `postgresql`, installed by scripts/setup.sh), a fresh `initdb` in a temporary folder,
 * started on a free loopback port, stopped and deleted afterwards. Nothing is mocked: the
 * tests talk to a real server over TCP with a password, as a deployment would.
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
import { freePort } from './freePort';

const run = promisify(execFile);

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's one cluster (postgresRun.ts). */
    postgres: PostgresAccess;
  }
}

/** How to reach a cluster: what the run's cluster is handed to tests as (postgresRun.ts). */
export interface PostgresAccess {
  /** A connection string for the cluster's superuser over 127.0.0.1 (password included). */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface Postgres extends PostgresAccess {
  /** The server's log so far, for a failing test's message. */
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

/** The unprivileged account a root test run hands the cluster to (nobody:nogroup). */
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

export async function startPostgres(): Promise<Postgres> {
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

  // fsync off: a throwaway cluster need not survive a power cut, and the tests run faster.
  const startOn = (port: number) =>
    server('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`, 'start']);

  let port: number;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
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
  // A test process that ends without stopping its cluster (a crash, a killed run) still
  // takes the server down with it, so no stray PostgreSQL outlives the suite.
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

/** Connection strings to `database` on the cluster `access` names. */
const urlOn = (access: PostgresAccess, database: string): string =>
  `postgres://${access.user}:${encodeURIComponent(access.password)}@${access.host}:${access.port}/${database}`;

/**
 * The run's one cluster (postgresRun.ts) when the run has one, else a cluster of the test's
 * own. A test given the run's cluster shares it: its databases get a unique suffix, and its
 * `stop()` leaves the cluster running. Tests that stop and start the server itself (outages)
 * use `startPostgres()`.
 */
export type RunPostgres = Pick<Postgres, keyof PostgresAccess | 'createDatabase' | 'stop'>;

export async function runPostgres(): Promise<RunPostgres> {
  const { inject } = await import('vitest');
  let shared: PostgresAccess | undefined;
  try {
    shared = inject('postgres');
  } catch {
    shared = undefined;
  }
  if (!shared) return startPostgres();
  const access = shared;
  return {
    ...access,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const unique = `${name}_${randomBytes(4).toString('hex')}`;
      const client = new pg.Client({ connectionString: urlOn(access, 'postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${unique}`);
      } finally {
        await client.end();
      }
      return urlOn(access, unique);
    },
    stop: async () => undefined,
  };
}
