/**
 * Joining at a group's start time, and being let in, measured as a client lives it: every
 * client of a group opens its link in the same moment; each sends `hello` (link and passcode)
 * and, on its answer, `checkIn`; the figure is hello sent → checkIn answered, the waiting room
 * on screen. Also: checkIn sent → the knock at the facilitator's console, the server's CPU per
 * join (on PostgreSQL, the cluster's processes' beside it: SQLite's work is in the server's),
 * and the admission: the facilitator's `admit` sent → the client's `admitted`
 * notification, and `admitAll` sent → the last of the group admitted.
 *
 * Each figure twice, on the two stores a server runs on: SQLite (`join_…`, the names the
 * figures had before PostgreSQL) and PostgreSQL (`join_pg_…`), a throwaway cluster on this
 * machine (tests/support/postgres.ts) with fsync off; `BENCH_POSTGRES=0` leaves it out.
 *
 * Separate processes, so nothing measured shares an event loop with what it measures: the two
 * session servers (support/joinServer.ts), a raw WebSocket echo server (support/echoServer.ts,
 * the baseline), the clients (support/joinClients.ts, both sides' sockets, one clock, each
 * client from a loopback address of its own) and this driver.
 *
 * Baseline: the same clients process, the same concurrency and addresses, the same exchanges
 * with frames of the same size, answered by the echo server; an admit is the same frame from
 * the facilitator's socket, relayed by the echo to the client's and echoed back to the
 * facilitator. Every round runs each target twice, the facilitators once admitting knock by
 * knock (the next admit sent when the last is answered, as a facilitator clicks down the list)
 * and once with admitAll; the targets' order rotates every round and between the two; the
 * first round is a warm-up and not counted. Every product burst is a group opening fresh links
 * (new invitations, its facilitator already in the session).
 *
 * Two shapes: one group of 50 (the figure; 5 rounds, 500 joins per target) and 200
 * clients in 20 groups of 10 (2 rounds, 800 joins). Each figure is printed with the samples'
 * min, median and max beside it. Not a test: it prints figures and never fails.
 *
 * `JOIN_ROUNDS` and `JOIN_WIDE_ROUNDS` change the counted rounds.
 */
import { usageOf } from './loadUsage.js';
import { nextMessage } from './support/ipc.js';
import type {
  AdmitTimes,
  AdmitWay,
  BurstTimes,
  ClientsToDriver,
  DriverToClients,
  DriverToJoinServer,
  JoinServerToDriver,
} from './support/joinMessages.js';
import { startJoinProcesses, type EchoTarget, type JoinProcesses, type ProductServer } from './support/joinTargets.js';
import { printBenchSpread } from './support/stats.js';

interface Shape {
  name: string;
  groups: number;
  clients: number;
  rounds: number;
}

const SHAPES: Shape[] = [
  { name: 'join', groups: 1, clients: 50, rounds: Number(process.env['JOIN_ROUNDS'] ?? 5) },
  { name: 'join_200_in_20', groups: 20, clients: 10, rounds: Number(process.env['JOIN_WIDE_ROUNDS'] ?? 2) },
];
const WAYS: AdmitWay[] = ['each', 'all'];

type Target = ProductServer | EchoTarget;

interface Tally {
  joinMs: number[];
  knockMs: number[];
  admitMs: number[];
  admitAllMs: number[];
  cpuMs: number;
  databaseCpuMs: number;
  joins: number;
}
const newTally = (): Tally => ({ joinMs: [], knockMs: [], admitMs: [], admitAllMs: [], cpuMs: 0, databaseCpuMs: 0, joins: 0 });

/** Time for what a burst left behind (log lines, audit writes) to be done, so its CPU is counted. */
const SETTLE_MS = 250;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Burst = BurstTimes & AdmitTimes & { cpuMs: number; databaseCpuMs: number };

