/**
 * `npm run bench`: every benchmark, one `BENCH {…}` line per figure, each with the
 * baseline measured in the same run under the same conditions.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const benches = ['join.ts', 'firstFrame.ts', 'notes.ts'];
let failed = 0;
for (const file of benches) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, file)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${file} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
