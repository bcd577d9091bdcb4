/**
 * The clients of bench/join.ts, in a process of their own, on one clock (performance.now()):
 * each client opens its socket from a loopback address of its own (127.0.x.y), as clients at
 * home do from theirs, so no per-address limit counts a group as one place. On "go", every
 * client sends its first frame in the same tick.
 *
 * Product: `hello` with link and passcode, then, on its answer, `checkIn`; timed from the
 * hello's send to the checkIn's answer (the waiting room on screen). The session's facilitator
 * is connected here too, so a knock's arrival is on the same clock as the checkIn's send, and
 * so is an admit's send and the `admitted` notification it brings the client.
 * Echo (the baseline): the same exchanges, frames of the same size, each answered by a raw
 * echo server, and each admit relayed by it from the facilitator's socket to the client's.
 */
import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import { clinicianHello } from '../../tests/support/clinicianHello.js';
import type { AdmitTimes, AdmitWay, BurstTimes, ClientsToDriver, DriverToClients, JoinGroup } from './joinMessages.js';
import {
  admitAllFrame,
  admitFrame,
  answerTo,
  arrival,
  checkInFrame,
  clientAddress,
  closeSocket,
  helloFrame,
  open,
  parse,
  request,
  requestFrame,
  within,
  type Arrival,
} from './joinSockets.js';

const send = (m: ClientsToDriver): void => {
  process.send?.(m);
};

/** How long a burst's knocks, or its admissions, may take before the run ends with an error. */
const STUCK_MS = 60_000;

interface Client {
  /** Starts this client's two exchanges; resolves with its join time and its checkIn's send time. */
  run(): Promise<{ joinMs: number; checkInSentAt: number }>;
  /** Known from the hello's answer (product) or from the start (echo). */
  participantId?: string;
  /** Its `admitted` notification (product), or its relayed admit (echo). */
  admitted: Arrival;
  close(): Promise<void>;
}

/** A group's facilitator: the socket admits go out on, and the group's clients. */
interface Desk {
  ws: WebSocket;
  clients: Client[];
}

let clients: Client[] = [];
let desks: Desk[] = [];
/** Whether knocks come (product); the echo has none. */
let knocks = false;
const knockAt = new Map<string, number>();
let onKnock: (() => void) | undefined;
/** Names the echo's groups apart from one burst to the next. */
let echoBursts = 0;

async function prepareProduct(groups: JoinGroup[], token: string, httpUrl: string, wsUrl: string): Promise<void> {
  knocks = true;
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
    desks.push({ ws: fac, clients: [] });
  }
  let i = 0;
  const opened = groups.map((g, gi) =>
    g.invitations.map(async (inv): Promise<void> => {
      const ws = await open(wsUrl, clientAddress(i++));
      const admitted = arrival();
      ws.on('message', (raw) => {
        if (parse(raw).notification === 'admitted') admitted.mark();
      });
      const client: Client = {
        admitted,
        async run() {
          const t0 = performance.now();
          const hello = await requestFrame(ws, 1, helloFrame(inv.token, inv.passcode));
          client.participantId = String(hello.participantId);
          const agreement = hello.agreement as { version: string };
          const checkInSentAt = performance.now();
          await requestFrame(ws, 2, checkInFrame(agreement.version));
          return { joinMs: performance.now() - t0, checkInSentAt };
        },
        async close() {
          // Leave, then close: a socket that only closes keeps its place for the reconnect
          // grace period.
          await request(ws, 3, 'leave', {}).catch(() => undefined);
          await closeSocket(ws);
        },
      };
      desks[gi]!.clients.push(client);
    }),
  );
  await Promise.all(opened.flat());
  clients = desks.flatMap((d) => d.clients);
}

