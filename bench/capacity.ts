/**
 * Capacity per media worker (issue 18, "Tests and figures"): how many groups of eight, with
 * real RTP flowing through the SFU, one mediasoup worker carries before it passes 80 % of a
 * core; then the same with two servers on two cores.
 *
 * Each group is eight clients, each with real WebRTC transports to the worker (ICE, then
 * DTLS-SRTP: support/capacityPeer.ts, on werift), sending audio (Opus-like, 50 packets/s,
 * 40 kbit/s of payload) and video (VP8 payload descriptors, 30 frames/s, a key frame every
 * 2 s and on PLI/FIR, ~320 kbit/s of payload) and receiving the other seven's audio and video:
 * 16 producers and 112 consumers a group; the worker takes in 8 streams' packets and sends out
 * 7 copies of each. The group's facilitator is a signaling socket that admits the eight and
 * sends no media: as media goes, a facilitator with a camera is one of the eight.
 *
 * Processes: the server (support/capacityServer.ts) started under `taskset -c 0`, so its
 * worker, which it spawns, is on core 0 too; the load generator (support/capacityClients.ts)
 * under `taskset -c 1` and `nice -n 10`; this driver, which mostly sleeps.
 *
 * One server, one worker: add a group, let it settle (CAPACITY_SETTLE_MS, 5 s), then measure
 * over a window (CAPACITY_WINDOW_MS, 5 s) the worker's CPU (utime + stime from /proc/PID/stat
 * over wall time), each core's busy and interrupt time (/proc/stat), the generator's CPU and
 * its packets sent and received, and mediasoup's own byte counters (every WebRtcTransport's
 * getStats, summed in the server process). A window in which other processes (another
 * engineer's build) took more than CAPACITY_OTHERS_LIMIT (15 %) of the cores is measured again,
 * up to CAPACITY_RETRIES (4) times; a step that stays contended is shown but neither counts nor
 * stops the ramp. Repeat until the worker passes 80 % of a core (CAPACITY_LIMIT), or the
 * generator cannot keep up (more than 2 % of its packets over 20 ms late, less than 97 % of
 * what the SFU sent taken in, or 95 % of its core busy), or packets are lost on the way into
 * the worker, or CAPACITY_MAX_GROUPS. Groups per worker: the most groups measured at or under
 * 80 %; when the generator or the cap stopped the ramp, that number is a lower bound and the
 * run says so.
 *
 * Baselines, from the same run, at that number of groups, in CAPACITY_ROUNDS (3) interleaved
 * rounds whose order alternates:
 * - bare mediasoup: plain mediasoup in a process of its own beside the server on core 0
 *   (support/capacityServer.ts `bare`: one worker, one WebRtcServer, one router per group, the
 *   session codecs and transport options, a minimal signaling), with as many groups from the
 *   same generator; in each round the server's groups send while bare mediasoup's are silent,
 *   and the other way round. The same forwarding with no Confidant around it: the ratio says
 *   what Confidant adds to a worker's load.
 * - idle: the server's worker while its groups are silent, every client still connected (what
 *   ICE consent checks and the transports cost without media).
 *
 * Then two servers, one worker each, on cores 0 and 1, the generator on both cores as well
 * (two cores are all this machine has: it competes with the workers, and each line says how
 * busy each core was); they start at one group each (CAPACITY_TWO_START) and gain one group
 * each per step, under the same rules.
 * Not a test: it prints figures and never fails on them.
 */
import os from 'node:os';
import type { DemoInfo } from '../src/shared/protocol.js';
import { signIn } from '../tests/server/support/signIn.js';
import type { ClientsToDriver, GeneratorCounters, GroupTarget, ServerMode, ServerToDriver, SfuStats } from './support/capacityMessages.js';
import { allowedCpus, coreTimes, cpuMsOf, cpuOf, hasTaskset, Inbox, loadAverage, softirqThreads, startScript } from './support/capacityProcs.js';
import { median, printBench, printBenchSpread } from './support/stats.js';

