/**
 * What a page needs to draw the group at once when it is let in, against the real server and
 * a real mediasoup worker (the browser's RTCPeerConnection replaced by mediasoup-client's
 * FakeHandler, tests/support/fakeMedia.ts):
 * - a consumer's track is the caller's as soon as the consumer is set up, while the resume that
 *   makes the server send is still on its way: the tile is drawn then, not after one more round
 *   trip (and, in a page busy drawing, long after the answer came);
 * - a resume refused ends that track and says why, so no tile waits for frames that never come;
 * - `groupSetUp` settles once the streams the page was told of are set up (the participant page
 *   draws the call screen only then), or after its longest wait, or at once with nothing to set up.
 */
import { expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RoomClient } from '../../src/client/roomClient';
import { SignalingClient } from '../../src/client/signaling';
import type { MethodName, Producer } from '../../src/shared/protocol';
import { login } from '../server/support/testServer';
import { sharedTestDemo } from '../server/support/sharedDemo';
import { fakeDevice, fakeStream } from '../support/fakeMedia';
import { clinicianHello } from '../support/clinicianHello';
import { closeAll, roomFacilitator, type Connected } from './support/roomFacilitator';

const demo = sharedTestDemo(1);

/**
 * Requests of `method` on `signaling` wait until the returned `release` is called (all of
 * them, then and after); `held` is the data of each, in order.
 */
function holdRequests(signaling: SignalingClient, method: MethodName): { release: () => void; held: Record<string, unknown>[] } {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held: Record<string, unknown>[] = [];
  const request = signaling.request.bind(signaling);
  signaling.request = (async (m: MethodName, data: never) => {
    if (m !== method) return request(m, data);
    held.push(data);
    await gate;
    return request(m, data);
  }) as typeof signaling.request;
  return { release, held };
}

/** A supervisor's socket that has said hello (its RoomClient not joined yet): the producers it was told of. */
async function supervisor(): Promise<Connected & { participantId: string; producers: Producer[]; join: () => Promise<void> }> {
  const signaling = await SignalingClient.connect(demo.info.wsUrl, { WebSocketImpl: WebSocket });
  const hello = await signaling.request('hello', await clinicianHello(demo.info.httpUrl, await login(demo.info, 'supervisor'), demo.info.sessionId));
  const room = new RoomClient(signaling, { createDevice: fakeDevice });
  const join = (): Promise<void> => room.join({ routerRtpCapabilities: hello.routerRtpCapabilities, producers: hello.producers, selfParticipantId: hello.participantId });
  return { signaling, room, participantId: hello.participantId, producers: hello.producers, join };
}

const settledWithin = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

/** Runs `test` with the facilitator publishing a camera and microphone and a supervisor who has said hello; closes both after. */
async function withGroup(test: (facilitator: Connected, sup: Awaited<ReturnType<typeof supervisor>>) => Promise<void>): Promise<void> {
  const facilitator = await roomFacilitator(demo.info);
  await facilitator.room.publish(fakeStream());
  const sup = await supervisor();
  try {
    await test(facilitator, sup);
  } finally {
    closeAll(facilitator, sup);
  }
}

it('gives each track to the caller while its resume is still on the way', () =>
  withGroup(async (facilitator, sup) => {
    expect(sup.producers).toHaveLength(2);
    const resumes = holdRequests(sup.signaling, 'resumeConsumer');
    const tracks: string[] = [];
    sup.room.on('track', ({ producerId }) => tracks.push(producerId));
    await sup.join();
    await expect.poll(() => tracks.length, { timeout: 10_000 }).toBe(2);
    // Both tracks are out, and no resume has been answered: none has even left.
    expect(resumes.held).toHaveLength(2);
    expect(new Set(tracks)).toEqual(new Set(sup.producers.map((p) => p.producerId)));
    const media = demo.server.rooms.get(demo.info.sessionId)!.peer(sup.participantId)!.media;
    const consumers = resumes.held.map((d) => media.ownConsumer(d['consumerId'] as string));
    expect(consumers.map((c) => c.paused)).toEqual([true, true]);
    // Then the server resumes them.
    resumes.release();
    await expect.poll(() => consumers.map((c) => c.paused), { timeout: 10_000 }).toEqual([false, false]);
  }));

it('ends the track and says why when its resume is refused', () =>
  withGroup(async (facilitator, sup) => {
    // The server refuses every resume, as it does one whose consumer is not this caller's.
    const request = sup.signaling.request.bind(sup.signaling);
    sup.signaling.request = (async (m: MethodName, data: never) => {
      if (m === 'resumeConsumer') return request(m, { consumerId: 'not-a-consumer' } as never);
      return request(m, data);
    }) as typeof sup.signaling.request;
    const tracks: string[] = [];
    const ended: string[] = [];
    const errors: string[] = [];
    sup.room.on('track', ({ producerId }) => tracks.push(producerId));
    sup.room.on('trackEnded', ({ producerId }) => ended.push(producerId));
    sup.room.on('error', ({ message }) => errors.push(message));
    await sup.join();
    await expect.poll(() => ended.length, { timeout: 10_000 }).toBe(2);
    expect(new Set(ended)).toEqual(new Set(tracks));
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e).toMatch(/^Could not receive a stream: /);
  }));

it('groupSetUp settles once the streams it was told of are set up, and not before', () =>
  withGroup(async (facilitator, sup) => {
    const consumes = holdRequests(sup.signaling, 'consume');
    const tracks: string[] = [];
    sup.room.on('track', ({ producerId }) => tracks.push(producerId));
    await sup.join();
    const setUp = sup.room.groupSetUp(60_000);
    expect(await settledWithin(setUp, 300)).toBe(false);
    consumes.release();
    expect(await settledWithin(setUp, 10_000)).toBe(true);
    // Settled with both set up: their tracks are out.
    expect(tracks).toHaveLength(2);
  }));

it('groupSetUp gives up after its longest wait, and settles at once with nothing to set up or once closed', () =>
  withGroup(async (facilitator, sup) => {
    holdRequests(sup.signaling, 'consume');
    await sup.join();
    const started = performance.now();
    await sup.room.groupSetUp(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    // Still waiting for its consumes: closing settles a wait at once.
    const waiting = sup.room.groupSetUp(60_000);
    sup.room.close();
    expect(await settledWithin(waiting, 1000)).toBe(true);
    // The facilitator was told of nothing (it joined before publishing): nothing to wait for.
    expect(await settledWithin(facilitator.room.groupSetUp(60_000), 50)).toBe(true);
  }));
