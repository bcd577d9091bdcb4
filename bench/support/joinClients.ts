/**
 * The clients of bench/join.ts, in a process of their own, on one clock (performance.now()):
 * each client opens its socket from a loopback address of its own (127.0.x.y), as clients at
 * home do from theirs, so no per-address limit counts a group as one place. On "go", every
 * client sends its first frame in the same tick.
 *
 * Product: `hello` with link and passcode, then, on its answer, `checkIn`; timed from the
 * hello's send to the checkIn's answer (the waiting room on screen). The session's facilitator
 * is connected here too, so a knock's arrival is on the same clock as the checkIn's send.
 * Echo (the baseline): the same two exchanges, frames of the same size, each answered by a raw
 * echo server.
 */
import WebSocket from 'ws';
import { clinicianHello } from '../../tests/support/clinicianHello.js';
import type { BurstTimes, ClientsToDriver, DriverToClients, JoinGroup } from './joinMessages.js';

const send = (m: ClientsToDriver): void => {
  process.send?.(m);
};

/** The i-th client's own loopback address: 127.0.1.1, 127.0.1.2, … 127.0.1.250, 127.0.2.1, … */
export function clientAddress(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

function open(url: string, localAddress?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...(localAddress ? { localAddress } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

interface Frame {
  id?: number;
  ok?: boolean;
  data?: Record<string, unknown>;
  error?: { code: string; message: string };
  notification?: string;
}
const parse = (raw: WebSocket.RawData): Frame => JSON.parse(String(raw)) as Frame;

/** One request (frame `frame`, id `id`) on a socket; rejects on an error answer. */
function requestFrame(ws: WebSocket, id: number, frame: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMessage = (raw: WebSocket.RawData): void => {
      const f = parse(raw);
      if (f.id !== id) return;
      ws.off('message', onMessage);
      if (f.ok && f.data) resolve(f.data);
      else reject(new Error(`request ${id} failed: ${f.error?.code ?? '?'} ${f.error?.message ?? ''}`));
    };
    ws.on('message', onMessage);
    ws.send(frame);
  });
}

const request = (ws: WebSocket, id: number, method: string, data: unknown): Promise<Record<string, unknown>> =>
  requestFrame(ws, id, JSON.stringify({ id, method, data }));

/** What the burst sends: the same frames for the product and the echo. */
const helloFrame = (invite: string, passcode: string): string => JSON.stringify({ id: 1, method: 'hello', data: { as: 'participant', invite, passcode } });
const checkInFrame = (agreementVersion: string): string =>
  JSON.stringify({ id: 2, method: 'checkIn', data: { displayName: 'Bench', agreementVersion, media: { audio: true, video: true } } });

interface Prepared {
  /** Starts this client's two exchanges; resolves with its join time and its checkIn's send time. */
  run(): Promise<{ joinMs: number; checkInSentAt: number; participantId?: string }>;
  close(): Promise<void>;
}

let clients: Prepared[] = [];
let facilitators: WebSocket[] = [];
const knockAt = new Map<string, number>();
let onKnock: (() => void) | undefined;

async function prepareProduct(groups: JoinGroup[], token: string, httpUrl: string, wsUrl: string): Promise<void> {
  knockAt.clear();
  // One facilitator per group, each with a fresh ticket (one at a time, as a console asks).
  for (const g of groups) {
    const fac = await open(wsUrl);
    await request(fac, 1, 'hello', await clinicianHello(httpUrl, token, g.sessionId));
    fac.on('message', (raw) => {
      const f = parse(raw);
      if (f.notification !== 'knock') return;
      const participant = f.data?.participant as { participantId?: string } | undefined;
      if (participant?.participantId) {
        knockAt.set(participant.participantId, performance.now());
        onKnock?.();
      }
    });
    facilitators.push(fac);
  }
  const invitations = groups.flatMap((g) => g.invitations);
  clients = await Promise.all(
    invitations.map(async (inv, i): Promise<Prepared> => {
      const ws = await open(wsUrl, clientAddress(i));
      return {
        async run() {
          const t0 = performance.now();
          const hello = await requestFrame(ws, 1, helloFrame(inv.token, inv.passcode));
          const agreement = hello.agreement as { version: string };
          const checkInSentAt = performance.now();
          await requestFrame(ws, 2, checkInFrame(agreement.version));
          return { joinMs: performance.now() - t0, checkInSentAt, participantId: String(hello.participantId) };
        },
        async close() {
          // Leave, then close: a socket that only closes keeps its place for the reconnect
          // grace period.
          await request(ws, 3, 'leave', {}).catch(() => undefined);
          await new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            ws.close();
          });
        },
      };
    }),
  );
}

async function prepareEcho(url: string, count: number): Promise<void> {
  // Frames the size of a real hello: a 43-character link token and a 6-digit passcode.
  const token = 'x'.repeat(43);
  clients = await Promise.all(
    Array.from({ length: count }, async (_, i): Promise<Prepared> => {
      const ws = await open(url, clientAddress(i));
      const exchange = (frame: string): Promise<void> =>
        new Promise((resolve) => {
          // Parsed as the product's answers are, so both sides do the same client work.
          ws.once('message', (raw) => {
            parse(raw);
            resolve();
          });
          ws.send(frame);
        });
      return {
        async run() {
          const t0 = performance.now();
          await exchange(helloFrame(token, '123456'));
          const checkInSentAt = performance.now();
          await exchange(checkInFrame('2026-11'));
          return { joinMs: performance.now() - t0, checkInSentAt };
        },
        close: () =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            ws.close();
          }),
      };
    }),
  );
}

async function go(): Promise<BurstTimes> {
  // Every client starts in this one tick: a group opening its links at the start time.
  const results = await Promise.all(clients.map((c) => c.run()));
  const joinMs = results.map((r) => r.joinMs);
  const expected = results.flatMap((r) => (r.participantId ? [r] : []));
  if (expected.length === 0) return { joinMs, knockMs: [] };
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (expected.every((r) => knockAt.has(r.participantId!))) resolve();
    };
    onKnock = check;
    check();
  });
  onKnock = undefined;
  return { joinMs, knockMs: expected.map((r) => knockAt.get(r.participantId!)! - r.checkInSentAt) };
}

async function disperse(): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(
    facilitators.map(
      (fac) =>
        new Promise<void>((resolve) => {
          fac.once('close', () => resolve());
          fac.close();
        }),
    ),
  );
  clients = [];
  facilitators = [];
}

process.on('message', (raw) => {
  const m = raw as DriverToClients;
  const run = async (): Promise<void> => {
    switch (m.type) {
      case 'prepare':
        if (m.target === 'product') await prepareProduct(m.groups, m.token, m.httpUrl, m.wsUrl);
        else await prepareEcho(m.url, m.clients);
        return send({ type: 'prepared' });
      case 'go':
        return send({ type: 'done', times: await go() });
      case 'disperse':
        await disperse();
        return send({ type: 'dispersed' });
      case 'exit':
        process.exit(0);
    }
  };
  run().catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
});
process.on('disconnect', () => process.exit(0));