const env = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
};
const SETTLE_MS = env('CAPACITY_SETTLE_MS', 5000);
const WINDOW_MS = env('CAPACITY_WINDOW_MS', 5000);
const MAX_GROUPS = env('CAPACITY_MAX_GROUPS', 30);
const LIMIT = env('CAPACITY_LIMIT', 80);
const TWO_SERVERS = process.env['CAPACITY_TWO'] !== '0';
/** A window in which other processes took more than this (% of a core, both cores) is measured again… */
const OTHERS_LIMIT = env('CAPACITY_OTHERS_LIMIT', 15);
/** …at most this many more times, keeping the quietest. */
const RETRIES = env('CAPACITY_RETRIES', 4);
const GENERATOR_NICE = env('CAPACITY_GENERATOR_NICE', 10);
/** Interleaved rounds of the baselines. */
const ROUNDS = env('CAPACITY_ROUNDS', 3);
const BARE = process.env['CAPACITY_BARE'] !== '0';
/** Per group: 8 senders × (50 audio + 34.5 video packets/s); each packet forwarded to 7. */
const CLIENTS = 8;

const SOFTIRQ_THREADS = softirqThreads();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (n: number): string => `${n.toFixed(1)} %`;

interface Server {
  mode: ServerMode;
  label: string;
  inbox: Inbox<ServerToDriver>;
  pid: number;
  workerPid: number;
  wsUrl: string;
  info?: DemoInfo;
  token?: string;
  groups: number;
  /** The generator's index of each of its groups. */
  indices: number[];
}

async function startServer(mode: ServerMode, label: string, cpus: string): Promise<Server> {
  const inbox = new Inbox<ServerToDriver>(startScript('./capacityServer.ts', [mode], { cpus }), label);
  const ready = await inbox.next('ready');
  const server: Server = { mode, label, inbox, pid: ready.pid, workerPid: ready.workerPid, wsUrl: ready.wsUrl, info: ready.info, groups: 0, indices: [] };
  if (ready.info) {
    const f = ready.info.facilitator;
    server.token = await signIn(ready.info.httpUrl, f.username, f.password, f.totpSecret ?? '');
  }
  process.stderr.write(
    `capacity: ${label} (${mode}) pid ${ready.pid} on cores ${allowedCpus(ready.pid)}, its worker pid ${ready.workerPid} on cores ${allowedCpus(ready.workerPid)}\n`,
  );
  return server;
}

interface Generator {
  inbox: Inbox<ClientsToDriver>;
  pid: number;
  /** Whether it has a core to itself (the one-server runs). */
  ownCore: boolean;
}

async function startGenerator(cpus: string | undefined): Promise<Generator> {
  // CAPACITY_PROFILE=DIR: a CPU profile of each generator process, to see where its time goes.
  const profile = process.env['CAPACITY_PROFILE'];
  const execArgv = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
  // At nice 10: where it shares a core with a worker, the worker runs as soon as it has
  // packets, as on a server of its own, rather than waiting out the generator's time slice
  // while its socket's receive buffer (the kernel's default, 208 KiB) overflows.
  const inbox = new Inbox<ClientsToDriver>(startScript('./capacityClients.ts', [], { cpus, nice: GENERATOR_NICE, execArgv }), 'load generator');
  const ready = await inbox.next('ready');
  process.stderr.write(`capacity: load generator pid ${ready.pid} on cores ${allowedCpus(ready.pid)}\n`);
  return { inbox, pid: ready.pid, ownCore: cpus !== undefined && !cpus.includes(',') };
}

async function stopGenerator(gen: Generator): Promise<void> {
  gen.inbox.send({ type: 'close' });
  await gen.inbox.next('closed', 30_000).catch(() => undefined);
  // It exits by itself once closed (and writes its CPU profile, when asked for one).
  await gen.inbox.stop(10_000);
}

let groupIndex = 0;
const srtpProfiles = new Set<number>();

async function addGroup(server: Server, gen: Generator): Promise<number> {
  const index = ++groupIndex;
  let target: GroupTarget;
  if (server.mode === 'confidant') {
    server.inbox.send({ type: 'seed', groups: 1 });
    const [seed] = (await server.inbox.next('seeded')).groups;
    if (!seed || !server.info || !server.token) throw new Error('no group seeded');
    target = { mode: 'confidant', wsUrl: server.wsUrl, httpUrl: server.info.httpUrl, token: server.token, seed };
  } else {
    target = { mode: 'bare', wsUrl: server.wsUrl, group: `group-${index}` };
  }
  gen.inbox.send({ type: 'group', index, target });
  const ready = await gen.inbox.next('groupReady');
  if (ready.error) throw new Error(`group ${index} on ${server.label} failed: ${ready.error}`);
  for (const p of ready.srtpProfiles) srtpProfiles.add(p);
  server.groups++;
  server.indices.push(index);
  return ready.setupMs;
}

