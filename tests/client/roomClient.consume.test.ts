/**
 * RoomClient's receive side against the real server and a real mediasoup worker: a group
 * admitted with "Admit all", every member a real RoomClient (the participant page's and the
 * console's). Only the browser's RTCPeerConnection is replaced, by mediasoup-client's own
 * FakeHandler (tests/support/fakeMedia.ts), so no packet flows; everything above it is
 * real: signaling, the server's admission, transports, producers, consumers and resumes.
 *
 * What is pinned: each producer is consumed exactly once by each other member, and a member
 * that learns of many producers at once consumes them side by side, not one after another
 * (a queue made the last of N faces wait N × (two round trips + a renegotiation); in the
 * browser load bench the console's last consume went out 30 s after its producerAdded), and
 * sets them up in the browser together, in one renegotiation or two, not one per answer.
 */
import { expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RoomClient } from '../../src/client/roomClient';
import { SignalingClient } from '../../src/client/signaling';
import type { RunningDemo } from '../../src/server/demo';
import type { MethodName, Producer, RtpCapabilities } from '../../src/shared/protocol';
import { login } from '../server/support/testServer';
import { sharedTestDemo } from '../server/support/sharedDemo';
import { fakeDeviceAdapting, fakeStream } from '../support/fakeMedia';
import { clinicianHello } from '../support/clinicianHello';

const CLIENTS = 6;

interface Member {
  name: string;
  participantId: string;
  signaling: SignalingClient;
  room: RoomClient;
  /** producerId of every `track` event, in order; duplicates would be double consumes. */
  tracks: string[];
  errors: string[];
  /** The most `consume` requests this member had in flight at once. */
  maxConsumesInFlight: number;
  /** How many times its receive transport set consumers up (each a renegotiation in a browser). */
  setups: number[];
}

/** A member on a real socket; its `consume` requests are counted as they go out and return. */
async function member(demo: RunningDemo, name: string): Promise<Omit<Member, 'participantId'>> {
  const signaling = await SignalingClient.connect(demo.info.wsUrl, { WebSocketImpl: WebSocket });
  const setups: number[] = [];
  // Each receive() is one setup of consumers: its size is how many it set up together (the
  // bandwidth probe mediasoup-client adds on its own, set up alone, left out).
  const createDevice = fakeDeviceAdapting((handler) => {
    const receive = handler.receive.bind(handler);
    handler.receive = (options) => {
      const consumers = options.filter((o) => o.trackId !== 'probator').length;
      if (consumers > 0) setups.push(consumers);
      return receive(options);
    };
  });
  const m = { name, signaling, room: new RoomClient(signaling, { createDevice }), tracks: [] as string[], errors: [] as string[], maxConsumesInFlight: 0, setups };
  let inFlight = 0;
  let asked = 0;
  const request = signaling.request.bind(signaling);
  signaling.request = (async (method: MethodName, data: never) => {
    if (method !== 'consume') return request(method, data);
    m.maxConsumesInFlight = Math.max(m.maxConsumesInFlight, ++inFlight);
    const nth = asked++;
    try {
      const answer = await request(method, data);
      // Answers reach a page a few milliseconds apart, each in a task of its own; here they
      // would come in one read of the socket.
      await new Promise((r) => setTimeout(r, 3 * nth));
      return answer;
    } finally {
      inFlight--;
    }
  }) as typeof signaling.request;
  m.room.on('track', ({ producerId }) => m.tracks.push(producerId));
  m.room.on('error', ({ message }) => m.errors.push(message));
  return m;
}

/** A clinician joined to the room's media; `snapshot` is the producers its hello listed. */
async function clinician(demo: RunningDemo, who: 'facilitator' | 'supervisor'): Promise<Member & { snapshot: Producer[] }> {
  const m = await member(demo, who);
  const hello = await m.signaling.request('hello', await clinicianHello(demo.info.httpUrl, await login(demo.info, who), demo.info.sessionId));
  await m.room.join({ routerRtpCapabilities: hello.routerRtpCapabilities, producers: hello.producers, selfParticipantId: hello.participantId });
  return { ...m, participantId: hello.participantId, snapshot: hello.producers };
}

