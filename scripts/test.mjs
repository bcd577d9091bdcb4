#!/usr/bin/env node
// The project's test command (`npm test`): type check, lint, build, the unit and
// integration suites (vitest), the server's suite again on PostgreSQL (vitest), mediasoup's
// own suite against the built worker (vitest) and the end-to-end suite (Playwright, Debian
// Chromium).
// Ends with one line totalling every test that ran: `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureSetup } from './ensureSetup.mjs';
import { continueOnSupportedNode } from './runtime.mjs';

ensureSetup();
// Started by whatever npm the user has; the checks, vitest's workers and Playwright's runner
// run on Confidant's Node (scripts/runtime.mjs), which is first on their PATH from here.
await continueOnSupportedNode();

const results = 'test-results';
// Servers started by the tests log warnings and errors only; full logs hide the results.
process.env.CONFIDANT_LOG_LEVEL ??= 'warn';
mkdirSync(results, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  if (!ok) problems.push(`${label} exited with ${r.status ?? r.signal}`);
  return ok;
}

/**
 * Errors vitest caught outside any test (an unhandled rejection, say) fail its run without
 * failing a test, so its JSON report counts none of them. They are read from its log, each
 * counted as a failure, and their section printed again where the total's reader looks.
 */
function errorsOutsideTests(logPath) {
  let log;
  try {
    // Without its colours (ESC [ … m).
    log = readFileSync(logPath, 'utf8').replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  } catch {
    return 0;
  }
  const caught = /Vitest caught (\d+) unhandled errors? during the test run/.exec(log);
  if (!caught) return 0;
  const start = log.lastIndexOf('Unhandled Errors');
  console.log(`\n=== errors outside tests, from ${logPath}:`);
  console.log(log.slice(start, start + 4000).trimEnd());
  return Number(caught[1]);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

const checksOk = [
  run('typecheck', 'npm', ['run', '--silent', 'typecheck']),
  run('lint', 'npx', ['eslint', '--max-warnings', '0', '.']),
  run('build', 'npm', ['run', '--silent', 'build']),
].every(Boolean);

/**
 * One vitest suite: run with a JSON report and its output kept (tee) for the errors the report
 * leaves out, counted into the totals. `prefix` wraps the command (the keyring session).
 */
function vitestSuite(label, name, { config, prefix = '' } = {}) {
  const json = `${results}/${name}-results.json`;
  const log = `${results}/${name}.log`;
  rmSync(json, { force: true });
  const withConfig = config ? ` -c ${config}` : '';
  run(label, 'bash', [
    '-c',
    `set -o pipefail; ${prefix}npx vitest run${withConfig} --reporter=default --reporter=json --outputFile.json=${json} 2>&1 | tee ${log}`,
  ]);
  const report = readJson(json);
  if (!report) {
    problems.push(`${label}: vitest wrote no results`);
    return;
  }
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests + errorsOutsideTests(log);
  totals.skipped += report.numPendingTests + report.numTodoTests;
}

// Unit and integration tests, inside a private D-Bus session with a throwaway gnome-keyring
// so the note vault's keychain tests use a real Secret Service (scripts/with-keyring.sh).
vitestSuite('unit and integration', 'unit', { prefix: 'bash scripts/with-keyring.sh ' });
// The server's integration suite again, with every demo server on PostgreSQL: one throwaway
// cluster from Debian's package for the whole pass (tests/server/postgres/vitest.config.ts).
vitestSuite('integration on PostgreSQL', 'postgres', { config: 'tests/server/postgres/vitest.config.ts', prefix: 'bash scripts/with-keyring.sh ' });
// mediasoup's own Node test suite, shipped in its package, against the worker setup built
// from Debian's libraries (tests/mediasoup/vitest.config.ts).
vitestSuite('mediasoup', 'mediasoup', { config: 'tests/mediasoup/vitest.config.ts' });

// End-to-end tests need the build.
const e2eJson = `${results}/e2e-results.json`;
rmSync(e2eJson, { force: true });
if (checksOk || existsSync('out/participant/index.html')) {
  // A virtual display lets the Electron launch test open its window where Electron exists.
  const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  const xvfb = headless && spawnSync('sh', ['-c', 'command -v xvfb-run']).status === 0;
  // The console under test keeps its note vault's key in the real keychain, as in Electron.
  const playwright = ['npx', 'playwright', 'test'];
  if (xvfb) run('end to end', 'bash', ['scripts/with-keyring.sh', 'xvfb-run', '-a', ...playwright]);
  else run('end to end', 'bash', ['scripts/with-keyring.sh', ...playwright]);
  const e2e = readJson(e2eJson);
  if (e2e) {
    totals.passed += e2e.stats.expected + e2e.stats.flaky;
    totals.failed += e2e.stats.unexpected;
    totals.skipped += e2e.stats.skipped;
  } else {
    problems.push('playwright wrote no results');
  }
}

for (const p of problems) console.log(`problem: ${p}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(problems.length === 0 && totals.failed === 0 ? 0 : 1);
