/**
 * The processes bench/join.ts measures and measures against: a session server on SQLite, one
 * on PostgreSQL (a throwaway cluster of its own, tests/support/postgres.ts; skipped with
 * BENCH_POSTGRES=0), the echo server, and the clients process; and their stopping, every one,
 * whatever happened.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { signIn } from '../../tests/server/support/signIn.js';
import { startPostgres, type Postgres } from '../../tests/support/postgres.js';
import { childrenOf } from '../loadUsage.js';
import { nextMessage } from './ipc.js';
import type { EchoToDriver, JoinServerToDriver } from './joinMessages.js';

/**
 * A child running `script` under tsx, in one process: node itself with tsx's loader (not the
 * tsx command, whose wrapper process would stand between the IPC channel and the script), so a
 * child hears its driver go (`disconnect`) and a signal reaches the script.
 */
function spawnTs(script: string, env: Record<string, string> = {}): ChildProcess {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // A send to a child that has gone: its exit has already failed whatever waits on it (ipc.ts).
  child.on('error', () => undefined);
  return child;
}

/** A session server ready for bursts: its process, its addresses and the demo facilitator's token. */
export interface ProductServer {
  name: 'sqlite' | 'pg';
  child: ChildProcess;
  pid: number;
  httpUrl: string;
  wsUrl: string;
  token: string;
  /** CPU so far of the database's own processes (PostgreSQL's); absent for SQLite, in the server. */
  databaseCpuMs?: () => number;
}

export interface EchoTarget {
  name: 'echo';
  child: ChildProcess;
  pid: number;
  url: string;
}

export interface JoinProcesses {
  products: ProductServer[];
  echo: EchoTarget;
  clients: ChildProcess;
  /** Stops every process and the cluster; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * CPU (user + system) of a PostgreSQL cluster: the postmaster, the children it has reaped (the
 * backends of closed connections) and the children alive now (backends, background workers).
 */
function clusterCpuMs(postmasterPid: number): number {
  const ticks = (pid: number, withReaped: boolean): number => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the command: utime [11], stime [12], cutime [13], cstime [14].
      return Number(f[11]) + Number(f[12]) + (withReaped ? Number(f[13]) + Number(f[14]) : 0);
    } catch {
      return 0; // gone meanwhile: the postmaster's cutime has it now
    }
  };
  const all = ticks(postmasterPid, true) + childrenOf(postmasterPid).reduce((sum, pid) => sum + ticks(pid, false), 0);
  return all * 10; // 100 ticks a second on Linux, as loadUsage.ts reads them
}

/** The postmaster's pid, from the postmaster.pid file in the cluster's data directory. */
async function postmasterPidOf(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ setting: string }>(`SELECT setting FROM pg_settings WHERE name = 'data_directory'`);
    return Number(readFileSync(join(rows[0]!.setting, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } finally {
    await client.end();
  }
}

async function readyProduct(name: ProductServer['name'], child: ChildProcess, databaseCpuMs?: () => number): Promise<ProductServer> {
  const ready = await nextMessage<JoinServerToDriver & { type: 'ready' }>(child, 'ready');
  const token = await signIn(ready.httpUrl, ready.facilitator.username, ready.facilitator.password, ready.facilitator.totpSecret);
  return { name, child, pid: ready.pid, httpUrl: ready.httpUrl, wsUrl: ready.wsUrl, token, ...(databaseCpuMs ? { databaseCpuMs } : {}) };
}

/** Starts everything; on a failure, stops what it started before rethrowing. */
export async function startJoinProcesses(withPostgres: boolean): Promise<JoinProcesses> {
  const children: ChildProcess[] = [];
  let cluster: Postgres | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // The servers first: the PostgreSQL one drops its database on the cluster as it stops.
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.all(
        children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())),
      );
      await cluster?.stop();
    })());
  try {
    const spawn = (script: string, env?: Record<string, string>): ChildProcess => {
      const child = spawnTs(script, env);
      children.push(child);
      return child;
    };
    const echo = spawn('./echoServer.ts');
    const clients = spawn('./joinClients.ts');
    // Listening for their `ready` from the start, and awaited only once the cluster is up.
    const echoReady = nextMessage<EchoToDriver>(echo, 'ready');
    const products = [readyProduct('sqlite', spawn('./joinServer.ts', { JOIN_DATABASE_URL: '' }))];
    for (const p of [echoReady, ...products]) p.catch(() => undefined);
    if (withPostgres) {
      cluster = await startPostgres().catch((err: unknown) => {
        throw new Error(`no PostgreSQL cluster (BENCH_POSTGRES=0 runs the bench without it): ${String(err)}`, { cause: err });
      });
      const postmaster = await postmasterPidOf(cluster.url);
      products.push(readyProduct('pg', spawn('./joinServer.ts', { JOIN_DATABASE_URL: cluster.url }), () => clusterCpuMs(postmaster)));
    }
    const { pid, url } = await echoReady;
    return { products: await Promise.all(products), echo: { name: 'echo', child: echo, pid, url }, clients, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
