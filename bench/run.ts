/**
 * `npm run bench`: every benchmark, one `BENCH {…}` line per figure, each with the
 * baseline measured in the same run under the same conditions. notes.ts runs inside
 * scripts/with-keyring.sh: the vault's key is held by the OS keychain there, as in the console
 * (a throwaway gnome-keyring on a private D-Bus session where there is no desktop keychain).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const benches = ['join.ts', 'firstFrame.ts', 'e2eeCpu.ts', 'blur.ts', 'notes.ts', 'weakLink.ts'];
const withKeyring = new Set(['notes.ts', 'weakLink.ts']);
const keyringScript = resolve(import.meta.dirname, '../scripts/with-keyring.sh');
let failed = 0;
for (const file of benches) {
  const command = [process.execPath, '--import', 'tsx', resolve(import.meta.dirname, file)];
  if (withKeyring.has(file)) command.unshift('bash', keyringScript);
  const r = spawnSync(command[0]!, command.slice(1), { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${file} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
