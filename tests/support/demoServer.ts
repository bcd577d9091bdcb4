/**
 * Starts the real session server in demo mode as a child process, exactly as a user's
 * `npm run server -- --demo` would, and reads its CONFIDANT_DEMO line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_LINE_PREFIX, DemoInfo } from '../../src/shared/protocol';

const root = resolve(import.meta.dirname, '../..');

/**
 * How long a demo server has to exit after SIGTERM. It closes in well under a second (its
 * sockets are cut after one); one still up after this is hung, and `stop` says where.
 */
const EXIT_DEADLINE_MS = 15_000;
/** Where a hung server writes the diagnostic report `stop` asks it for (SIGUSR2). */
const reportDir = join(tmpdir(), 'confidant-demo-reports');

export interface DemoServer {
  info: DemoInfo;
  process: ChildProcess;
  /**
   * The media ports its workers listen on, as its log said at start: known only when it logs at
   * `info` (CONFIDANT_LOG_LEVEL, which the test runner sets to `warn`; see WEAK_LINK_DEMO_ENV).
   */
  mediaPorts: { udp: number[]; tcp: number[] };
  /**
   * SIGTERM, then wait for the exit code. A server that has not exited in time is hung: `stop`
   * takes a diagnostic report from it (what it was running, what was still open), kills it,
   * and throws with the report and the end of its log.
   */
  stop(): Promise<number | null>;
}

export async function startDemoServer(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<DemoServer> {
  const child = spawn(
    process.execPath,
    ['--report-on-signal', `--report-directory=${reportDir}`, '--import', 'tsx', 'src/server/cli.ts', '--demo', ...extraArgs],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  const mediaPorts = { udp: [] as number[], tcp: [] as number[] };
  // By line: a chunk may end in the middle of one.
  createInterface({ input: child.stderr! }).on('line', (line) => {
    const started = /workers\.started .*?ports="?([^"]*)/.exec(line);
    if (!started) return;
    for (const [, udp, tcp] of started[1]!.matchAll(/udp (\d+) tcp (\d+)/g)) {
      mediaPorts.udp.push(Number(udp));
      mediaPorts.tcp.push(Number(tcp));
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stderr.push(text);
    if (stderr.length > 200) stderr.shift();
  });
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const info = await new Promise<DemoInfo>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`demo server did not start in time:\n${stderr.join('')}`)), 30_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.startsWith(DEMO_LINE_PREFIX)) return;
      clearTimeout(timer);
      ok(DemoInfo.parse(JSON.parse(line.slice(DEMO_LINE_PREFIX.length))));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`demo server exited with ${code}:\n${stderr.join('')}`));
    });
  });
  return {
    info,
    mediaPorts,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // Unreferenced: the deadline must not hold the test process up once the server has exited.
      const code = await Promise.race([exited, sleep(EXIT_DEADLINE_MS, 'hung' as const, { ref: false })]);
      if (code !== 'hung') return code;
      const report = await diagnosticReport(child);
      child.kill('SIGKILL');
      await exited;
      throw new Error(
        `the demo server (pid ${child.pid}) had not exited ${EXIT_DEADLINE_MS / 1000} s after SIGTERM\n` +
          `${report}\nthe end of its log:\n${stderr.join('').slice(-4000)}`,
      );
    },
  };
}

/** What a demo server behind a weak link (tests/support/weakLink.ts) needs: its log says its media ports. */
export const WEAK_LINK_DEMO_ENV: NodeJS.ProcessEnv = { CONFIDANT_LOG_LEVEL: 'info' };

/** The parts of a Node diagnostic report (node --report-on-signal) that say why a process is still up. */
async function diagnosticReport(child: ChildProcess): Promise<string> {
  mkdirSync(reportDir, { recursive: true });
  const mine = (): string | undefined => readdirSync(reportDir).find((name) => name.includes(`.${child.pid}.`) && name.endsWith('.json'));
  child.kill('SIGUSR2');
  for (let waited = 0; waited < 5000 && !mine(); waited += 100) await sleep(100);
  const name = mine();
  if (!name) return 'it wrote no diagnostic report within 5 s of SIGUSR2 (its main thread is busy, not waiting)';
  const path = join(reportDir, name);
  await sleep(200); // found as soon as it is created: let the writing finish
  try {
    const report = JSON.parse(readFileSync(path, 'utf8')) as {
      javascriptStack?: { message?: string; stack?: string[] };
      libuv?: { type: string; is_active: boolean; is_referenced?: boolean; localEndpoint?: unknown; remoteEndpoint?: unknown; details?: string }[];
    };
    const handles = (report.libuv ?? [])
      .filter((h) => h.is_active && h.is_referenced !== false)
      .map((h) => `  ${h.type}${h.localEndpoint ? ` ${JSON.stringify(h.localEndpoint)}` : ''}${h.remoteEndpoint ? ` -> ${JSON.stringify(h.remoteEndpoint)}` : ''}${h.details ? ` ${h.details}` : ''}`);
    return [
      `its JavaScript stack: ${report.javascriptStack?.message ?? ''}`,
      ...(report.javascriptStack?.stack ?? []).slice(0, 12).map((line) => `  ${line}`),
      'what keeps it up (active handles):',
      ...handles,
    ].join('\n');
  } finally {
    rmSync(path, { force: true });
  }
}
