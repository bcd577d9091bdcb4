/**
 * The CPU time of a browser and all its processes, from /proc (Linux): shared by the benches
 * that weigh what the browser spends (bench/e2eeCpu.ts, bench/blur.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

export interface Proc {
  ppid: number;
  cpuMs: number;
  type: string;
}

/**
 * A process's (or, given `/proc/PID/task/TID/stat`, a thread's) parent and CPU time so far
 * (user + system); undefined when it is gone.
 */
export function statOf(path: string): { ppid: number; cpuMs: number } | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** A Chromium process's type from its command line (`renderer`, `gpu-process`, `utility:…`); `browser` when it has none. */
export function chromiumTypeOf(cmdline: string): string {
  const type = /--type=([a-z-]+)/.exec(cmdline)?.[1] ?? 'browser';
  const sub = /--utility-sub-type=([\w.]+)/.exec(cmdline)?.[1];
  return sub ? `${type}:${sub.replace(/\.mojom\./, '.')}` : type;
}

/** Every process now, with its parent, CPU time so far and Chromium process type. */
function processes(): Map<number, Proc> {
  const all = new Map<number, Proc>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(`/proc/${entry}/stat`);
    if (!stat) continue;
    try {
      all.set(Number(entry), { ...stat, type: chromiumTypeOf(readFileSync(`/proc/${entry}/cmdline`, 'utf8')) });
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/** CPU time so far of `root` and all its descendants, by pid. */
export function treeCpu(root: number): Map<number, Proc> {
  const all = processes();
  const tree = new Map<number, Proc>();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    const p = all.get(pid);
    if (!p) continue;
    tree.set(pid, p);
    for (const [child, c] of all) if (c.ppid === pid) queue.push(child);
  }
  return tree;
}

/** CPU ms per second of the tree between two readings, in all and by process type. */
export function cpuRate(before: Map<number, Proc>, after: Map<number, Proc>, seconds: number): { total: number; byType: Map<string, number> } {
  const byType = new Map<string, number>();
  let total = 0;
  for (const [pid, p] of after) {
    const ms = (p.cpuMs - (before.get(pid)?.cpuMs ?? 0)) / seconds;
    total += ms;
    byType.set(p.type, (byType.get(p.type) ?? 0) + ms);
  }
  return { total, byType };
}

