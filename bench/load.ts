/**
 * Ten groups of ten at the protocol level on one machine (issue 8, "Load"): each group's
 * facilitator admits every knock as it arrives, all 100 clients check in within one tick,
 * then each produces audio and video (browser-like RTP parameters for the router's codecs;
 * no packets) and everyone consumes everyone else in their group: 100 clients, 200
 * producers, 2,000 consumers.
 *
 * Two processes: the server (bench/loadServer.ts, which also hosts the baseline's echo
 * server) and this driver, holding every socket, so both latency ends are on one clock.
 * CPU and memory are read from /proc for the server process and its mediasoup workers.
 *
 * Baselines, from the same run at the same concurrency (110 sockets):
 * - latency: raw WebSocket round trips to the echo server in the server process;
 * - server CPU: the echo server handling as many frames as the groups sent;
 * - worker CPU: the workers idling for as long as the groups took;
 * - memory: the same processes just before the groups arrived.
 * Not a test: it prints figures and never fails.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { signIn } from '../tests/server/support/signIn.js';
import { runGroups } from './loadGroups.js';
import type { LoadServerMessage } from './loadServer.js';
import { childrenOf, snapshot, type Snapshot } from './loadUsage.js';
import { percentile, printBench } from './support/stats.js';

const GROUPS = Number(process.env['LOAD_GROUPS'] ?? 10);
const CLIENTS = Number(process.env['LOAD_CLIENTS'] ?? 10);
function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** `frames` round trips over `sockets` concurrent sockets, in lockstep rounds; each RTT in ms. */
async function echoRounds(url: string, sockets: number, frames: number): Promise<number[]> {
  const all = await Promise.all(Array.from({ length: sockets }, () => open(url)));
  // About the size of a consume request, the commonest frame in the groups' run.
  const payload = JSON.stringify({ id: 7, method: 'consume', data: { transportId: 'x'.repeat(36), producerId: 'y'.repeat(36), rtpCapabilities: {} } });
  const rtts: number[] = [];
  for (let sent = 0; sent < frames; sent += sockets) {
    const round = all.slice(0, Math.min(sockets, frames - sent));
    rtts.push(
      ...(await Promise.all(
        round.map(
          (ws) =>
            new Promise<number>((resolve) => {
              const t0 = performance.now();
              ws.once('message', () => resolve(performance.now() - t0));
              ws.send(payload);
            }),
        ),
      )),
    );
  }
  for (const ws of all) ws.close();
  return rtts;
}

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const server = fork(fileURLToPath(new URL('./loadServer.ts', import.meta.url)), [String(GROUPS), String(CLIENTS)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<LoadServerMessage>((resolve, reject) => {
    server.once('message', (m) => resolve(m as LoadServerMessage));
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const workerPids = childrenOf(ready.pid);
  const { info } = ready;
  const token = await signIn(info.httpUrl, info.facilitator.username, info.facilitator.password, info.facilitator.totpSecret ?? '');

  // Idle: what the workers burn doing nothing, and memory before anyone arrives.
  const idle0 = snapshot(ready.pid, workerPids);
  await new Promise((r) => setTimeout(r, 3000));
  const idle1 = snapshot(ready.pid, workerPids);
  const idleWorkerCpuPerMs = (idle1.workers.cpuMs - idle0.workers.cpuMs) / (idle1.at - idle0.at);

  const before = snapshot(ready.pid, workerPids);
  const phases: { phase: string; at: Snapshot }[] = [];
  const run = await runGroups(info.wsUrl, token, ready.groups, (phase) => phases.push({ phase, at: snapshot(ready.pid, workerPids) }));
  const after = snapshot(ready.pid, workerPids);
  await run.close();
  const loadMs = after.at - before.at;

  const sockets = GROUPS * (CLIENTS + 1);
  const echo0 = snapshot(ready.pid, workerPids);
  const rtts = await echoRounds(ready.echoUrl, sockets, run.requests);
  const echo1 = snapshot(ready.pid, workerPids);

  for (const p of [50, 95, 99]) {
    printBench(`load_knock_to_admitted_p${p}`, percentile(run.knockToAdmittedMs, p), 'ms', percentile(rtts, p));
  }
  printBench('load_knock_p50', percentile(run.knockMs, 50), 'ms', percentile(rtts, 50));
  printBench('load_media_request_p50', percentile(run.media.latenciesMs, 50), 'ms', percentile(rtts, 50));
  printBench('load_media_request_p99', percentile(run.media.latenciesMs, 99), 'ms', percentile(rtts, 99));
  printBench('load_server_cpu', after.server.cpuMs - before.server.cpuMs, 'ms', echo1.server.cpuMs - echo0.server.cpuMs);
  printBench('load_worker_cpu', after.workers.cpuMs - before.workers.cpuMs, 'ms', idleWorkerCpuPerMs * loadMs);
  printBench('load_server_rss', after.server.rssBytes / MB, 'MiB', before.server.rssBytes / MB);
  printBench('load_worker_rss', after.workers.rssBytes / MB, 'MiB', before.workers.rssBytes / MB);
  process.stderr.write(
    `load: ${GROUPS} groups × ${CLIENTS} clients on ${ready.workers} workers in ${(loadMs / 1000).toFixed(1)} s; ` +
      `${run.admitted} admitted, ${run.producers} producers, ${run.consumers} consumers, ${run.requests} frames; ` +
      `server CPU ${((after.server.cpuMs - before.server.cpuMs) / loadMs * 100).toFixed(0)}% of a core, ` +
      `workers ${((after.workers.cpuMs - before.workers.cpuMs) / loadMs * 100).toFixed(0)}%; ` +
      `baseline ${rtts.length} raw round trips over ${sockets} sockets\n`,
  );
  // Where the time and CPU went: hellos (a scrypt verification each), the check-in and
  // admission burst, then transports, producers and consumers.
  let previous = before;
  for (const { phase, at } of phases) {
    process.stderr.write(
      `  ${phase}: ${((at.at - previous.at) / 1000).toFixed(2)} s, server CPU ${(at.server.cpuMs - previous.server.cpuMs).toFixed(0)} ms, ` +
        `workers CPU ${(at.workers.cpuMs - previous.workers.cpuMs).toFixed(0)} ms\n`,
    );
    previous = at;
  }

  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