async function sfuStats(server: Server): Promise<SfuStats> {
  server.inbox.send({ type: 'stats' });
  return (await server.inbox.next('stats')).stats;
}

async function counters(gen: Generator): Promise<GeneratorCounters> {
  gen.inbox.send({ type: 'counters' });
  return (await gen.inbox.next('counters')).counters;
}

interface Measure {
  groups: number[];
  /** Each server's worker, and its Node process, in % of one core. */
  workerPct: number[];
  /** The system (kernel) part of each worker's: sockets, and loopback delivery charged to the sender. */
  workerSystemPct: number[];
  nodePct: number[];
  corePct: number[];
  generatorPct: number;
  /** Interrupt time and the ksoftirqd threads' (the network stack) on the cores, in % of one core, all cores. */
  irqPct: number;
  /** What processes other than this bench's took of the cores over the window, in % of one core. */
  othersPct: number;
  /** mediasoup's RTP counters over the window, all servers: Mbit/s in and out. */
  sfuInMbps: number;
  sfuOutMbps: number;
  sfuTotal: SfuStats;
  /** The generator's packets per second sent and received, and late ones skipped (share of due). */
  sentPps: number;
  receivedPps: number;
  receivedMbps: number;
  skipped: number;
  /** Received / (sent × 7): the share of what the SFU should forward that arrived. */
  delivered: number;
  /** The SFU's RTP bytes in / the generator's bytes sent: below 1, packets lost on the way into the worker. */
  ingress: number;
  /** The generator's RTP bytes received / the SFU's RTP bytes out: below 1, lost on the way to the generator. */
  egress: number;
  decryptedOk: number;
  decryptFailed: number;
  keyFrameRequests: number;
}

function sumStats(all: SfuStats[]): SfuStats {
  const total: SfuStats = { transports: 0, dtlsConnected: 0, producers: 0, consumers: 0, bytesReceived: 0, bytesSent: 0, rtpBytesReceived: 0, rtpBytesSent: 0, probationBytesSent: 0 };
  for (const s of all) for (const k of Object.keys(total) as (keyof SfuStats)[]) total[k] += s[k];
  return total;
}

/**
 * One window. mediasoup's counters are read just outside the CPU window, so the requests
 * for them (a getStats per transport, which the worker answers) are not in what is measured.
 */