async function prepareEcho(url: string, groups: number, clientsPerGroup: number): Promise<void> {
  knocks = false;
  const burst = ++echoBursts;
  // Frames the size of a real hello: a 43-character link token and a 6-digit passcode.
  const token = 'x'.repeat(43);
  for (let g = 0; g < groups; g++) desks.push({ ws: await open(`${url}/relay?group=${burst}-${g}`), clients: [] });
  let i = 0;
  const opened = desks.map((desk, g) =>
    Array.from({ length: clientsPerGroup }, async (): Promise<void> => {
      const participantId = randomUUID();
      const ws = await open(`${url}/?group=${burst}-${g}&id=${participantId}`, clientAddress(i++));
      const admitted = arrival();
      // Parsed as the product's frames are, so both sides do the same client work.
      const exchange = (frame: string): Promise<void> =>
        new Promise((resolve) => {
          ws.once('message', (raw) => {
            parse(raw);
            resolve();
          });
          ws.send(frame);
        });
      ws.on('message', (raw) => {
        const { method } = parse(raw);
        if (method === 'admit' || method === 'admitAll') admitted.mark();
      });
      desk.clients.push({
        participantId,
        admitted,
        async run() {
          const t0 = performance.now();
          await exchange(helloFrame(token, '123456'));
          const checkInSentAt = performance.now();
          await exchange(checkInFrame('2026-11'));
          return { joinMs: performance.now() - t0, checkInSentAt };
        },
        close: () => closeSocket(ws),
      });
    }),
  );
  await Promise.all(opened.flat());
  clients = desks.flatMap((d) => d.clients);
}

async function go(): Promise<BurstTimes> {
  // Every client starts in this one tick: a group opening its links at the start time.
  const results = await Promise.all(clients.map((c) => c.run()));
  const joinMs = results.map((r) => r.joinMs);
  if (!knocks) return { joinMs, knockMs: [] };
  await within(
    STUCK_MS,
    'knocks',
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (clients.every((c) => knockAt.has(c.participantId!))) resolve();
      };
      onKnock = check;
      check();
    }),
  );
  onKnock = undefined;
  return { joinMs, knockMs: clients.map((c, i) => knockAt.get(c.participantId!)! - results[i]!.checkInSentAt) };
}

/** One group's facilitator admits its waiting room; `each`: per client, `all`: the group's last. */
async function admitGroup(desk: Desk, way: AdmitWay): Promise<number[]> {
  let id = 10;
  if (way === 'all') {
    const sentAt = performance.now();
    await answerTo(desk.ws, id, admitAllFrame(id));
    const last = Math.max(...(await Promise.all(desk.clients.map((c) => c.admitted.at))));
    return [last - sentAt];
  }
  // The order of the knocks on the facilitator's list (the echo's clients, in their order);
  // the next click when the last admit is answered.
  const order = knocks ? [...desk.clients].sort((a, b) => knockAt.get(a.participantId!)! - knockAt.get(b.participantId!)!) : desk.clients;
  const sentAt: number[] = [];
  for (const client of order) {
    id++;
    sentAt.push(performance.now());
    await answerTo(desk.ws, id, admitFrame(id, client.participantId!));
  }
  const at = await Promise.all(order.map((c) => c.admitted.at));
  return at.map((t, i) => t - sentAt[i]!);
}

async function admit(way: AdmitWay): Promise<AdmitTimes> {
  const times = (await within(STUCK_MS, 'admissions', Promise.all(desks.map((d) => admitGroup(d, way))))).flat();
  return way === 'each' ? { admitMs: times, admitAllMs: [] } : { admitMs: [], admitAllMs: times };
}

async function disperse(): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(desks.map((d) => closeSocket(d.ws)));
  clients = [];
  desks = [];
}

process.on('message', (raw) => {
  const m = raw as DriverToClients;
  const run = async (): Promise<void> => {
    switch (m.type) {
      case 'prepare':
        if (m.target === 'product') await prepareProduct(m.groups, m.token, m.httpUrl, m.wsUrl);
        else await prepareEcho(m.url, m.groups, m.clientsPerGroup);
        return send({ type: 'prepared' });
      case 'go':
        return send({ type: 'done', times: await go() });
      case 'admit':
        return send({ type: 'admitted', times: await admit(m.way) });
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
