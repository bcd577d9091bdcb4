/**
 * A mediasoup worker killed mid-call (SIGKILL, as the kernel's OOM killer would): the server
 * keeps serving, starts a replacement, moves the sessions that were on the dead worker to
 * new routers and tells everyone admitted there `mediaReset`; producing and consuming work
 * again, nobody left the session, and a session on the other worker notices nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedGroups, type GroupSeed } from '../../bench/loadGroups.js';
import { startDemo, type RunningDemo } from '../../src/server/demo.js';
import { NoWorkerError, WorkerPool } from '../../src/server/media/workerPool.js';
import type { RtpCapabilities } from '../../src/shared/protocol.js';
import { FAST_SCRYPT } from './support/api.js';
import { connectedTransport, opusRtpParameters, produceAudio } from './support/media.js';
import { admitted, AGREEMENT_VERSION_OF, connectClinician, login } from './support/testServer.js';
import { clinicianHello } from '../support/clinicianHello.js';
import { TestClient } from './support/wsClient.js';

/** What the issue allows from the kill to media flowing again. */
const RECOVERY_MS = 10_000;

function kill(pid: number): void {
  process.kill(pid, 'SIGKILL');
}

/** Leaves for good (a dropped socket would keep the client's place for the grace period). */
async function leave(...clients: TestClient[]): Promise<void> {
  await Promise.all(
    clients.map(async (c) => {
      await c.call('leave', {});
      await c.close();
    }),
  );
}

/** Consumes `producerId` on a fresh receive transport of `client` and resumes it; returns the consumer id. */
async function consume(client: TestClient, producerId: string, caps: RtpCapabilities): Promise<string> {
  const transportId = await connectedTransport(client, 'recv');
  const consumed = await client.call('consume', { transportId, producerId, rtpCapabilities: caps });
  expect(consumed).toMatchObject({ producerId, kind: 'audio' });
  expect(await client.call('resumeConsumer', { consumerId: consumed.id })).toEqual({});
  return String(consumed.id);
}

const totals = (demo: RunningDemo) =>
  demo.server.workers.loads().reduce((t, l) => ({ routers: t.routers + l.routers, consumers: t.consumers + l.consumers }), {
    routers: 0,
    consumers: 0,
  });