async function measure(servers: Server[], gen: Generator, windowMs = WINDOW_MS): Promise<Measure> {
  const sfu0 = sumStats(await Promise.all(servers.map(sfuStats)));
  const sfuAt0 = performance.now();
  const gen0 = await counters(gen);
  const at0 = performance.now();
  const w0 = servers.map((s) => cpuOf(s.workerPid));
  const n0 = servers.map((s) => cpuMsOf(s.pid));
  const g0 = cpuMsOf(gen.pid);
  const c0 = coreTimes();
  const k0 = SOFTIRQ_THREADS.reduce((t, pid) => t + cpuMsOf(pid), 0);
  const d0 = process.cpuUsage();
  await sleep(windowMs);
  const d = process.cpuUsage(d0);
  const c1 = coreTimes();
  const k1 = SOFTIRQ_THREADS.reduce((t, pid) => t + cpuMsOf(pid), 0);
  const w1 = servers.map((s) => cpuOf(s.workerPid));
  const n1 = servers.map((s) => cpuMsOf(s.pid));
  const g1 = cpuMsOf(gen.pid);
  const at1 = performance.now();
  const gen1 = await counters(gen);
  const sfu1All = await Promise.all(servers.map(sfuStats));
  const sfuAt1 = performance.now();
  const sfu1 = sumStats(sfu1All);
  const wall = at1 - at0;
  const sfuSeconds = (sfuAt1 - sfuAt0) / 1000;
  const seconds = wall / 1000;
  const sent = gen1.rtpSent - gen0.rtpSent;
  const received = gen1.rtpReceived - gen0.rtpReceived;
  const due = gen1.rtpDue - gen0.rtpDue;
  const corePct = c1.map((c, i) => ((c.busy - c0[i]!.busy) / Math.max(1, c.total - c0[i]!.total)) * 100);
  const irqPct = [...c1.map((c, i) => ((c.irq - c0[i]!.irq) / Math.max(1, c.total - c0[i]!.total)) * 100), ((k1 - k0) / wall) * 100];
  const workerPct = w1.map((v, i) => ((v.user + v.system - w0[i]!.user - w0[i]!.system) / wall) * 100);
  const workerSystemPct = w1.map((v, i) => ((v.system - w0[i]!.system) / wall) * 100);
  const nodePct = n1.map((v, i) => ((v - n0[i]!) / wall) * 100);
  const generatorPct = ((g1 - g0) / wall) * 100;
  const driverPct = ((d.user + d.system) / 1000 / wall) * 100;
  const sum = (v: number[]): number => v.reduce((a, b) => a + b, 0);
  return {
    groups: servers.map((s) => s.groups),
    workerPct,
    workerSystemPct,
    nodePct,
    corePct,
    generatorPct,
    irqPct: sum(irqPct),
    othersPct: Math.max(0, sum(corePct) - sum(irqPct) - sum(workerPct) - sum(nodePct) - generatorPct - driverPct),
    sfuInMbps: ((sfu1.rtpBytesReceived - sfu0.rtpBytesReceived) * 8) / sfuSeconds / 1e6,
    sfuOutMbps: ((sfu1.rtpBytesSent - sfu0.rtpBytesSent) * 8) / sfuSeconds / 1e6,
    sfuTotal: sfu1,
    sentPps: sent / seconds,
    receivedPps: received / seconds,
    receivedMbps: ((gen1.rtpBytesReceived - gen0.rtpBytesReceived) * 8) / seconds / 1e6,
    skipped: due > 0 ? (gen1.rtpSkipped - gen0.rtpSkipped) / due : 0,
    delivered: sent > 0 ? received / (sent * (CLIENTS - 1)) : 0,
    ingress: (sfu1.rtpBytesReceived - sfu0.rtpBytesReceived) / sfuSeconds / Math.max(1, (gen1.rtpBytesSent - gen0.rtpBytesSent) / seconds),
    egress: (gen1.rtpBytesReceived - gen0.rtpBytesReceived) / seconds / Math.max(1, (sfu1.rtpBytesSent - sfu0.rtpBytesSent) / sfuSeconds),
    decryptedOk: gen1.decryptedOk - gen0.decryptedOk,
    decryptFailed: gen1.decryptFailed - gen0.decryptFailed,
    keyFrameRequests: gen1.keyFrameRequests - gen0.keyFrameRequests,
  };
}

/** A window; again (up to RETRIES times) while other processes took much of the cores, keeping the quietest. */
async function quietMeasure(servers: Server[], gen: Generator): Promise<Measure> {
  let m = await measure(servers, gen);
  for (let retry = 0; retry < RETRIES && m.othersPct > OTHERS_LIMIT; retry++) {
    process.stderr.write(`  (other processes took ${pct(m.othersPct)} of the cores: measuring again)\n`);
    const again = await measure(servers, gen);
    if (again.othersPct < m.othersPct) m = again;
  }
  return m;
}

