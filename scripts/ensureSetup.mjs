// Runs scripts/setup.sh when this checkout has not been set up yet for the Node that runs
// Confidant (no supported Node, no npm packages, native modules built for another Node, or no
// mediasoup worker built for the mediasoup installed, as after a version bump), so `npm start`
// and `npm test` work as the first command on a fresh clone and after the Node or mediasoup
// changes.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { runtimeNode } from './runtime.mjs';

function nodeAbi(node) {
  if (node === process.execPath) return process.versions.modules;
  const r = spawnSync(node, ['-p', 'process.versions.modules'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function builtForAbi() {
  try {
    return readFileSync('node_modules/.confidant-node-abi', 'utf8').trim();
  } catch {
    return null;
  }
}

/** Whether the worker in place was built by setup for the mediasoup installed (its stamp says so). */
function workerMatches() {
  try {
    const { version } = JSON.parse(readFileSync('node_modules/mediasoup/package.json', 'utf8'));
    return readFileSync('node_modules/mediasoup/worker/out/.confidant-build', 'utf8').startsWith(`${version}-`);
  } catch {
    return false;
  }
}

export function ensureSetup() {
  const node = runtimeNode();
  const ready =
    node !== null &&
    existsSync('node_modules/.package-lock.json') &&
    builtForAbi() === nodeAbi(node) &&
    existsSync('node_modules/mediasoup/worker/out/Release/mediasoup-worker') &&
    workerMatches();
  if (ready) return;
  console.error('First run: installing what Confidant needs (npm run setup)…');
  const r = spawnSync('bash', ['scripts/setup.sh'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('setup failed; see the messages above');
    process.exit(r.status ?? 1);
  }
}
