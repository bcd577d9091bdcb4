/**
 * What a receiver says of how it shows each video (setConsumerView, issue 22) against a real
 * mediasoup worker: a tile that cannot be seen pauses its consumer, whether or not the receiver
 * had resumed it yet; a layered camera's consumer prefers the layer the tile's height needs. What
 * reaches the receiver under a weak link is the end-to-end tests' to measure.
 */
import type { EventEmitter } from 'node:events';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { types as ms } from 'mediasoup';
import { FIRST_KEY_FRAME_WAIT_MS } from '../../src/server/media/firstKeyFrame.js';
import { RECOVERY_FLOOR_BPS } from '../../src/server/media/peerMedia.js';
import { LAYER_START_TICKS } from '../../src/server/media/layerStart.js';
import { spatialLayerFor, spatialLayersIn, type RtpCapabilities } from '../../src/shared/protocol.js';
import { connectedTransport, opusRtpParameters, vp8RtpParameters, vp8SimulcastRtpParameters } from './support/media.js';
import { admitted, connectClinician } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import type { TestClient } from './support/wsClient.js';

const demo = sharedTestDemo(9, { reconnectGraceSeconds: 5 });
const opened: TestClient[] = [];

afterAll(async () => {
  for (const c of opened) await c.close();
});

/**
 * The camera's first key frame has reached the SFU, as the worker reports it: these tests'
 * cameras send no RTP, and a consumer resumed before that waits for it (firstKeyFrame.ts, tested
 * with real packets in media.firstKeyFrame.test.ts).
 */
function cameraStarted(producer: ms.Producer): void {
  (producer as unknown as EventEmitter).emit('trace', { type: 'keyframe', timestamp: 0, direction: 'in', info: {} });
}

/** A client admitted with a layered camera and a microphone, and the facilitator consuming both. */
async function call(invitation: number) {
  const fac = await connectClinician(demo.info);
  const caps = fac.hello.routerRtpCapabilities as RtpCapabilities;
  const alice = await admitted(demo.info, demo.info.invitations[invitation]!, fac.client, 'Alice');
  opened.push(fac.client, alice.client);
  const send = await connectedTransport(alice.client, 'send');
  const camera = String((await alice.client.call('produce', { transportId: send, kind: 'video', rtpParameters: vp8SimulcastRtpParameters() })).id);
  const mic = String((await alice.client.call('produce', { transportId: send, kind: 'audio', rtpParameters: opusRtpParameters() })).id);
  const recv = await connectedTransport(fac.client, 'recv');
  cameraStarted(demo.server.rooms.get(demo.info.sessionId)!.peer(String(alice.participantId))!.media.ownProducer(camera));
  const consumed = await fac.client.call('consume', { transportId: recv, producerId: camera, rtpCapabilities: caps });
  const audio = await fac.client.call('consume', { transportId: recv, producerId: mic, rtpCapabilities: caps });
  const peer = demo.server.rooms.get(demo.info.sessionId)!.peer(String(fac.hello.participantId))!;
  const consumer = peer.media.ownConsumer(String(consumed.id));
  return { fac, alice, caps, send, recv, consumed, consumer, audioId: String(audio.id), audioConsumer: peer.media.ownConsumer(String(audio.id)) };
}

describe('spatialLayerFor', () => {
  it('gives a tile the smallest layer drawn at most a quarter larger, the top one beyond', () => {
    // Two layers of a 360-line camera: 180 and 360 lines.
    expect(spatialLayerFor(0, 2)).toBe(0);
    expect(spatialLayerFor(180, 2)).toBe(0);
    expect(spatialLayerFor(225, 2)).toBe(0);
    expect(spatialLayerFor(226, 2)).toBe(1);
    expect(spatialLayerFor(1080, 2)).toBe(1);
    // Three layers: 90, 180, 360.
    expect(spatialLayerFor(100, 3)).toBe(0);
    expect(spatialLayerFor(200, 3)).toBe(1);
    expect(spatialLayerFor(300, 3)).toBe(2);
    // A camera in one layer has nothing to choose.
    expect(spatialLayerFor(100, 1)).toBe(0);
  });

  it('reads the layers from a consumer’s scalability mode', () => {
    expect(spatialLayersIn([{ scalabilityMode: 'L2T3' }])).toBe(2);
    expect(spatialLayersIn([{ scalabilityMode: 'S3T3' }])).toBe(3);
    expect(spatialLayersIn([{}])).toBe(1);
    expect(spatialLayersIn(undefined)).toBe(1);
  });
});