function describe(m: Measure): string {
  const groups = m.groups.reduce((a, b) => a + b, 0);
  const workers = m.workerPct
    .map((w, i) => `worker ${i + 1} ${pct(w)} (${pct(m.workerSystemPct[i]!)} of it system; its server's Node ${pct(m.nodePct[i]!)})`)
    .join(', ');
  return (
    `  ${groups} groups (${m.groups.join(' + ')}), ${m.sfuTotal.consumers} consumers, ${m.sfuTotal.dtlsConnected}/${m.sfuTotal.transports} transports DTLS-connected: ` +
    `${workers}; generator ${pct(m.generatorPct)}; cores ${m.corePct.map((c) => pct(c)).join(' / ')} busy, ${pct(m.irqPct)} of it interrupts and ksoftirqd, ${pct(m.othersPct)} other processes'` +
    `${m.othersPct > OTHERS_LIMIT ? ' (CONTENDED)' : ''}\n` +
    `    SFU RTP in ${m.sfuInMbps.toFixed(1)} Mbit/s, out ${m.sfuOutMbps.toFixed(1)} Mbit/s (mediasoup's counters); generator sent ${m.sentPps.toFixed(0)} packets/s, ` +
    `received ${m.receivedPps.toFixed(0)} packets/s (${m.receivedMbps.toFixed(1)} Mbit/s, ${(m.delivered * 100).toFixed(1)} % of sent × 7; ` +
    `bytes into the SFU / sent ${m.ingress.toFixed(3)}, received / out of the SFU ${m.egress.toFixed(3)}), ` +
    `${(m.skipped * 100).toFixed(2)} % late; sampled SRTP ${m.decryptedOk} authenticated, ${m.decryptFailed} failed; ${m.keyFrameRequests} PLI/FIR\n`
  );
}

/**
 * Why the run cannot go on, other than a worker past the limit: the generator fell behind
 * (late packets, packets the SFU sent that it did not take in, its core full), which makes
 * the figure a lower bound; or packets were lost on the way into a worker, which a worker
 * with CPU to spare does not do unless something else holds its core.
 */
function otherLimit(m: Measure, gen: Generator): { why: string; lowerBound: boolean } | undefined {
  if (m.skipped > 0.02) return { why: `the load generator gave out (${(m.skipped * 100).toFixed(1)} % of its packets late)`, lowerBound: true };
  if (m.egress < 0.97) return { why: `the load generator gave out (it took in ${(m.egress * 100).toFixed(1)} % of what the SFU sent)`, lowerBound: true };
  if (gen.ownCore && m.generatorPct > 95) return { why: `the load generator gave out (its core ${pct(m.generatorPct)} busy)`, lowerBound: true };
  if (m.ingress < 0.97) {
    return {
      why: `packets lost on the way into the SFU (${(m.ingress * 100).toFixed(1)} % of those sent arrived; workers at ${m.workerPct.map(pct).join(', ')}, cores ${m.corePct.map(pct).join(' / ')} busy)`,
      lowerBound: false,
    };
  }
  return undefined;
}

/** Least squares: worker % = a + b × groups; the groups at LIMIT %. */
function fitGroupsAt(points: { groups: number; pct: number }[], limit: number): number {
  if (points.length < 2) return NaN;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.groups, 0) / n;
  const my = points.reduce((s, p) => s + p.pct, 0) / n;
  const b = points.reduce((s, p) => s + (p.groups - mx) * (p.pct - my), 0) / points.reduce((s, p) => s + (p.groups - mx) ** 2, 0);
  const a = my - b * mx;
  return (limit - a) / b;
}

interface Ramp {
  steps: Measure[];
  /** Most groups (per server) measured with every worker at or under LIMIT. */
  groups: number;
  /** Why the ramp stopped. */
  stoppedBy: string;
  /** Whether the generator or the cap, not the server, stopped it: the figure is a lower bound. */
  lowerBound: boolean;
}

async function ramp(servers: Server[], gen: Generator, startPerServer: number): Promise<Ramp> {
  const steps: Measure[] = [];
  let groups = 0;
  let contended = 0;
  for (;;) {
    const target = steps.length === 0 ? startPerServer : servers[0]!.groups + 1;
    if (target > MAX_GROUPS) return { steps, groups, stoppedBy: `the cap of ${MAX_GROUPS} groups per server (CAPACITY_MAX_GROUPS)`, lowerBound: true };
    const started = performance.now();
    for (const s of servers) while (s.groups < target) await addGroup(s, gen);
    const setupMs = performance.now() - started;
    await sleep(SETTLE_MS);
    const m = await quietMeasure(servers, gen);
    steps.push(m);
    process.stderr.write(`  (set up in ${(setupMs / 1000).toFixed(1)} s)\n${describe(m)}`);
    if (m.workerPct.some((w) => w > LIMIT)) return { steps, groups, stoppedBy: `a worker passed ${LIMIT} % of a core`, lowerBound: false };
    if (m.othersPct > OTHERS_LIMIT) {
      // Other processes held the cores through every window: this step says nothing either
      // way (loss into a worker is what a busy core causes); go on, unless it keeps happening.
      contended++;
      if (contended >= 3) return { steps, groups, stoppedBy: 'other processes held the cores for three steps', lowerBound: true };
      continue;
    }
    contended = 0;
    const limit = otherLimit(m, gen);
    // The step where it happened does not count: the figure is the last step that kept up.
    if (limit) return { steps, groups, stoppedBy: limit.why, lowerBound: limit.lowerBound };
    groups = target;
  }
}

