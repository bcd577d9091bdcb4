/**
 * Child processes for bench/capacity.ts: starting one on chosen cores (`taskset -c`, so that
 * every thread and child it makes, mediasoup's worker included, stays there), talking to it
 * over IPC, and reading what the kernel says about its CPU and about each core.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Whether `taskset` (util-linux) is on PATH. */
export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A bench script (path relative to bench/support) in Node with tsx, on `cpus` ("0", "1",
 * "0,1") or anywhere, at niceness `nice` (every thread and child inherits both).
 */
export function startScript(script: string, args: string[], options: { cpus?: string; nice?: number; execArgv?: string[] } = {}): ChildProcess {
  const file = fileURLToPath(new URL(script, import.meta.url));
  let command = [process.execPath, ...(options.execArgv ?? []), '--import', 'tsx', file, ...args];
  if (options.cpus !== undefined) command = ['taskset', '-c', options.cpus, ...command];
  if (options.nice !== undefined) command = ['nice', '-n', String(options.nice), ...command];
  return spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Messages from a child, waited for by type. */
export class Inbox<M extends { type: string }> {
  private readonly queue: M[] = [];
  private waiters: { type: string; resolve: (m: M) => void }[] = [];
  private exited: Error | undefined;

  constructor(
    readonly child: ChildProcess,
    readonly name: string,
  ) {
    child.on('message', (raw) => {
      const m = raw as M;
      const i = this.waiters.findIndex((w) => w.type === m.type);
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        w!.resolve(m);
      } else this.queue.push(m);
    });
    child.once('exit', (code, signal) => {
      this.exited = new Error(`${name} exited (${code ?? signal})`);
    });
  }

  send(m: unknown): void {
    this.child.send(m as Parameters<ChildProcess['send']>[0]);
  }

  /** The next message of `type` (one that came already, or the next to come). */
  next<T extends M['type']>(type: T, timeoutMs = 120_000): Promise<Extract<M, { type: T }>> {
    const i = this.queue.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0] as Extract<M, { type: T }>);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no ${type} within ${timeoutMs} ms`)), timeoutMs);
      const onExit = (): void => {
        clearTimeout(timer);
        reject(this.exited ?? new Error(`${this.name} exited`));
      };
      this.child.once('exit', onExit);
      this.waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          this.child.off('exit', onExit);
          resolve(m as Extract<M, { type: T }>);
        },
      });
    });
  }

  /** Waits up to `graceMs` for the child to exit by itself, then sends SIGTERM. */
  async stop(graceMs = 0): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const timer = setTimeout(() => this.child.kill('SIGTERM'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ

/** CPU time of one process so far (every thread), user and system, in ms. */
export function cpuOf(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime is [11], stime [12].
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1000) / TICKS_PER_SECOND, system: (Number(fields[12]) * 1000) / TICKS_PER_SECOND };
}

/** CPU time (user + system, every thread) of one process so far, in ms. */
export function cpuMsOf(pid: number): number {
  const { user, system } = cpuOf(pid);
  return user + system;
}

/** The cores a process may run on, as the kernel lists them ("0", "0-1"). */
export function allowedCpus(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '?';
}

/**
 * Each core's jiffies so far, from /proc/stat: busy (all but idle and iowait), of which
 * interrupts (irq and softirq: the kernel's network stack, loopback delivery included, which
 * no process is charged for), and the total.
 */
export function coreTimes(): { busy: number; irq: number; total: number }[] {
  const cores: { busy: number; irq: number; total: number }[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().split(/\s+/).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    cores[Number(m[1])] = { busy: total - v[3]! - v[4]!, irq: v[5]! + v[6]!, total };
  }
  return cores;
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/**
 * The kernel's softirq threads (ksoftirqd/N): where the network stack's work goes when a core
 * has more of it than the interrupt path takes, counted as their system time, not as
 * interrupts.
 */
export function softirqThreads(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('ksoftirqd/')) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
