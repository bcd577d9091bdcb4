/**
 * One admitted client cannot take more media resources than its caps by asking in parallel
 * (every request passing the cap check before any creation had finished), and cannot flood
 * the server with valid requests: each socket has a request rate, answered RATE_LIMITED
 * beyond it. The real server and worker count what exists.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningDemo } from '../../src/server/demo.js';
import { MAX_CONSUMERS_PER_PEER, MAX_PRODUCERS_PER_PEER, MAX_TRANSPORTS_PER_PEER } from '../../src/server/media/peerMedia.js';
import { DEFAULT_SIGNALING_LIMITS } from '../../src/server/signaling/signalingServer.js';
import type { RtpCapabilities } from '../../src/shared/protocol.js';
import { connectedTransport, opusRtpParameters, produceAudio } from './support/media.js';
import { admitted, connectClinician } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import type { Response, TestClient } from './support/wsClient.js';

const consumersOnWorkers = (demo: RunningDemo): number => demo.server.workers.loads().reduce((n, l) => n + l.consumers, 0);

async function transportsOnRouter(demo: RunningDemo): Promise<number> {
  const router = await demo.server.rooms.get(demo.info.sessionId)!.router();
  const dump = (await router.dump()) as { transportIds: string[] };
  return dump.transportIds.length;
}

const codes = (answers: Response[]): Record<string, number> =>
  answers.reduce<Record<string, number>>((n, a) => {
    const key = a.ok ? 'ok' : a.error.code;
    n[key] = (n[key] ?? 0) + 1;
    return n;
  }, {});

describe('media caps hold under parallel requests', () => {
  const demo = sharedTestDemo(4);
  let fac: TestClient;
  beforeAll(async () => {
    fac = (await connectClinician(demo.info)).client;
  });

  it('fifty createTransport at once make at most the cap of transports on the router', async () => {
    const alice = await admitted(demo.info, demo.info.invitations[0]!, fac, 'Alice');
    const before = await transportsOnRouter(demo);
    const answers = await Promise.all(Array.from({ length: 50 }, () => alice.client.request('createTransport', { direction: 'send' })));
    expect(codes(answers)).toEqual({ ok: MAX_TRANSPORTS_PER_PEER, CONFLICT: 50 - MAX_TRANSPORTS_PER_PEER });
    expect((await transportsOnRouter(demo)) - before).toBe(MAX_TRANSPORTS_PER_PEER);

    // Failures give their place back: once a transport closes, one more can be made.
    const made = answers.find((a) => a.ok);
    await alice.client.call('closeTransport', { transportId: made?.ok ? String(made.data.id) : '' });
    expect((await alice.client.request('createTransport', { direction: 'recv' })).ok).toBe(true);
    await alice.client.call('leave', {});
    await alice.client.close();
  });

  it('twenty produce at once on one transport make at most the cap of producers', async () => {
    const bob = await admitted(demo.info, demo.info.invitations[1]!, fac, 'Bob');
    const transportId = await connectedTransport(bob.client, 'send');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        bob.client.request('produce', { transportId, kind: 'audio', rtpParameters: { ...opusRtpParameters(), mid: String(i) } }),
      ),
    );
    expect(codes(answers)).toEqual({ ok: MAX_PRODUCERS_PER_PEER, CONFLICT: 20 - MAX_PRODUCERS_PER_PEER });
    const room = demo.server.rooms.get(demo.info.sessionId)!;
    expect(room.peer(bob.participantId)!.media.listProducers()).toHaveLength(MAX_PRODUCERS_PER_PEER);
    await bob.client.call('leave', {});
    await bob.client.close();
  });

  it('more consume requests at once than the cap make at most the cap of consumers', async () => {
    const carol = await admitted(demo.info, demo.info.invitations[2]!, fac, 'Carol');
    const dee = await admitted(demo.info, demo.info.invitations[3]!, fac, 'Dee');
    const producerId = await produceAudio(carol.client);
    const caps = (await dee.client.waitFor('admitted')).routerRtpCapabilities as RtpCapabilities;
    const transportId = await connectedTransport(dee.client, 'recv');
    const before = consumersOnWorkers(demo);
    const tries = MAX_CONSUMERS_PER_PEER + 50;
    const answers = await Promise.all(
      Array.from({ length: tries }, () => dee.client.request('consume', { transportId, producerId, rtpCapabilities: caps })),
    );
    expect(codes(answers)).toEqual({ ok: MAX_CONSUMERS_PER_PEER, CONFLICT: tries - MAX_CONSUMERS_PER_PEER });
    expect(consumersOnWorkers(demo) - before).toBe(MAX_CONSUMERS_PER_PEER);
    for (const c of [carol.client, dee.client]) {
      await c.call('leave', {});
      await c.close();
    }
  });
});

describe('a socket flooding valid requests', () => {
  const demo = sharedTestDemo(1);

  it('gets RATE_LIMITED beyond its burst and its rate, stays connected, and others are served meanwhile', async () => {
    const fac = (await connectClinician(demo.info)).client;
    const flooder = await admitted(demo.info, demo.info.invitations[0]!, fac, 'Eve');
    const { requestBurst, requestsPerSecond } = DEFAULT_SIGNALING_LIMITS;
    const sent = requestBurst * 5;
    const startedAt = Date.now();
    // A well-formed, allowed request for a transport that does not exist: cheap to answer, so
    // only the rate stops it.
    const answers = await Promise.all(Array.from({ length: sent }, () => flooder.client.request('restartIce', { transportId: 'none' })));
    const elapsedS = (Date.now() - startedAt) / 1000;
    const counted = codes(answers);
    expect(Object.keys(counted).sort()).toEqual(['NOT_FOUND', 'RATE_LIMITED']);
    // At most the burst and what the rate refilled while the flood was being answered.
    expect(counted.NOT_FOUND).toBeGreaterThanOrEqual(requestBurst);
    expect(counted.NOT_FOUND).toBeLessThanOrEqual(requestBurst + Math.ceil(requestsPerSecond * elapsedS) + 1);
    expect(flooder.client.isOpen).toBe(true);
    // Each socket has its own allowance: the facilitator is unaffected.
    expect(await fac.call('lock', { locked: false })).toEqual({});
    await flooder.client.close();
    await fac.close();
  });
});