describe('a worker dies mid-call (two workers)', () => {
  let demo: RunningDemo;
  let other: GroupSeed;
  beforeAll(async () => {
    demo = await startDemo({ invitations: 2, workers: 2, participantDir: '/nonexistent-participant-dir', start: { scrypt: FAST_SCRYPT } });
    [other] = (await seedGroups(demo.server, 1, 1)) as [GroupSeed];
  });
  afterAll(async () => {
    await demo.close();
  });

  it('moves the session to a new router, every admitted peer re-creates its media, the other session is untouched', { timeout: 60_000 }, async () => {
    const { info } = demo;
    // Session A: a facilitator, Alice and Bob (whose audio the facilitator has muted).
    const fac = await connectClinician(info);
    const capsA = fac.hello.routerRtpCapabilities as RtpCapabilities;
    const alice = await admitted(info, info.invitations[0]!, fac.client, 'Alice');
    const bob = await admitted(info, info.invitations[1]!, fac.client, 'Bob');
    await fac.client.call('mute', { participantId: bob.participantId, kind: 'audio' });
    const aliceSend = await connectedTransport(alice.client, 'send');
    const aliceAudio = String((await alice.client.call('produce', { transportId: aliceSend, kind: 'audio', rtpParameters: opusRtpParameters() })).id);
    await consume(bob.client, aliceAudio, capsA);
    await consume(fac.client, aliceAudio, capsA);
    const slotA = demo.server.workers.loads().find((l) => l.routers === 1);
    expect(slotA).toBeDefined();

    // Session B, on the other worker (the least loaded): its facilitator hears Carol.
    const facB = await TestClient.connect(info.wsUrl);
    const helloB = await facB.call('hello', await clinicianHello(info.httpUrl, await login(info), other.sessionId));
    const capsB = helloB.routerRtpCapabilities as RtpCapabilities;
    const carol = await TestClient.connect(info.wsUrl);
    const carolHello = await carol.call('hello', { as: 'participant', invite: other.invitations[0]!.token, passcode: other.invitations[0]!.passcode });
    await carol.call('checkIn', { displayName: 'Carol', agreementVersion: AGREEMENT_VERSION_OF(carolHello), media: { audio: true, video: false } });
    await facB.call('admit', { participantId: carolHello.participantId });
    await carol.waitFor('admitted');
    const carolAudio = await produceAudio(carol);
    const facBConsumer = await consume(facB, carolAudio, capsB);
    const before = demo.server.workers.loads();
    expect(before.map((l) => l.routers)).toEqual([1, 1]);
    expect(totals(demo)).toEqual({ routers: 2, consumers: 3 });
    const attendanceBefore = (await demo.server.store.attendance.forSession(info.sessionId)).length;
    const notesBefore = [fac.client, alice.client, bob.client].map((c) => c.notifications.length);

    const killedAt = Date.now();
    kill(slotA!.pid);

    // Everyone admitted in A hears mediaReset with the new router's capabilities.
    const resets = await Promise.all(
      [fac.client, alice.client, bob.client].map((c) => c.waitFor('mediaReset', () => true, RECOVERY_MS)),
    );
    for (const r of resets) {
      expect(r.routerRtpCapabilities.codecs?.map((c) => c.mimeType)).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8']));
    }
    const caps = resets[0]!.routerRtpCapabilities;

    // The old transports went with the worker.
    const stale = await alice.client.request('produce', { transportId: aliceSend, kind: 'audio', rtpParameters: opusRtpParameters() });
    expect(stale).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // Media again on the new router: Alice produces, Bob and the facilitator consume her.
    const aliceAgain = await produceAudio(alice.client);
    await bob.client.waitFor('producerAdded', (d) => d.producerId === aliceAgain);
    await consume(bob.client, aliceAgain, caps);
    await consume(fac.client, aliceAgain, caps);
    // Bob's mute outlived the reset: his new producer is born paused, and everyone hears so.
    const bobAgain = await produceAudio(bob.client);
    await alice.client.waitFor('producerPaused', (d) => d.producerId === bobAgain && d.paused);
    const bobResume = await bob.client.request('setProducerPaused', { producerId: bobAgain, paused: false });
    expect(bobResume).toMatchObject({ ok: false, error: { code: 'MUTED_BY_FACILITATOR' } });
    expect(Date.now() - killedAt).toBeLessThan(RECOVERY_MS);

    // Nobody left: no departures were announced, the roster recorded nothing.
    const since = (c: TestClient, i: number) => c.notifications.slice(notesBefore[i]).map((n) => n.notification);
    for (const [i, c] of [fac.client, alice.client, bob.client].entries()) {
      expect(since(c, i)).not.toContain('peerLeft');
      expect(since(c, i)).not.toContain('participantLeft');
      expect(since(c, i)).not.toContain('producerClosed');
    }
    expect(await demo.server.store.attendance.forSession(info.sessionId)).toHaveLength(attendanceBefore);
    expect(demo.server.rooms.get(info.sessionId)?.size).toBe(3);

    // Session B noticed nothing and its consumer still answers.
    for (const c of [facB, carol]) expect(c.notifications.map((n) => n.notification)).not.toContain('mediaReset');
    expect(await facB.call('resumeConsumer', { consumerId: facBConsumer })).toEqual({});

    // A replacement runs in the dead worker's slot; the loads add up: A's new router and
    // B's, and the consumers made since (two of Alice's) plus B's one.
    await expect.poll(() => demo.server.workers.loads().find((l) => l.worker === slotA!.worker)?.alive, { timeout: 5_000 }).toBe(true);
    const after = demo.server.workers.loads();
    expect(after.find((l) => l.worker === slotA!.worker)?.pid).not.toBe(slotA!.pid);
    expect(after.every((l) => l.alive)).toBe(true);
    expect(totals(demo)).toEqual({ routers: 2, consumers: 3 });

    // The server still serves newcomers.
    const late = await TestClient.connect(info.wsUrl);
    expect(await late.call('hello', await clinicianHello(info.httpUrl, await login(info, 'supervisor'), info.sessionId))).toMatchObject({
      routerRtpCapabilities: { codecs: expect.any(Array) },
    });

    await leave(fac.client, alice.client, bob.client, facB, carol, late);
    await expect.poll(() => totals(demo)).toEqual({ routers: 0, consumers: 0 });
  });
});

