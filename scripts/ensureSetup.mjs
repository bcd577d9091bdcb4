// Runs scripts/setup.sh when this checkout has not been set up yet (no npm packages, or no
// mediasoup worker), so `npm start` and `npm test` work as the first command on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function ensureSetup() {
  const ready =
    existsSync('node_modules/.package-lock.json') &&
    existsSync('node_modules/mediasoup/worker/out/Release/mediasoup-worker');
  if (ready) return;
  console.error('First run: installing what Confidant needs (npm run setup)…');
  const r = spawnSync('bash', ['scripts/setup.sh'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('setup failed; see the messages above');
    process.exit(r.status ?? 1);
  }
}
