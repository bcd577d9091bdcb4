/**
 * Joining at a group's start time, measured as a client lives it: every client of a group
 * opens its link in the same moment; each sends `hello` (link and passcode) and, on its
 * answer, `checkIn`; the figure is hello sent → checkIn answered, the waiting room on screen.
 * Also: checkIn sent → the knock at the facilitator's console, and the server's CPU per join.
 *
 * Four processes, so nothing measured shares an event loop with what it measures: the session
 * server (support/joinServer.ts), a raw WebSocket echo server (support/echoServer.ts, the
 * baseline), the clients (support/joinClients.ts, both sides' sockets, one clock, each client
 * from a loopback address of its own) and this driver.
 *
 * Baseline: the same clients process, the same concurrency and addresses, the same two
 * exchanges with frames of the same size, answered by the echo server. Product and baseline
 * rounds are interleaved and their order alternates; the first round of each is a warm-up and
 * not counted. Every product round is a group opening fresh links (new invitations, its
 * facilitator already in the session).
 *
 * Two shapes: one group of 50 (the figure; 10 rounds, 500 joins) and 200 clients in 20
 * groups of 10 (3 rounds, 600 joins). Each figure is printed with the samples' min, median and
 * max beside it. Not a test: it prints figures and never fails.
 *
 * `JOIN_ROUNDS` and `JOIN_WIDE_ROUNDS` change the counted rounds.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { signIn } from '../tests/server/support/signIn.js';
import { usageOf } from './loadUsage.js';
import type { BurstTimes, ClientsToDriver, DriverToClients, DriverToJoinServer, EchoToDriver, JoinServerToDriver } from './support/joinMessages.js';
import { nextMessage } from './support/ipc.js';
import { printBenchSpread } from './support/stats.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

function spawnTs(script: string): ChildProcess {
  return fork(here(script), [], { execPath: tsx, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

interface Shape {
  name: string;
  groups: number;
  clients: number;
  rounds: number;
}

const SHAPES: Shape[] = [
  { name: 'join', groups: 1, clients: 50, rounds: Number(process.env['JOIN_ROUNDS'] ?? 10) },
  { name: 'join_200_in_20', groups: 20, clients: 10, rounds: Number(process.env['JOIN_WIDE_ROUNDS'] ?? 3) },
];

interface Tally {
  joinMs: number[];
  knockMs: number[];
  cpuMs: number;
  joins: number;
}
const newTally = (): Tally => ({ joinMs: [], knockMs: [], cpuMs: 0, joins: 0 });

/** Time for what a burst left behind (log lines, audit writes) to be done, so its CPU is counted. */
const SETTLE_MS = 250;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const server = spawnTs('./support/joinServer.ts');
  const echo = spawnTs('./support/echoServer.ts');
  const clients = spawnTs('./support/joinClients.ts');
  const children = [server, echo, clients];
  try {
    const [ready, echoReady] = await Promise.all([
      nextMessage<JoinServerToDriver & { type: 'ready' }>(server, 'ready'),
      nextMessage<EchoToDriver>(echo, 'ready'),
    ]);
    const token = await signIn(ready.httpUrl, ready.facilitator.username, ready.facilitator.password, ready.facilitator.totpSecret);
    const tell = (m: DriverToClients): void => {
      clients.send(m);
    };

    /** One burst against the product or the echo; its times, and the CPU its server spent. */
    const burst = async (target: 'product' | 'echo', shape: Shape): Promise<BurstTimes & { cpuMs: number }> => {
      if (target === 'product') {
        const seeded = nextMessage<JoinServerToDriver & { type: 'seeded' }>(server, 'seeded');
        server.send({ type: 'seed', groups: shape.groups, clients: shape.clients } satisfies DriverToJoinServer);
        const { groups } = await seeded;
        tell({ type: 'prepare', target, groups, token, httpUrl: ready.httpUrl, wsUrl: ready.wsUrl });
      } else {
        tell({ type: 'prepare', target, url: echoReady.url, clients: shape.groups * shape.clients });
      }
      await nextMessage(clients, 'prepared');
      await sleep(SETTLE_MS);
      const pid = target === 'product' ? ready.pid : echoReady.pid;
      const cpu0 = usageOf(pid).cpuMs;
      const done = nextMessage<ClientsToDriver & { type: 'done' }>(clients, 'done');
      tell({ type: 'go' });
      const { times } = await done;
      await sleep(SETTLE_MS);
      const cpuMs = usageOf(pid).cpuMs - cpu0;
      const dispersed = nextMessage(clients, 'dispersed');
      tell({ type: 'disperse' });
      await dispersed;
      return { ...times, cpuMs };
    };

    for (const shape of SHAPES) {
      const product = newTally();
      const baseline = newTally();
      // Round 0 of each side is a warm-up; the order alternates every round.
      for (let round = 0; round <= shape.rounds; round++) {
        const order: ('product' | 'echo')[] = round % 2 === 0 ? ['product', 'echo'] : ['echo', 'product'];
        for (const target of order) {
          const r = await burst(target, shape);
          if (round === 0) continue;
          const t = target === 'product' ? product : baseline;
          t.joinMs.push(...r.joinMs);
          t.knockMs.push(...r.knockMs);
          t.cpuMs += r.cpuMs;
          t.joins += r.joinMs.length;
        }
      }
      for (const p of [50, 99]) printBenchSpread(`${shape.name}_hello_to_waiting_room_p${p}`, p, product.joinMs, baseline.joinMs, 'ms');
      // A knock is one frame in and one out; its baseline is one echo exchange, the second
      // half of the echo's join (the same frame size as the checkIn).
      const echoOne = baseline.joinMs.map((ms) => ms / 2);
      printBenchSpread(`${shape.name}_checkin_to_knock_p99`, 99, product.knockMs, echoOne, 'ms');
      printBenchSpread(`${shape.name}_server_cpu_per_join`, 50, [product.cpuMs / product.joins], [baseline.cpuMs / baseline.joins], 'ms');
      process.stderr.write(
        `${shape.name}: ${shape.rounds} counted rounds of ${shape.groups} × ${shape.clients}: ${product.joinMs.length} joins, ` +
          `${baseline.joinMs.length} echo pairs; server CPU ${product.cpuMs} ms in all, echo server ${baseline.cpuMs} ms\n`,
      );
    }
    tell({ type: 'exit' });
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
