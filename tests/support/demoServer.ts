/**
 * Starts the real session server in demo mode as a child process, exactly as a user's
 * `npm run server -- --demo` would, and reads its CONFIDANT_DEMO line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { DEMO_LINE_PREFIX, DemoInfo } from '../../src/shared/protocol';

const root = resolve(import.meta.dirname, '../..');

export interface DemoServer {
  info: DemoInfo;
  process: ChildProcess;
  /**
   * The media ports its workers listen on, as its log said at start: known only when it logs at
   * `info` (CONFIDANT_LOG_LEVEL, which the test runner sets to `warn`; see WEAK_LINK_DEMO_ENV).
   */
  mediaPorts: { udp: number[]; tcp: number[] };
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
}

export async function startDemoServer(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<DemoServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--demo', ...extraArgs], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** What a demo server behind a weak link (tests/support/weakLink.ts) needs: its log says its media ports. */
export const WEAK_LINK_DEMO_ENV: NodeJS.ProcessEnv = { CONFIDANT_LOG_LEVEL: 'info' };