async function main(): Promise<void> {
  if (!hasTaskset()) throw new Error('taskset (util-linux) is needed to pin the server to a core');
  if (os.availableParallelism() < 2) throw new Error('this bench needs two cores: one for the server, one for the load generator');
  const startedAt = performance.now();
  process.stderr.write(
    `capacity: ${os.availableParallelism()} cores, load average ${loadAverage().toFixed(2)} at start; groups of ${CLIENTS}; ` +
      `settle ${SETTLE_MS} ms, window ${WINDOW_MS} ms, limit ${LIMIT} % of a core, at most ${MAX_GROUPS} groups per server\n`,
  );

  // One server, one worker, core 0; the generator on core 1.
  process.stderr.write('capacity: one server on core 0, load generator on core 1\n');
  const one = await startServer('confidant', 'server', '0');
  let gen = await startGenerator('1');
  const single = await ramp([one], gen, 1);
  const atGroups = Math.max(1, single.groups);
  const fit = fitGroupsAt(
    single.steps.map((m) => ({ groups: m.groups[0]!, pct: m.workerPct[0]! })),
    LIMIT,
  );

  // Baselines at the figure's group count, interleaved: only the first `atGroups` groups of
  // the server send; then bare mediasoup (core 0 too, the same generator) with as many
  // groups, sending while the server's groups are silent; and so on, the order alternating.
  // Each silent worker's CPU is the idle baseline: its clients connected, no media.
  const productGroups = one.indices.slice(0, atGroups);
  gen.inbox.send({ type: 'sending', groups: productGroups });
  let bare: Server | undefined;
  if (BARE) {
    process.stderr.write(`capacity: bare mediasoup beside it on core 0 with ${atGroups} groups; rounds alternate which of the two sends\n`);
    bare = await startServer('bare', 'bare mediasoup', '0');
    for (let g = 0; g < atGroups; g++) await addGroup(bare, gen);
  }
  const productPct: number[] = [];
  const barePct: number[] = [];
  const idlePct: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order: ('product' | 'bare' | 'idle')[] = bare ? (round % 2 === 0 ? ['product', 'bare'] : ['bare', 'product']) : ['product', 'idle'];
    for (const which of order) {
      gen.inbox.send({ type: 'sending', groups: which === 'product' ? productGroups : which === 'bare' ? bare!.indices : [] });
      await sleep(SETTLE_MS);
      const m = await quietMeasure(bare ? [one, bare] : [one], gen);
      process.stderr.write(`  round ${round + 1}, ${which === 'product' ? `the server's ${atGroups} groups send` : which === 'bare' ? `bare mediasoup's ${atGroups} groups send` : 'nobody sends'}:\n${describe(m)}`);
      if (which === 'product') productPct.push(m.workerPct[0]!);
      else if (which === 'bare') barePct.push(m.workerPct[1]!);
      if (which !== 'product') idlePct.push(m.workerPct[0]!);
    }
  }
  const totals = await counters(gen);
  process.stderr.write(
    `capacity: the generator's totals so far: ${totals.rtpSent} RTP packets sent, ${totals.rtpReceived} received (${(totals.rtpBytesReceived / 1e9).toFixed(2)} GB), ` +
      `${totals.rtcpReceived} RTCP; ${totals.decryptedOk} sampled SRTP packets authenticated, ${totals.decryptFailed} failed; ` +
      `${totals.keyFrameRequests} PLI/FIR from the SFU; ${totals.rtpSkipped} of ${totals.rtpDue} packets skipped as late\n`,
  );
  await stopGenerator(gen);
  await Promise.all([one.inbox.stop(), bare?.inbox.stop()]);

  // Two servers, one worker each, on cores 0 and 1; the generator on both.
  let two: Ramp | undefined;
  if (TWO_SERVERS) {
    // The generator shares the cores here and falls behind early (at nice 10 the workers
    // come first), so the ramp starts low.
    const start = Math.max(1, env('CAPACITY_TWO_START', 1));
    process.stderr.write(`capacity: two servers on cores 0 and 1, load generator on both, from ${start} groups each\n`);
    const a = await startServer('confidant', 'server A', '0');
    const b = await startServer('confidant', 'server B', '1');
    gen = await startGenerator('0,1');
    two = await ramp([a, b], gen, start);
    await stopGenerator(gen);
    await Promise.all([a.inbox.stop(), b.inbox.stop()]);
  }

  // Figures.
  const productMedian = median(productPct);
  const bareMedian = median(barePct);
  // Baseline: what bare mediasoup's worker would carry at its median cost per group.
  printBench('capacity_groups_per_worker', single.groups, 'groups', bare ? LIMIT / (bareMedian / atGroups) : NaN);
  printBench('capacity_groups_per_worker_fit', fit, 'groups', bare ? LIMIT / (bareMedian / atGroups) : NaN);
  if (bare) printBenchSpread(`capacity_worker_cpu_${atGroups}_groups`, 50, productPct, barePct, '% of a core');
  printBenchSpread(`capacity_worker_cpu_${atGroups}_groups_vs_idle`, 50, productPct, idlePct, '% of a core');
  if (two) printBench('capacity_groups_two_servers', two.groups * 2, 'groups', single.groups * 2);

  process.stderr.write(
    `capacity: one worker carried ${single.groups} groups of ${CLIENTS} at or under ${LIMIT} % of a core` +
      `${single.lowerBound ? ' (a LOWER BOUND)' : ''}; the ramp stopped at ${single.steps.at(-1)!.groups[0]} groups: ${single.stoppedBy}. ` +
      `Linear fit of the steps: ${Number.isFinite(fit) ? fit.toFixed(1) : '—'} groups at ${LIMIT} %. ` +
      `At ${atGroups} groups, median of ${ROUNDS} interleaved rounds: the worker ${pct(productMedian)} (${pct(productMedian / atGroups)} a group)` +
      `${bare ? `, bare mediasoup's ${pct(bareMedian)} (ratio ${(productMedian / bareMedian).toFixed(2)})` : ''}; ` +
      `the worker idle with ${one.groups} groups connected ${pct(median(idlePct))}` +
      `${productMedian > LIMIT ? `. NOT CONFIRMED: the rounds put the worker past ${LIMIT} % at ${atGroups} groups; the ramp's window was a low one` : ''}.\n`,
  );
  if (two) {
    process.stderr.write(
      `capacity: two servers carried ${two.groups * 2} groups (${two.groups} each) at or under ${LIMIT} % per worker` +
        `${two.lowerBound ? ' (a LOWER BOUND)' : ''}; the ramp stopped at ${two.steps.at(-1)!.groups.join(' + ')} groups: ${two.stoppedBy}. The generator shared both cores with them.\n`,
    );
  }
  // The ramps in one table each, for the record.
  const table = (name: string, steps: Measure[]): void => {
    process.stderr.write(`capacity: ${name}, step by step (groups: workers % of a core | generator % | delivered % | other processes %):\n`);
    for (const m of steps) {
      process.stderr.write(
        `  ${m.groups.join(' + ')}: ${m.workerPct.map((w) => w.toFixed(1)).join(' + ')} | ${m.generatorPct.toFixed(1)} | ${(m.delivered * 100).toFixed(1)} | ${m.othersPct.toFixed(1)}` +
          `${m.othersPct > OTHERS_LIMIT ? ' (contended, not counted)' : ''}\n`,
      );
    }
  };
  table('one server', single.steps);
  if (two) table('two servers', two.steps);
  const profileNames: Record<number, string> = { 7: 'AEAD_AES_128_GCM', 1: 'AES_CM_128_HMAC_SHA1_80' };
  process.stderr.write(
    `capacity: SRTP profile(s) negotiated: ${[...srtpProfiles].map((p) => profileNames[p] ?? String(p)).join(', ')}; ` +
      `run took ${((performance.now() - startedAt) / 1000).toFixed(0)} s; load average ${loadAverage().toFixed(2)} at the end\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