describe('setConsumerView', () => {
  it('a layered camera is consumed in layers, and the receiver’s tile height picks the layer', async () => {
    const { fac, consumed, consumer } = await call(0);
    expect(consumer.type).toBe('simulcast');
    const encodings = (consumed.rtpParameters as { encodings: { scalabilityMode?: string }[] }).encodings;
    expect(spatialLayersIn(encodings)).toBe(2);
    await fac.client.call('resumeConsumer', { consumerId: consumed.id });
    // Until told, the top layer, as mediasoup starts.
    expect(consumer.preferredLayers?.spatialLayer).toBe(1);

    expect(await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: true, height: 150 })).toEqual({});
    expect(consumer.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 0 });
    expect(consumer.paused).toBe(false);
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: true, height: 720 });
    expect(consumer.preferredLayers).toEqual({ spatialLayer: 1, temporalLayer: 0 });
  });

  it('an unseen tile receives nothing until it can be seen again', async () => {
    const { fac, consumed, consumer } = await call(1);
    await fac.client.call('resumeConsumer', { consumerId: consumed.id });
    expect(consumer.paused).toBe(false);
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: false, height: 200 });
    expect(consumer.paused).toBe(true);
    // Said twice, still unseen.
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: false, height: 200 });
    expect(consumer.paused).toBe(true);
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: true, height: 200 });
    expect(consumer.paused).toBe(false);
  });

  it('unseen before it was resumed, a consumer stays paused through resumeConsumer, and flows once seen', async () => {
    const { fac, consumed, consumer } = await call(2);
    // Seen says nothing of being ready: the receiver's own resume lets it flow.
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: true, height: 100 });
    expect(consumer.paused).toBe(true);
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: false, height: 0 });
    await fac.client.call('resumeConsumer', { consumerId: consumed.id });
    expect(consumer.paused).toBe(true);
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: true, height: 100 });
    expect(consumer.paused).toBe(false);
  });

  it('video back for a receiver that was getting none holds the SFU’s estimate of its way down up, as after a recovery', async () => {
    const { fac, caps, recv, consumed, consumer } = await call(7);
    const room = demo.server.rooms.get(demo.info.sessionId)!;
    const [receiving] = room.peer(String(fac.hello.participantId))!.media.receiveTransports();
    const floors = vi.spyOn(receiving!, 'setMinOutgoingBitrate');
    await fac.client.call('resumeConsumer', { consumerId: consumed.id });
    // Held back (the client's link was poor), then let come again.
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: false, height: 0 });
    expect(floors).not.toHaveBeenCalled();
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: true, height: 360 });
    expect(consumer.paused).toBe(false);
    expect(floors.mock.calls).toEqual([[RECOVERY_FLOOR_BPS]]);
    // Seen again while it already flows: nothing new.
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: true, height: 150 });
    expect(floors.mock.calls).toHaveLength(1);

    // A second person's camera shown beside one that flows: the receiver was getting video, the
    // estimate measures its link, and nothing is held up.
    const bo = await admitted(demo.info, demo.info.invitations[8]!, fac.client, 'Bo');
    opened.push(bo.client);
    const boSend = await connectedTransport(bo.client, 'send');
    const boCamera = String((await bo.client.call('produce', { transportId: boSend, kind: 'video', rtpParameters: vp8SimulcastRtpParameters() })).id);
    cameraStarted(room.peer(bo.participantId)!.media.ownProducer(boCamera));
    const boConsumed = await fac.client.call('consume', { transportId: recv, producerId: boCamera, rtpCapabilities: caps });
    await fac.client.call('resumeConsumer', { consumerId: boConsumed.id });
    await fac.client.call('setConsumerView', { consumerId: boConsumed.id, visible: false, height: 0 });
    await fac.client.call('setConsumerView', { consumerId: boConsumed.id, visible: true, height: 360 });
    expect(floors.mock.calls).toHaveLength(1);
    // Both held back, then both let come again: the first back is video after none.
    for (const id of [consumed.id, boConsumed.id]) await fac.client.call('setConsumerView', { consumerId: id, visible: false, height: 0 });
    for (const id of [consumed.id, boConsumed.id]) await fac.client.call('setConsumerView', { consumerId: id, visible: true, height: 360 });
    expect(floors.mock.calls).toEqual([[RECOVERY_FLOOR_BPS], [RECOVERY_FLOOR_BPS]]);
  });

  it('an audio consumer has nothing to show; another’s consumer, an unknown one and a bad view are refused', async () => {
    const fac = await connectClinician(demo.info);
    opened.push(fac.client);
    const caps = fac.hello.routerRtpCapabilities as RtpCapabilities;
    const room = demo.server.rooms.get(demo.info.sessionId)!;
    // An observer's consumers of the facilitator's single-layer camera and microphone.
    const other = await connectClinician(demo.info, 'supervisor');
    opened.push(other.client);
    const send = await connectedTransport(fac.client, 'send');
    const camera = String((await fac.client.call('produce', { transportId: send, kind: 'video', rtpParameters: vp8RtpParameters() })).id);
    const mic = String((await fac.client.call('produce', { transportId: send, kind: 'audio', rtpParameters: opusRtpParameters() })).id);
    cameraStarted(room.peer(String(fac.hello.participantId))!.media.ownProducer(camera));
    const recv = await connectedTransport(other.client, 'recv');
    const video = String((await other.client.call('consume', { transportId: recv, producerId: camera, rtpCapabilities: caps })).id);
    const audio = String((await other.client.call('consume', { transportId: recv, producerId: mic, rtpCapabilities: caps })).id);
    const peer = room.peer(String(other.hello.participantId))!;
    await other.client.call('resumeConsumer', { consumerId: audio });
    await other.client.call('resumeConsumer', { consumerId: video });

    expect(await other.client.call('setConsumerView', { consumerId: audio, visible: false, height: 0 })).toEqual({});
    expect(peer.media.ownConsumer(audio).paused).toBe(false);
    // One layer: seen or not is all there is to say.
    await other.client.call('setConsumerView', { consumerId: video, visible: true, height: 90 });
    expect(peer.media.ownConsumer(video).type).toBe('simple');
    expect(peer.media.ownConsumer(video).paused).toBe(false);

    expect(await fac.client.request('setConsumerView', { consumerId: video, visible: false, height: 0 })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(peer.media.ownConsumer(video).paused).toBe(false);
    expect(await other.client.request('setConsumerView', { consumerId: 'nope', visible: false, height: 0 })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    for (const bad of [{ height: -1 }, { height: 1.5 }, { height: 99999 }, { visible: 'no' }]) {
      expect(await other.client.request('setConsumerView', { consumerId: video, visible: true, height: 100, ...bad })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    }
  });
});

/** Every priority `consumer` is given from now on (unsetPriority sets 1), the calls passed through to mediasoup. */
function priorities(consumer: ms.Consumer): number[] {
  const given: number[] = [];
  const set = consumer.setPriority.bind(consumer);
  consumer.setPriority = (priority: number) => (given.push(priority), set(priority));
  return given;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a layered consumer’s first layer (src/server/media/layerStart.ts)', () => {
  it('has the worker share the link out again until it has layers, at most a set number of times, and is left at the default priority', async () => {
    const { fac, consumed, consumer } = await call(3);
    const given = priorities(consumer);
    await fac.client.call('resumeConsumer', { consumerId: consumed.id });
    // No media flows here, so no layer ever comes: the help runs its course, raised and put back in turn.
    await vi.waitFor(() => expect(given.filter((p) => p === 2)).toHaveLength(LAYER_START_TICKS / 2), { timeout: 20_000 });
    await vi.waitFor(() => expect(given).toHaveLength(LAYER_START_TICKS), { timeout: 5_000 });
    expect(given.every((p, i) => p === (i % 2 === 0 ? 2 : 1))).toBe(true);
    await vi.waitFor(() => expect(consumer.priority).toBe(1));
    await sleep(200);
    expect(given).toHaveLength(LAYER_START_TICKS);
  });

  it('is not given to a consumer that cannot flow (an unseen tile), and is once it can', async () => {
    const { fac, consumed, consumer } = await call(4);
    const given = priorities(consumer);
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: false, height: 0 });
    await fac.client.call('resumeConsumer', { consumerId: consumed.id });
    await sleep(200);
    expect(given).toEqual([]);
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: true, height: 360 });
    await vi.waitFor(() => expect(given).toContain(2), { timeout: 5_000 });
    // Hidden again: the help stops, at the default priority.
    await fac.client.call('setConsumerView', { consumerId: consumed.id, visible: false, height: 0 });
    await vi.waitFor(() => expect(consumer.priority).toBe(1));
    const after = given.length;
    await sleep(200);
    expect(given.length).toBeLessThanOrEqual(after + 1);
    expect(consumer.priority).toBe(1);
  });
});

