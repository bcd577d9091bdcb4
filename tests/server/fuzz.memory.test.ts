/**
 * Memory stays bounded under bad input: 100,000 frames from clients in every state (refused
 * before hello, forbidden while waiting, unknown ids while admitted, relayed messages, and
 * garbage on sockets that the flood limit keeps closing and that reconnect), against the
 * real server in this process, so its heap can be measured after a full collection.
 *
 * The bound: a server that kept anything per frame (a timestamp in a limiter, a pending
 * promise, a log entry, a listener) would keep at least a few dozen bytes for each, so
 * 100,000 frames would leave several megabytes behind. After the frames, with all the same
 * long-lived sockets still open, the heap may be at most MAX_HEAP_GROWTH larger than it
 * was after a warm-up of the same traffic (which fills caches, JIT code and pools). RSS is
 * bounded loosely as well, for native leaks such as sockets never destroyed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { FLOOD_LIMIT } from '../../src/shared/protocol.js';
import { connectedTransport } from './support/media.js';
import { admitted, connectClinician, knock, type Invitation } from './support/testServer.js';
import { TestClient } from './support/wsClient.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const FRAMES = 100_000;
const WARMUP_FRAMES = 10_000;
/** 20 bytes a frame over 100,000 frames; a leak of one small object per frame exceeds it. */
const MAX_HEAP_GROWTH = 2 * 1024 * 1024;
const MAX_RSS_GROWTH = 48 * 1024 * 1024;
/** Frames in flight per socket: enough to keep the server busy, few enough to stay fair. */
const WINDOW = 32;

// A full collection on demand, without a command-line flag (vitest starts the workers).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// The sockets that never say hello must outlive the run; the timeout has its own test.
// The per-socket request rate (media.caps.test.ts) would answer nearly every frame
// RATE_LIMITED before it reached the paths whose memory this run measures.
const demo = sharedTestDemo(8, {}, { limits: { helloTimeoutMs: 10 * 60_000, requestBurst: 1_000_000, requestsPerSecond: 1_000_000 } });

/** A socket that sends one frame template over and over, WINDOW at a time, and counts answers. */
class Sender {
  private answered = 0;
  private wake: (() => void) | undefined;
  readonly codes = new Map<string, number>();

