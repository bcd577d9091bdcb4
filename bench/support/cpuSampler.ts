/**
 * Where a machine's cores go, for the browser benches' `BENCH_CPU=1`: every process's CPU time
 * (user + system) read from /proc every `everyMs` in this process, and each thread's in
 * Chromium's renderers (their main thread against the rest), so a bench can say, for a window
 * of its choosing (the first-frame bench's: the 400 ms after each admit), how busy the cores
 * were and who kept them busy. The reads cost this process a few ms of CPU a tick: for
 * finding where time goes, never for figures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { chromiumTypeOf, statOf } from './treeCpu';

interface Sample {
  /** Epoch ms. */
  at: number;
  /** CPU ms so far by pid, and by `pid/main` for a renderer's main thread. */
  cpuMs: Map<string, number>;
}

/** A process's role, from its command line: Chromium's processes by their type, the rest by what they run. */
function roleOf(pid: number, self: number): string {
  if (pid === self) return 'bench driver';
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return 'other';
  }
  const program = cmdline.split(' ')[0] ?? '';
  if (cmdline.includes('mediasoup-worker')) return 'mediasoup worker';
  if (/chrom/.test(program)) return `chromium ${chromiumTypeOf(cmdline)}`;
  if (/node/.test(program)) return 'node (session server, bare server)';
  return 'other';
}

export interface WindowUsage {
  /** Milliseconds of CPU in the window, by process. */
  processes: { pid: number; role: string; cpuMs: number; mainThreadMs?: number }[];
  /** The window's length. */
  ms: number;
}

export class CpuSampler {
  private readonly samples: Sample[] = [];
  private readonly roles = new Map<number, string>();
  private readonly timer: NodeJS.Timeout;

  constructor(everyMs = 100) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    const cpuMs = new Map<string, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const stat = statOf(`/proc/${pid}/stat`);
      if (!stat) continue;
      if (!this.roles.has(pid)) this.roles.set(pid, roleOf(pid, process.pid));
      cpuMs.set(entry, stat.cpuMs);
      // A renderer's main thread is the thread with the process's own id.
      if (this.roles.get(pid) === 'chromium renderer') {
        const main = statOf(`/proc/${pid}/task/${pid}/stat`);
        if (main) cpuMs.set(`${pid}/main`, main.cpuMs);
      }
    }
    this.samples.push({ at: Date.now(), cpuMs });
  }

  /** The processes of `role` alive at the last sample. */
  alive(role: string): Set<number> {
    const last = this.samples[this.samples.length - 1];
    return new Set([...(last?.cpuMs.keys() ?? [])].filter((k) => !k.includes('/')).map(Number).filter((pid) => this.roles.get(pid) === role));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** CPU by process between the samples nearest `from` and `to` (epoch ms), the biggest first. */
  usage(from: number, to: number): WindowUsage {
    const first = [...this.samples].reverse().find((s) => s.at <= from) ?? this.samples[0]!;
    const last = this.samples.find((s) => s.at >= to) ?? this.samples[this.samples.length - 1]!;
    const processes: WindowUsage['processes'] = [];
    for (const [key, end] of last.cpuMs) {
      if (key.includes('/')) continue;
      const cpuMs = end - (first.cpuMs.get(key) ?? 0);
      if (cpuMs <= 0) continue;
      const pid = Number(key);
      const main = last.cpuMs.get(`${key}/main`);
      processes.push({
        pid,
        role: this.roles.get(pid) ?? 'other',
        cpuMs,
        ...(main !== undefined ? { mainThreadMs: main - (first.cpuMs.get(`${key}/main`) ?? 0) } : {}),
      });
    }
    return { processes: processes.sort((a, b) => b.cpuMs - a.cpuMs), ms: last.at - first.at };
  }
}
