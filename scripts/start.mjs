#!/usr/bin/env node
// `npm start`: runs Confidant in demo mode on this machine. Builds if needed, starts the
// session server on loopback with demo accounts and invitations, prints the participant
// links, and opens the console where Electron is installed. Ctrl+C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { electronBinary } from './electronBinary.mjs';
import { ensureSetup } from './ensureSetup.mjs';
import { continueOnSupportedNode } from './runtime.mjs';

ensureSetup();
// Started by whatever npm the user has; the build, the server and the console's tools run on
// Confidant's Node (scripts/runtime.mjs).
await continueOnSupportedNode();
const PREFIX = 'CONFIDANT_DEMO ';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const built = ['out/renderer/index.html', 'out/participant/index.html', 'out/main/index.js'].every((f) => existsSync(f));
if (!built || newestMtime('src') > statSync('out/participant/index.html').mtimeMs) {
  console.error('Building Confidant…');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const children = [];
const server = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--demo', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
children.push(server);
server.on('exit', (code) => {
  stop();
  process.exitCode = code ?? 0;
});

// The server prints its sign-ins and invitation links for people on stderr; its stdout
// carries the one machine-readable CONFIDANT_DEMO line, read here for the console.
createInterface({ input: server.stdout }).on('line', (line) => {
  if (!line.startsWith(PREFIX)) return console.log(line);
  const demo = JSON.parse(line.slice(PREFIX.length));
  openConsole(demo.httpUrl);
});

function openConsole(serverUrl) {
  const electron = electronBinary();
  if (!electron) {
    console.log(`The console (Electron) is not installed on this machine, so only the server runs.
  To install it where Electron's download is reachable: CONFIDANT_ELECTRON_BINARY=1 npm run setup`);
    return;
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.log('No display is available, so the console is not opened.');
    return;
  }
  const consoleApp = spawn(electron, ['.'], {
    stdio: 'inherit',
    env: { ...process.env, CONFIDANT_SERVER_URL: serverUrl },
  });
  children.push(consoleApp);
  consoleApp.on('exit', () => console.log('The console closed; the server keeps running until Ctrl+C.'));
}

function stop() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
