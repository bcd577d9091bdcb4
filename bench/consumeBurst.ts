/**
 * "Admit all" over a real network's round trips, without a browser: how long until the
 * console has every admitted client's audio and video, when each signaling message takes
 * as long as it does on a home connection.
 *
 * bench/browserLoad.ts runs nine Chromium pages on this machine and so mostly measures its
 * CPUs; on loopback a round trip costs nothing, which hides what the number of sequential
 * round trips costs. Here every member is a real RoomClient on mediasoup-client's
 * FakeHandler (tests/support/fakeMedia.ts: no packets, no decoding) against the real server
 * as a child process, and every signaling socket goes through a proxy that holds each chunk
 * for BENCH_ONE_WAY_MS (default 40, i.e. an 80 ms round trip) in each direction.
 *
 * Figure: from "Admit all" for seven waiting clients until the console has all fourteen of
 * their tracks. Baseline, same run and link: one client admitted alone, until the console
 * has its two tracks. Not a test: it prints figures and never fails.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { RoomClient } from '../src/client/roomClient';
import { SignalingClient } from '../src/client/signaling';
import type { ClinicianHelloResult, RtpCapabilities } from '../src/shared/protocol';
import { login } from '../tests/server/support/testServer';
import { clinicianHello } from '../tests/support/clinicianHello';
import { startDemoServer } from '../tests/support/demoServer';
import { fakeDevice, fakeStream } from '../tests/support/fakeMedia';
import { printBench } from './support/stats';

const ONE_WAY_MS = Number(process.env['BENCH_ONE_WAY_MS'] ?? 40);
const TOGETHER = 7;

/** A TCP proxy to `port` that delivers each chunk `delayMs` after it arrived, in order. */
async function delayProxy(port: number, delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket): void => {
    from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), delayMs));
    from.on('close', () => setTimeout(() => to.destroy(), delayMs));
    from.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

interface Member {
  signaling: SignalingClient;
  room: RoomClient;
  /** When each track arrived (performance.now()). */
  tracks: number[];
}

async function member(wsUrl: string): Promise<Member> {
  const signaling = await SignalingClient.connect(wsUrl, { WebSocketImpl: WebSocket });
  const m: Member = { signaling, room: new RoomClient(signaling, { createDevice: fakeDevice }), tracks: [] };
  m.room.on('track', () => m.tracks.push(performance.now()));
  m.room.on('error', ({ message }) => console.error('room error:', message));
  return m;
}

/** A client checked in and waiting; once admitted it joins and publishes, as the page does. */
async function waitingClient(wsUrl: string, invitation: { token: string; passcode: string }, name: string): Promise<Member> {
  const m = await member(wsUrl);
  const hello = await m.signaling.request('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
  if (!('agreement' in hello)) throw new Error('not a participant hello');
  const { routerRtpCapabilities } = await m.signaling.request('checkIn', {
    displayName: name,
    agreementVersion: hello.agreement.version,
    media: { audio: true, video: true },
  });
  await m.room.prepare(routerRtpCapabilities);
  m.signaling.on('admitted', (data) => {
    void Promise.all([
      m.room.join({
        routerRtpCapabilities: data.routerRtpCapabilities as RtpCapabilities,
        producers: data.producers,
        selfParticipantId: hello.participantId,
      }),
      m.room.publish(fakeStream()),
    ]).catch((err: unknown) => console.error('join failed:', err));
  });
  return m;
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function benchConsumeBurst(): Promise<void> {
  const demo = await startDemoServer(['--invitations', String(TOGETHER + 1)]);
  const proxy = await delayProxy(Number(new URL(demo.info.wsUrl).port), ONE_WAY_MS);
  const wsUrl = Object.assign(new URL(demo.info.wsUrl), { port: String(proxy.port) }).toString();
  const members: Member[] = [];
  try {
    const console_ = await member(wsUrl);
    members.push(console_);
    const hello = (await console_.signaling.request(
      'hello',
      await clinicianHello(demo.info.httpUrl, await login(demo.info), demo.info.sessionId),
    )) as ClinicianHelloResult;
    await console_.room.join({ routerRtpCapabilities: hello.routerRtpCapabilities, producers: hello.producers, selfParticipantId: hello.participantId });
    await console_.room.publish(fakeStream());

    // Baseline: one client admitted alone.
    const [first, ...rest] = demo.info.invitations;
    const alone = await waitingClient(wsUrl, first!, 'Client 1');
    members.push(alone);
    const t0 = performance.now();
    const admitted = await console_.signaling.request('admitAll', {});
    if (admitted.participantIds.length !== 1) throw new Error('expected one waiting client');
    await until(() => console_.tracks.length >= 2, 'the first client’s tracks');
    const aloneMs = console_.tracks[1]! - t0;

    // The other seven wait together, then "Admit all".
    const together = await Promise.all(rest.map((inv, i) => waitingClient(wsUrl, inv, `Client ${i + 2}`)));
    members.push(...together);
    const before = console_.tracks.length;
    const t1 = performance.now();
    await console_.signaling.request('admitAll', {});
    await until(() => console_.tracks.length >= before + 2 * TOGETHER, 'every client’s tracks');
    const allMs = console_.tracks.at(-1)! - t1;
    // Each client's own view of the group, for the record: the last of its 2 × 7 + 2 tracks.
    const clientsMs = together.map((m) => (m.tracks.length > 0 ? m.tracks.at(-1)! - t1 : NaN));

    printBench('admit_all_console_all_tracks', allMs, 'ms', aloneMs);
    process.stderr.write(
      `consume burst: ${TOGETHER} clients admitted together, signaling round trip ${2 * ONE_WAY_MS} ms; console has all ` +
        `${2 * TOGETHER} tracks after ${allMs.toFixed(0)} ms (one client alone: ${aloneMs.toFixed(0)} ms); ` +
        `each client's last track after ${clientsMs.map((t) => t.toFixed(0)).join(', ')} ms\n`,
    );
  } finally {
    for (const m of members) {
      m.room.close();
      m.signaling.close();
    }
    await proxy.close();
    await demo.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchConsumeBurst().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
