/**
 * Where a machine's cores go, for the browser benches' `BENCH_CPU=1`: every process's CPU time
 * (user + system) read from /proc every `everyMs` in this process, and each thread's in
 * Chromium's renderers (their main thread against the rest), so a bench can say, for a window
 * of its choosing (the first-frame bench's: the 400 ms after each admit), how busy the cores
 * were and who kept them busy. The reads cost this process a few ms of CPU a tick: for
 * finding where time goes, never for figures.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** A process as a bench names it: what it is, from its command line. */
export interface ProcessRole {
  pid: number;
  role: string;
}

interface Sample {
  /** Epoch ms. */
  at: number;
  /** CPU ticks by pid, and by `pid/main` for a renderer's main thread. */
  ticks: Map<string, number>;
}

function ticksOf(statPath: string): number | undefined {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined; // gone meanwhile
  }
}

/** A process's role, from its command line: Chromium's processes by their `--type`, the rest by what they run. */
function roleOf(pid: number, self: number): string {
  if (pid === self) return 'bench driver';
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return 'other';
  }
  if (cmdline.includes('mediasoup-worker')) return 'mediasoup worker';
  if (/chrom/.test(cmdline.split(' ')[0] ?? '')) {
    const type = /--type=(\S+)/.exec(cmdline)?.[1];
    return type ? `chromium ${type}` : 'chromium browser';
  }
  if (/node/.test(cmdline.split(' ')[0] ?? '')) return 'node (session server, bare server)';
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
    const ticks = new Map<string, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const total = ticksOf(`/proc/${pid}/stat`);
      if (total === undefined) continue;
      if (!this.roles.has(pid)) this.roles.set(pid, roleOf(pid, process.pid));
      ticks.set(entry, total);
      // A renderer's main thread is the thread with the process's own id.
      if (this.roles.get(pid) === 'chromium renderer') {
        const main = ticksOf(`/proc/${pid}/task/${pid}/stat`);
        if (main !== undefined) ticks.set(`${pid}/main`, main);
      }
    }
    this.samples.push({ at: Date.now(), ticks });
  }

  /** The processes of `role` alive at the last sample. */
  alive(role: string): Set<number> {
    const last = this.samples[this.samples.length - 1];
    return new Set([...(last?.ticks.keys() ?? [])].filter((k) => !k.includes('/')).map(Number).filter((pid) => this.roles.get(pid) === role));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** CPU by process between the samples nearest `from` and `to` (epoch ms), the biggest first. */
  usage(from: number, to: number): WindowUsage {
    const first = [...this.samples].reverse().find((s) => s.at <= from) ?? this.samples[0]!;
    const last = this.samples.find((s) => s.at >= to) ?? this.samples[this.samples.length - 1]!;
    const ms = (ticks: number): number => (ticks * 1000) / TICKS_PER_SECOND;
    const processes: WindowUsage['processes'] = [];
    for (const [key, end] of last.ticks) {
      if (key.includes('/')) continue;
      const cpu = end - (first.ticks.get(key) ?? 0);
      if (cpu <= 0) continue;
      const pid = Number(key);
      const main = last.ticks.get(`${key}/main`);
      processes.push({
        pid,
        role: this.roles.get(pid) ?? 'other',
        cpuMs: ms(cpu),
        ...(main !== undefined ? { mainThreadMs: ms(main - (first.ticks.get(`${key}/main`) ?? 0)) } : {}),
      });
    }
    return { processes: processes.sort((a, b) => b.cpuMs - a.cpuMs), ms: last.at - first.at };
  }
}