/** One burst against a target: the joins (their CPU counted), then the admissions. */
async function burst(procs: JoinProcesses, target: Target, shape: Shape, way: AdmitWay): Promise<Burst> {
  const { clients } = procs;
  const tell = (m: DriverToClients): void => {
    clients.send(m);
  };
  if (target.name === 'echo') {
    tell({ type: 'prepare', target: 'echo', url: target.url, groups: shape.groups, clientsPerGroup: shape.clients });
  } else {
    const seeded = nextMessage<JoinServerToDriver & { type: 'seeded' }>(target.child, 'seeded');
    target.child.send({ type: 'seed', groups: shape.groups, clients: shape.clients } satisfies DriverToJoinServer);
    const { groups } = await seeded;
    tell({ type: 'prepare', target: 'product', groups, token: target.token, httpUrl: target.httpUrl, wsUrl: target.wsUrl });
  }
  await nextMessage(clients, 'prepared');
  await sleep(SETTLE_MS);
  const databaseCpu = target.name === 'echo' ? undefined : target.databaseCpuMs;
  const cpu0 = usageOf(target.pid).cpuMs;
  const db0 = databaseCpu?.() ?? 0;
  const done = nextMessage<ClientsToDriver & { type: 'done' }>(clients, 'done');
  tell({ type: 'go' });
  const { times } = await done;
  await sleep(SETTLE_MS);
  const cpuMs = usageOf(target.pid).cpuMs - cpu0;
  const databaseCpuMs = (databaseCpu?.() ?? 0) - db0;
  const admitted = nextMessage<ClientsToDriver & { type: 'admitted' }>(clients, 'admitted');
  tell({ type: 'admit', way });
  const admit = (await admitted).times;
  const dispersed = nextMessage(clients, 'dispersed');
  tell({ type: 'disperse' });
  await dispersed;
  return { ...times, ...admit, cpuMs, databaseCpuMs };
}

function add(t: Tally, r: Burst): void {
  t.joinMs.push(...r.joinMs);
  t.knockMs.push(...r.knockMs);
  t.admitMs.push(...r.admitMs);
  t.admitAllMs.push(...r.admitAllMs);
  t.cpuMs += r.cpuMs;
  t.databaseCpuMs += r.databaseCpuMs;
  t.joins += r.joinMs.length;
}

function print(shape: Shape, target: ProductServer, product: Tally, baseline: Tally): void {
  const name = target.name === 'sqlite' ? shape.name : `${shape.name}_${target.name}`;
  for (const p of [50, 99]) printBenchSpread(`${name}_hello_to_waiting_room_p${p}`, p, product.joinMs, baseline.joinMs, 'ms');
  // A knock is one frame in and one out; its baseline is one echo exchange, the second half of
  // the echo's join (the same frame size as the checkIn).
  const echoOne = baseline.joinMs.map((ms) => ms / 2);
  printBenchSpread(`${name}_checkin_to_knock_p99`, 99, product.knockMs, echoOne, 'ms');
  const perJoin = (ms: number, t: Tally): number[] => [ms / t.joins];
  printBenchSpread(`${name}_server_cpu_per_join`, 50, perJoin(product.cpuMs, product), perJoin(baseline.cpuMs, baseline), 'ms');
  if (target.databaseCpuMs) {
    // The cluster's own processes; on SQLite that work is in the server's CPU above.
    printBenchSpread(`${name}_database_cpu_per_join`, 50, perJoin(product.databaseCpuMs, product), perJoin(baseline.cpuMs, baseline), 'ms');
  }
  for (const p of [50, 99]) printBenchSpread(`${name}_admit_p${p}`, p, product.admitMs, baseline.admitMs, 'ms');
  printBenchSpread(`${name}_admit_all_to_last_p50`, 50, product.admitAllMs, baseline.admitAllMs, 'ms');
  process.stderr.write(
    `${name}: ${shape.rounds} counted rounds of ${shape.groups} × ${shape.clients}, twice: ${product.joinMs.length} joins, ` +
      `${product.admitMs.length} admits, ${product.admitAllMs.length} admitAlls (echo ${baseline.joinMs.length}, ` +
      `${baseline.admitMs.length}, ${baseline.admitAllMs.length}); server CPU ${product.cpuMs} ms in all` +
      (target.databaseCpuMs ? `, database ${product.databaseCpuMs} ms` : '') +
      `, echo server ${baseline.cpuMs} ms\n`,
  );
}

async function main(): Promise<void> {
  const procs = await startJoinProcesses(process.env['BENCH_POSTGRES'] !== '0');
  // An interrupted run stops its servers and its cluster too.
  const interrupted = (): void => {
    void procs.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const targets: Target[] = [...procs.products, procs.echo];
    for (const shape of SHAPES) {
      const tallies = new Map<Target, Tally>(targets.map((t) => [t, newTally()]));
      // Round 0 is a warm-up; the order rotates every round, and from one way to the next.
      for (let round = 0; round <= shape.rounds; round++) {
        for (const [w, way] of WAYS.entries()) {
          const turn = (round + w) % targets.length;
          for (const target of [...targets.slice(turn), ...targets.slice(0, turn)]) {
            const r = await burst(procs, target, shape, way);
            if (round > 0) add(tallies.get(target)!, r);
          }
        }
      }
      for (const product of procs.products) print(shape, product, tallies.get(product)!, tallies.get(procs.echo)!);
    }
    procs.clients.send({ type: 'exit' } satisfies DriverToClients);
  } finally {
    await procs.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