describe('the only worker dies', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo({ invitations: 1, workers: 1, participantDir: '/nonexistent-participant-dir', start: { scrypt: FAST_SCRYPT } });
  });
  afterAll(async () => {
    await demo.close();
  });

  it('waits for the replacement worker, then resets the session onto it', { timeout: 30_000 }, async () => {
    const { info } = demo;
    const fac = await connectClinician(info);
    const alice = await admitted(info, info.invitations[0]!, fac.client, 'Alice');
    await produceAudio(alice.client);
    const [only] = demo.server.workers.loads();

    kill(only!.pid);
    const [reset] = await Promise.all([
      fac.client.waitFor('mediaReset', () => true, RECOVERY_MS),
      alice.client.waitFor('mediaReset', () => true, RECOVERY_MS),
    ]);
    const [replacement] = demo.server.workers.loads();
    expect(replacement).toMatchObject({ worker: 0, alive: true, routers: 1 });
    expect(replacement!.pid).not.toBe(only!.pid);

    const again = await produceAudio(alice.client);
    await fac.client.waitFor('producerAdded', (d) => d.producerId === again);
    await consume(fac.client, again, reset.routerRtpCapabilities);
    expect(demo.server.workers.loads()[0]).toMatchObject({ routers: 1, consumers: 1 });

    await leave(fac.client, alice.client);
    await expect.poll(() => demo.server.workers.loads()[0]).toMatchObject({ routers: 0, consumers: 0 });
  });
});

describe('a worker that keeps dying', () => {
  it('is replaced every time, more than six times in a row, its back-off growing to a cap and holding there', { timeout: 60_000 }, async () => {
    // The schedule's shape, shortened (the option exists for this): no sleeping through real delays.
    const pool = await WorkerPool.start({ workers: 1, rtcPort: 0, listenIp: '127.0.0.1', restartBackoff: { baseMs: 20, maxMs: 40 } });
    // The first replacement at once, then 20 ms, then 40 ms and held there.
    const delays = [0, 20, 40];
    try {
      const lost: string[] = [];
      const router = await pool.createRouter({ onLost: (r) => lost.push(r.id) });

      // Each death soon after a start waits at least its step of the back-off (the last step
      // once past the end), and a replacement always comes.
      let pid = pool.loads()[0]!.pid;
      // Any free ports at first (rtcPort 0), then the slot's own for every replacement.
      const ports = pool.loads()[0]!.ports;
      for (let death = 1; death <= 8; death++) {
        const killedAt = Date.now();
        kill(pid);
        const previous = pid;
        await expect.poll(() => pool.loads()[0]!.pid !== previous && pool.loads()[0]!.alive, { timeout: 5_000 }).toBe(true);
        expect(Date.now() - killedAt).toBeGreaterThanOrEqual(delays[Math.min(death, delays.length) - 1]!);
        pid = pool.loads()[0]!.pid;
        expect(pool.loads()[0]!.ports).toEqual(ports);
      }
      // Only the router that existed was announced lost, once.
      expect(lost).toEqual([router.id]);

      // The eighth replacement serves like the first worker did.
      const fresh = await pool.createRouter();
      expect(pool.loads()[0]).toMatchObject({ alive: true, routers: 1 });
      fresh.close();
    } finally {
      pool.close();
    }
  });

  it('a closed pool promises no router', async () => {
    const pool = await WorkerPool.start({ workers: 1, rtcPort: 0, listenIp: '127.0.0.1' });
    pool.close();
    await expect(pool.createRouter()).rejects.toBeInstanceOf(NoWorkerError);
  });
});
