/** CPU and memory of the server process and its mediasoup workers, read from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux
const PAGE = 4096;

export interface Usage {
  cpuMs: number;
  rssBytes: number;
}

/** CPU time (user + system) and resident memory of one process, from /proc. */
export function usageOf(pid: number): Usage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command: state is [0], utime [11], stime [12], rss (pages) [21].
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssBytes: Number(fields[21]) * PAGE };
}

/** The mediasoup workers: the server's child processes. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

export interface Snapshot {
  at: number;
  server: Usage;
  workers: Usage;
}

export function snapshot(serverPid: number, workerPids: number[]): Snapshot {
  const workers = workerPids.map(usageOf).reduce((a, b) => ({ cpuMs: a.cpuMs + b.cpuMs, rssBytes: a.rssBytes + b.rssBytes }), {
    cpuMs: 0,
    rssBytes: 0,
  });
  return { at: performance.now(), server: usageOf(serverPid), workers };
}