  constructor(
    readonly ws: WebSocket,
    private readonly frame: (id: number) => string,
  ) {
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id?: number | null; ok?: boolean; error?: { code: string } };
      if (!('id' in msg)) return; // notifications
      const code = msg.ok ? 'ok' : (msg.error?.code ?? '?');
      this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
      this.answered++;
      this.wake?.();
    });
  }

  /** Sends `count` frames; resolves when all are answered. */
  async send(count: number, startId: number): Promise<void> {
    const target = this.answered + count;
    let sent = 0;
    while (this.answered < target) {
      while (sent < count && sent - (this.answered - (target - count)) < WINDOW) {
        this.ws.send(this.frame(startId + sent));
        sent++;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

async function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return ws;
}

/** Garbage until the flood limit closes the socket, then a new socket, `count` frames in all. */
async function churn(count: number): Promise<number> {
  let sockets = 0;
  for (let left = count; left > 0; ) {
    const ws = await open(demo.info.wsUrl);
    sockets++;
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const burst = Math.min(left, FLOOD_LIMIT);
    for (let i = 0; i < burst; i++) ws.send(`not json ${i}`);
    left -= burst;
    if (burst === FLOOD_LIMIT) expect(await closed).toBe(1008);
    else {
      ws.close();
      await closed;
    }
  }
  return sockets;
}

function heap(): { heapUsed: number; rss: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

it(`keeps memory bounded over ${FRAMES.toLocaleString('en')} bad frames`, { timeout: 180_000 }, async () => {
  const inv = (i: number): Invitation => demo.info.invitations[i]!;
  const fac = await connectClinician(demo.info);
  const waiting = await Promise.all([0, 1, 2].map((i) => knock(demo.info, inv(i))));
  const inCall = await Promise.all([3, 4, 5].map((i) => admitted(demo.info, inv(i), fac.client, `Admitted ${i}`)));
  // Real media state on the admitted ones, so their frames pass through rooms and media.
  await Promise.all(inCall.map((p) => connectedTransport(p.client, 'recv')));

  const senders: Sender[] = [];
  for (let i = 0; i < 3; i++) {
    senders.push(new Sender(await open(demo.info.wsUrl), (id) => JSON.stringify({ id, method: 'checkIn', data: { displayName: 'x' } })));
  }
  for (const p of waiting) {
    // Forbidden while waiting: nothing flows to a client before admission.
    senders.push(new Sender(p.client.socket, (id) => JSON.stringify({ id: id + 1000, method: 'resumeConsumer', data: { consumerId: `c-${id}` } })));
  }
  for (const [n, p] of inCall.entries()) {
    senders.push(
      new Sender(p.client.socket, (id) =>
        JSON.stringify(
          id % 4 === 0
            ? { id: id + 1000, method: 'message', data: { to: 'facilitator', text: `note ${id}` } }
            : { id: id + 1000, method: 'resumeConsumer', data: { consumerId: `nope-${n}-${id}` } },
        ),
      ),
    );
  }
  senders.push(new Sender(fac.client.socket, (id) => JSON.stringify({ id: id + 1000, method: 'mute', data: { participantId: `nobody-${id}`, kind: 'audio' } })));

  /** Spreads `total` frames over the senders and two churning sockets, in parallel. */
  const run = async (total: number, startId: number): Promise<void> => {
    const churnShare = Math.floor(total / 10);
    const each = Math.floor((total - churnShare) / senders.length);
    await Promise.all([
      ...senders.map((s) => s.send(each, startId)),
      churn(Math.floor(churnShare / 2)),
      churn(churnShare - Math.floor(churnShare / 2)),
    ]);
  };

  // The test's own record of the facilitator's notifications is not the server's memory.
  const forgetNotifications = (): void => void fac.client.notifications.splice(0);
  await run(WARMUP_FRAMES, 0);
  forgetNotifications();
  const before = heap();
  const started = performance.now();
  await run(FRAMES, WARMUP_FRAMES);
  const seconds = (performance.now() - started) / 1000;
  forgetNotifications();
  const after = heap();

  const codes = new Map<string, number>();
  for (const s of senders) for (const [c, n] of s.codes) codes.set(c, (codes.get(c) ?? 0) + n);
  const growth = { heap: after.heapUsed - before.heapUsed, rss: after.rss - before.rss };
  console.info(
    `${FRAMES} frames in ${seconds.toFixed(1)} s; heap ${(before.heapUsed / 2 ** 20).toFixed(1)} → ${(after.heapUsed / 2 ** 20).toFixed(1)} MiB, ` +
      `rss ${(before.rss / 2 ** 20).toFixed(1)} → ${(after.rss / 2 ** 20).toFixed(1)} MiB; answers ${JSON.stringify(Object.fromEntries(codes))}`,
  );
  // Every kind of answer the traffic was built to provoke, and nothing the server could not handle.
  expect([...codes.keys()].sort()).toEqual(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED', 'ok']);
  expect(growth.heap).toBeLessThan(MAX_HEAP_GROWTH);
  expect(growth.rss).toBeLessThan(MAX_RSS_GROWTH);

  // Still serving: everyone long-lived is open and a new client gets through.
  for (const s of senders) expect(s.ws.readyState).toBe(WebSocket.OPEN);
  const late = await TestClient.connect(demo.info.wsUrl);
  expect(await late.request('hello', { as: 'participant', invite: inv(6).token, passcode: inv(6).passcode })).toMatchObject({ ok: true });
  await late.close();
  await Promise.all([...waiting, ...inCall].map((p) => p.client.close()));
  await fac.client.close();
});