describe('the voice on the way down (issue 22)', () => {
  it('is consumed with NACK, and the worker keeps what it sent to answer it', async () => {
    const { fac, audioId, audioConsumer } = await call(5);
    const opus = audioConsumer.rtpParameters.codecs.find((c) => c.mimeType.toLowerCase() === 'audio/opus');
    // The receiver's capabilities list NACK for Opus (mediasoup-client's devices announce it);
    // mediasoup drops it from an audio consumer unless the consumer keeps what it sends.
    expect(opus?.rtcpFeedback).toContainEqual(expect.objectContaining({ type: 'nack' }));
    await fac.client.call('resumeConsumer', { consumerId: audioId });
    const dump = (await audioConsumer.dump()) as unknown as { rtpStream?: { params: { useNack: boolean } } };
    expect(dump.rtpStream?.params.useNack).toBe(true);
  });
});

describe('a camera let in before its first key frame (src/server/media/firstKeyFrame.ts)', () => {
  it('has a consumer its receiver resumed wait for that key frame, and flow once it comes; the receiver is answered at once', async () => {
    const fac = await connectClinician(demo.info);
    const caps = fac.hello.routerRtpCapabilities as RtpCapabilities;
    const alice = await admitted(demo.info, demo.info.invitations[6]!, fac.client, 'Alice');
    opened.push(fac.client, alice.client);
    const room = demo.server.rooms.get(demo.info.sessionId)!;
    const send = await connectedTransport(alice.client, 'send');
    const camera = String((await alice.client.call('produce', { transportId: send, kind: 'video', rtpParameters: vp8SimulcastRtpParameters() })).id);
    const recv = await connectedTransport(fac.client, 'recv');
    const consumed = await fac.client.call('consume', { transportId: recv, producerId: camera, rtpCapabilities: caps });
    const consumer = room.peer(String(fac.hello.participantId))!.media.ownConsumer(String(consumed.id));

    const asked = Date.now();
    expect(await fac.client.call('resumeConsumer', { consumerId: consumed.id })).toEqual({});
    expect(Date.now() - asked).toBeLessThan(FIRST_KEY_FRAME_WAIT_MS / 2);
    // Resumed now, the key frame its resume asks for would come first and find no layer to go in.
    expect(consumer.paused).toBe(true);
    cameraStarted(room.peer(alice.participantId)!.media.ownProducer(camera));
    await expect.poll(() => consumer.paused, { timeout: 1_000 }).toBe(false);
  });
});
