/**
 * Knock latency: how long from a client sending `checkIn` until the facilitator's console
 * receives that client's `knock`, with 50 clients checking in at once.
 *
 * Three processes, so that neither the load nor the measurement shares an event loop with
 * the server: the server (bench/support/knockServer.ts), the 50 clients
 * (bench/support/knockClients.ts), and this driver, which holds the facilitator's socket.
 *
 * A knock's send time is taken in the clients process and its arrival here, so the two
 * clocks must be related. Both are performance.now() (monotonic); the driver estimates the
 * clients process's offset NTP-style over IPC: it sends t0, the child answers with its own
 * t1, the answer arrives at t2; offset ≈ t1 − (t0 + t2)/2, with error at most (t2 − t0)/2.
 * The sample with the smallest round trip wins (typically tens of microseconds, well below
 * the millisecond figures measured), and the bench prints that bound.
 *
 * Baseline (DESIGN.md, "Benchmarks"): 50 concurrent raw WebSocket round trips from the same
 * clients process to an echo server inside the server process, measured on one clock: one
 * round after each round of knocks, while the same 50 participants are connected, so the value
 * and its baseline see the same machine state.
 * Not a test: it prints figures and never fails.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { totp } from '../src/server/auth/totp.js';
import type { DemoInfo } from '../src/shared/protocol.js';
import { clinicianHello } from '../tests/support/clinicianHello.js';
import type { ClientsToDriver, DriverToClients, ServerMessage } from './support/knockMessages.js';

const CLIENTS = 50;
const ROUNDS = 10;
const WARMUP_ROUNDS = 2;

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

function spawnTs(script: string, args: string[]): ChildProcess {
  return fork(here(script), args, { execPath: tsx, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function nextMessage<T>(child: ChildProcess, match: (m: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (raw: unknown): void => {
      const m = raw as T & { type?: string; message?: string };
      if (m.type === 'error') {
        cleanup();
        reject(new Error(m.message));
      } else if (match(m)) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (): void => {
      cleanup();
      reject(new Error('child exited'));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

async function main(): Promise<void> {
  const server = spawnTs('./support/knockServer.ts', [String(CLIENTS)]);
  const ready = await nextMessage<ServerMessage>(server, (m) => m.type === 'ready');
  const info: DemoInfo = ready.info;

  // The facilitator, in this process: knocks are timestamped on arrival here.
  const login = await fetch(`${info.httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: info.facilitator.username,
      password: info.facilitator.password,
      totp: totp(info.facilitator.totpSecret ?? ''),
    }),
  });
  const { token } = (await login.json()) as { token: string };
  const facilitator = new WebSocket(info.wsUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => facilitator.once('open', resolve).once('error', reject));
  const knockAt = new Map<string, number>();
  let onKnock: (() => void) | undefined;
  let leftCount = 0;
  let onLeft: (() => void) | undefined;
  facilitator.on('message', (raw) => {
    const now = performance.now();
    const frame = JSON.parse(String(raw)) as { notification?: string; data?: { participant?: { participantId: string } } };
    if (frame.notification === 'knock' && frame.data?.participant) {
      knockAt.set(frame.data.participant.participantId, now);
      onKnock?.();
    } else if (frame.notification === 'participantLeft') {
      leftCount++;
      onLeft?.();
    }
  });
  const helloReply = new Promise((resolve) => facilitator.once('message', resolve));
  const hello = await clinicianHello(info.httpUrl, token, info.sessionId);
  facilitator.send(JSON.stringify({ id: 1, method: 'hello', data: hello }));
  await helloReply;

  const clients = spawnTs('./support/knockClients.ts', [JSON.stringify(info), ready.echoUrl]);
  const tell = (m: DriverToClients): void => {
    clients.send(m);
  };

  // Clock offset of the clients process relative to this one (see the header comment).
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    const pong = nextMessage<ClientsToDriver & { type: 'pong' }>(clients, (m) => m.type === 'pong');
    tell({ type: 'ping', t0 });
    const { t1 } = await pong;
    const t2 = performance.now();
    if (t2 - t0 < best.rtt) best = { rtt: t2 - t0, offset: t1 - (t0 + t2) / 2 };
  }

  const latencies: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    tell({ type: 'prepare', round });
    const { participantIds } = await nextMessage<ClientsToDriver & { type: 'prepared' }>(clients, (m) => m.type === 'prepared');
    knockAt.clear();
    const allKnocked = new Promise<void>((resolve) => {
      onKnock = () => {
        if (participantIds.every((id) => knockAt.has(id))) resolve();
      };
    });
    tell({ type: 'go', round });
    const { sentAt } = await nextMessage<ClientsToDriver & { type: 'sent' }>(clients, (m) => m.type === 'sent');
    await allKnocked;
    if (round >= WARMUP_ROUNDS) {
      for (const id of participantIds) {
        const sent = sentAt[id];
        const got = knockAt.get(id);
        if (sent !== undefined && got !== undefined) latencies.push(got - (sent - best.offset));
      }
    }
    // The baseline's round right after this one, with the same sockets open and the same
    // machine state, once the round's answers have settled.
    await new Promise((res) => setTimeout(res, 50));
    tell({ type: 'echo', round });
    const { rttsMs } = await nextMessage<ClientsToDriver & { type: 'echoed' }>(clients, (m) => m.type === 'echoed' && m.round === round);
    if (round >= WARMUP_ROUNDS) baseline.push(...rttsMs);
    leftCount = 0;
    const allLeft = new Promise<void>((resolve) => {
      onLeft = () => {
        if (leftCount >= participantIds.length) resolve();
      };
    });
    tell({ type: 'disperse', round });
    await nextMessage<ClientsToDriver & { type: 'dispersed' }>(clients, (m) => m.type === 'dispersed');
    await allLeft;
  }

  for (const [name, p] of [
    ['knock_latency_p50', 50],
    ['knock_latency_p99', 99],
  ] as const) {
    const value = percentile(latencies, p);
    const base = percentile(baseline, p);
    console.log(`BENCH ${JSON.stringify({ name, value: round3(value), unit: 'ms', baseline: round3(base), ratio: round3(value / base) })}`);
  }
  process.stderr.write(
    `knock: ${latencies.length} samples over ${ROUNDS} rounds of ${CLIENTS}; baseline ${baseline.length} raw round trips; ` +
      `clock offset uncertainty ±${round3(best.rtt / 2)} ms\n`,
  );

  tell({ type: 'exit' });
  facilitator.close();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
