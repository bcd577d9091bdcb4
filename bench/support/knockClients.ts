/**
 * The load side of bench/knock.ts, run as a separate process: 50 participants that connect,
 * say hello and, on "go", all check in within one tick; and the baseline, 50 concurrent raw
 * WebSocket round trips to the echo server, one round after each round of check-ins. Times are this process's performance.now();
 * the driver maps them onto its own clock (see bench/knock.ts).
 */
import WebSocket from 'ws';
import type { DemoInfo } from '../../src/shared/protocol.js';
import type { ClientsToDriver, DriverToClients } from './knockMessages.js';

const info = JSON.parse(process.argv[2] ?? '{}') as DemoInfo;
const echoUrl = process.argv[3] ?? '';

function send(m: ClientsToDriver): void {
  process.send?.(m);
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<{ id?: number; ok?: boolean; data?: Record<string, unknown> }> {
  return new Promise((resolve) => ws.once('message', (raw) => resolve(JSON.parse(String(raw)))));
}

interface Participant {
  ws: WebSocket;
  participantId: string;
  agreementVersion: string;
}

let participants: Participant[] = [];

async function prepare(): Promise<string[]> {
  participants = await Promise.all(
    info.invitations.map(async (inv) => {
      const ws = await open(info.wsUrl);
      const reply = nextMessage(ws);
      ws.send(JSON.stringify({ id: 1, method: 'hello', data: { as: 'participant', invite: inv.token, passcode: inv.passcode } }));
      const r = await reply;
      if (!r.ok || !r.data) throw new Error('hello failed');
      const agreement = r.data.agreement as { version: string };
      return { ws, participantId: String(r.data.participantId), agreementVersion: agreement.version };
    }),
  );
  return participants.map((p) => p.participantId);
}

function go(): Record<string, number> {
  const sentAt: Record<string, number> = {};
  // All 50 in one tick: the server sees them as one burst, as when a group opens.
  for (const p of participants) {
    const frame = JSON.stringify({
      id: 2,
      method: 'checkIn',
      data: { displayName: 'Bench', agreementVersion: p.agreementVersion, media: { audio: true, video: true } },
    });
    sentAt[p.participantId] = performance.now();
    p.ws.send(frame);
  }
  return sentAt;
}

async function disperse(): Promise<void> {
  await Promise.all(
    participants.map(
      (p) =>
        new Promise<void>((resolve) => {
          p.ws.once('close', () => resolve());
          // Leave, then close: a socket that only closes keeps its place in the waiting room
          // for the reconnect grace period, and the driver waits for everyone to have left.
          p.ws.on('message', (raw) => {
            if ((JSON.parse(String(raw)) as { id?: number }).id === 3) p.ws.close();
          });
          p.ws.send(JSON.stringify({ id: 3, method: 'leave', data: {} }));
        }),
    ),
  );
  participants = [];
}

let echoSockets: WebSocket[] = [];

/** One baseline round on sockets kept open between rounds, as the participants' are. */
async function echoRound(concurrency: number): Promise<number[]> {
  if (echoSockets.length === 0) echoSockets = await Promise.all(Array.from({ length: concurrency }, () => open(echoUrl)));
  // A frame of about the size of a checkIn request.
  const payload = JSON.stringify({
    id: 2,
    method: 'checkIn',
    data: { displayName: 'Bench', agreementVersion: '2026-11', media: { audio: true, video: true } },
  });
  return Promise.all(
    echoSockets.map(
      (ws) =>
        new Promise<number>((resolve) => {
          const t0 = performance.now();
          ws.once('message', () => resolve(performance.now() - t0));
          ws.send(payload);
        }),
    ),
  );
}

process.on('message', (raw) => {
  const m = raw as DriverToClients;
  const run = async (): Promise<void> => {
    switch (m.type) {
      case 'ping':
        return send({ type: 'pong', t0: m.t0, t1: performance.now() });
      case 'prepare':
        return send({ type: 'prepared', round: m.round, participantIds: await prepare() });
      case 'go':
        return send({ type: 'sent', round: m.round, sentAt: go() });
      case 'disperse':
        await disperse();
        return send({ type: 'dispersed', round: m.round });
      case 'echo':
        return send({ type: 'echoed', round: m.round, rttsMs: await echoRound(info.invitations.length) });
      case 'exit':
        for (const ws of echoSockets) ws.close();
        process.exit(0);
    }
  };
  run().catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
});
process.on('disconnect', () => process.exit(0));