/** A client in the waiting room who, once admitted, joins and publishes as the page does. */
async function waitingClient(demo: RunningDemo, index: number): Promise<Member & { joined: Promise<void> }> {
  const invitation = demo.info.invitations[index]!;
  const m = await member(demo, `Client ${index + 1}`);
  const hello = await m.signaling.request('hello', { as: 'participant', invite: invitation.token, passcode: invitation.passcode });
  const { routerRtpCapabilities } = await m.signaling.request('checkIn', {
    displayName: m.name,
    agreementVersion: hello.agreement.version,
    media: { audio: true, video: true },
  });
  // As the page does: the Device loads while waiting.
  await m.room.prepare(routerRtpCapabilities);
  const joined = new Promise<void>((resolve, reject) => {
    m.signaling.on('admitted', (data) => {
      // Receive and send side by side, as ParticipantService.onAdmitted does.
      Promise.all([
        m.room.join({ routerRtpCapabilities: data.routerRtpCapabilities as RtpCapabilities, producers: data.producers, selfParticipantId: hello.participantId }),
        m.room.publish(fakeStream()),
      ]).then(() => resolve(), reject);
    });
  });
  return { ...m, participantId: hello.participantId, joined };
}

/** Resolves once `m` has had a track for each of `producerIds` (or throws after the timeout). */
async function tracksFor(m: Member, producerIds: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!producerIds.every((id) => m.tracks.includes(id))) {
    if (Date.now() > deadline) {
      throw new Error(`${m.name} has ${m.tracks.length} tracks, wants ${producerIds.length}; errors: ${m.errors.join(' | ') || 'none'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const demo = sharedTestDemo(CLIENTS);

it(`"Admit all" for ${CLIENTS}: each producer consumed exactly once by each other member, side by side`, { timeout: 60_000 }, async () => {
  const facilitator = await clinician(demo, 'facilitator');
  await facilitator.room.publish(fakeStream());
  const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => waitingClient(demo, i)));
  const everyone: Member[] = [facilitator, ...clients];
  const announced = new Set<string>();
  facilitator.signaling.on('producerAdded', ({ producerId }) => announced.add(producerId));
  try {
    const admitted = await facilitator.signaling.request('admitAll', {});
    expect(new Set(admitted.participantIds)).toEqual(new Set(clients.map((c) => c.participantId)));
    await Promise.all(clients.map((c) => c.joined));

    // Every client's audio and video announced to the console.
    const deadline = Date.now() + 15_000;
    while (announced.size < 2 * CLIENTS) {
      if (Date.now() > deadline) throw new Error(`only ${announced.size} producers announced`);
      await new Promise((r) => setTimeout(r, 20));
    }

    // Someone arriving in the running group (a supervisor here; the console back after a
    // dropped connection is the same) learns of all fourteen producers at once, from the
    // server's snapshot, and asks for them all at once: one after another would take
    // fourteen times two round trips and a renegotiation before the last face appears.
    const supervisor = await clinician(demo, 'supervisor');
    everyone.push(supervisor);
    const all = supervisor.snapshot;
    expect(all).toHaveLength(2 * (CLIENTS + 1));
    await tracksFor(supervisor, all.map((p) => p.producerId));
    expect(supervisor.maxConsumesInFlight).toBe(all.length);
    // And sets them up together, not one renegotiation after another as the answers come in.
    expect(supervisor.setups.reduce((a, b) => a + b, 0)).toBe(all.length);
    expect(supervisor.setups.length, `setups of ${supervisor.setups.join(', ')}`).toBeLessThanOrEqual(2);

    for (const m of everyone) {
      const others = all.filter((p) => p.participantId !== m.participantId).map((p) => p.producerId);
      await tracksFor(m, others);
      // Exactly once each, none of its own, nothing else.
      expect([...m.tracks].sort(), m.name).toEqual([...others].sort());
      expect(m.errors, m.name).toEqual([]);
    }
    // The worker agrees: one consumer per member per other member's producer, no more.
    const group = CLIENTS + 1;
    expect(demo.server.workers.loads().reduce((n, l) => n + l.consumers, 0)).toBe(group * (group - 1) * 2 + all.length);
  } finally {
    for (const m of everyone) {
      m.room.close();
      m.signaling.close();
    }
  }
});
