/**
 * Getting ready in the waiting room (RoomClient.getReady): the page connects its media while it
 * waits, producing blank stand-ins whose tracks it takes away at once, and the server holds the
 * producers, each in the state the person has it (set to go live, or left paused); the server
 * announces them with the admission, which then costs no transport, no connection and no new
 * producer, only giving them the person's tracks. Real server and mediasoup worker; the browser's RTCPeerConnection is
 * mediasoup-client's FakeHandler (tests/support/fakeMedia.ts).
 */
import { FakeHandler } from 'mediasoup-client';
import { expect, it, vi } from 'vitest';
import { RoomClient } from '../../src/client/roomClient';
import type { StandIn } from '../../src/client/standIn';
import { CAMERA_LAYERS, type MediaKind, type MethodName } from '../../src/shared/protocol';
import { sharedTestDemo } from '../server/support/sharedDemo';
import { fakeDevice, fakeStream, fakeTrack } from '../support/fakeMedia';
import { checkedIn } from './support/checkedIn';
import { closeAll, roomFacilitator, type Connected } from './support/roomFacilitator';

const demo = sharedTestDemo(7);

/** A checked-in client whose RoomClient got ready, with every request it sent and every stand-in it made. */
async function readyNewcomer(index: number, kinds: MediaKind[] = ['video', 'audio']) {
  const client = await checkedIn(demo.info, index, `Ready ${index}`);
  const standIns: { kind: MediaKind; stopped: boolean }[] = [];
  const createStandIn = (kind: MediaKind): StandIn => {
    const record = { kind, stopped: false };
    standIns.push(record);
    return { track: fakeTrack(kind), stop: () => (record.stopped = true) };
  };
  const room = new RoomClient(client.signaling, { createDevice: fakeDevice, createStandIn });
  await room.getReady(client.routerRtpCapabilities, kinds);
  return { ...client, room, standIns };
}

const methods = (sent: { method: MethodName }[]) => sent.map((s) => s.method);

/** The facilitator admits `client`, whose page then joins and publishes `stream` side by side, as the page does. */
async function letIn(fac: Connected, client: Awaited<ReturnType<typeof readyNewcomer>>, stream = fakeStream()): Promise<void> {
  await fac.signaling.request('admit', { participantId: client.participantId });
  const data = await client.admitted;
  await Promise.all([
    client.room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: client.participantId }),
    client.room.publish(stream),
  ]);
}

it('while waiting: both transports made and connected, a stand-in per kind produced and its track taken away; the group hears nothing', async () => {
  const fac = await roomFacilitator(demo.info);
  const added: string[] = [];
  fac.signaling.on('producerAdded', ({ producerId }) => added.push(producerId));
  const client = await readyNewcomer(0);
  try {
    // Both transports connected: the receive one by consuming our own held video, never resumed.
    // Each held producer set to go live at admission (the server makes it paused).
    expect(methods(client.sent).sort()).toEqual([
      'checkIn', 'connectTransport', 'connectTransport', 'consume', 'createTransport', 'createTransport', 'hello', 'produce', 'produce',
      'setProducerPaused', 'setProducerPaused',
    ]);
    expect(client.sent.filter((s) => s.method === 'setProducerPaused').map((s) => s.data['paused'])).toEqual([false, false]);
    const consumed = String(client.sent.find((s) => s.method === 'consume')!.data['producerId']);
    expect(demo.server.rooms.get(demo.info.sessionId)!.peer(client.participantId)!.media.isHeld(consumed)).toBe(true);
    expect(client.sent.filter((s) => s.method === 'produce').map((s) => s.data['kind'])).toEqual(['video', 'audio']);
    expect(client.standIns.map((s) => s.kind)).toEqual(['video', 'audio']);
    // A stand-in lives only for its produce: the producer is left with no track, sending nothing.
    expect(client.standIns.every((s) => s.stopped)).toBe(true);
    expect(client.room.hasHeldMedia).toBe(true);
    for (const kind of ['video', 'audio'] as const) {
      expect(client.room.isPublishing(kind)).toBe(false);
      expect(client.room.isPaused(kind)).toBe(true);
    }
    // The server has them, held, live (with no track, nothing is sent).
    const peer = demo.server.rooms.get(demo.info.sessionId)!.peer(client.participantId)!;
    expect(peer.media.listProducers()).toEqual([]);
    expect(peer.media.heldProducers().map((p) => p.paused)).toEqual([false, false]);
    // Announced, they would have reached the facilitator before the answer to this: nothing.
    await fac.signaling.request('lock', { locked: false });
    expect(added).toEqual([]);
  } finally {
    closeAll(client, fac);
  }
});

it('admitted: the group hears of the held producers with the admission; no transport or producer is made again; the tracks are swapped in and the group receives them', async () => {
  const fac = await roomFacilitator(demo.info);
  await fac.room.publish(fakeStream());
  const tracks: { kind: string; participantId: string }[] = [];
  fac.room.on('track', ({ kind, participantId }) => tracks.push({ kind, participantId }));
  const announced: string[] = [];
  fac.signaling.on('producerAdded', ({ participantId }) => announced.push(participantId));
  const client = await readyNewcomer(1);
  try {
    const before = client.sent.length;
    await fac.signaling.request('admit', { participantId: client.participantId });
    // Announced before the admit was answered: the newcomer's page has not even read its admission.
    expect(announced).toEqual([client.participantId, client.participantId]);
    const data = await client.admitted;
    const joining = client.room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: client.participantId });
    const publishing = client.room.publish(fakeStream());
    // The releases in the publish call itself; the consumes by the end of its microtasks: all
    // before a render the page schedules next could run.
    expect(methods(client.sent.slice(before))).toEqual(['setProducerPaused', 'setProducerPaused']);
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    expect(methods(client.sent.slice(before)).sort()).toEqual(['consume', 'consume', 'setProducerPaused', 'setProducerPaused']);
    await Promise.all([joining, publishing]);
    const after = client.sent.slice(before);
    expect(methods(after)).not.toContain('createTransport');
    expect(methods(after)).not.toContain('produce');
    const releases = after.filter((s) => s.method === 'setProducerPaused');
    expect(releases.map((s) => s.data['paused'])).toEqual([false, false]);
    expect(client.room.hasHeldMedia).toBe(false);
    for (const kind of ['video', 'audio'] as const) {
      expect(client.room.isPublishing(kind)).toBe(true);
      expect(client.room.isPaused(kind)).toBe(false);
    }
    while (tracks.filter((t) => t.participantId === client.participantId).length < 2) await new Promise((r) => setTimeout(r, 20));
    expect(tracks.filter((t) => t.participantId === client.participantId).map((t) => t.kind).sort()).toEqual(['audio', 'video']);
  } finally {
    closeAll(client, fac);
  }
});

it('a microphone the person muted as they were let in is sent paused, and the group hears it as paused', async () => {
  const fac = await roomFacilitator(demo.info);
  const paused = new Set<string>();
  fac.signaling.on('producerPaused', ({ producerId, paused: p }) => (p ? paused.add(producerId) : paused.delete(producerId)));
  const client = await readyNewcomer(2);
  try {
    const before = client.sent.length;
    await fac.signaling.request('admit', { participantId: client.participantId });
    const data = await client.admitted;
    await client.room.setMuted('audio', true);
    const stream = fakeStream();
    stream.getAudioTracks()[0]!.enabled = false;
    await Promise.all([
      client.room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: client.participantId }),
      client.room.publish(stream),
    ]);
    const releases = client.sent.slice(before).filter((s) => s.method === 'setProducerPaused');
    expect(releases.map((s) => s.data['paused']).sort()).toEqual([false, true]);
    expect(client.room.isPaused('audio')).toBe(true);
    expect(client.room.isPaused('video')).toBe(false);
    const audioId = String(releases.find((s) => s.data['paused'] === true)!.data['producerId']);
    while (!paused.has(audioId)) await new Promise((r) => setTimeout(r, 20));
  } finally {
    closeAll(client, fac);
  }
});

it('what the person turns off or on while waiting is what the group hears of at admission', async () => {
  const fac = await roomFacilitator(demo.info);
  const heard = new Map<string, string[]>();
  const note = (producerId: string, what: string) => heard.set(producerId, [...(heard.get(producerId) ?? []), what]);
  fac.signaling.on('producerAdded', ({ producerId, kind }) => note(producerId, `added ${kind}`));
  fac.signaling.on('producerPaused', ({ producerId, paused }) => note(producerId, paused ? 'paused' : 'resumed'));
  // Ready with the camera only; then the camera off, and on and off again; the microphone on.
  const client = await readyNewcomer(5, ['video']);
  try {
    const peer = demo.server.rooms.get(demo.info.sessionId)!.peer(client.participantId)!;
    await client.room.holdChoice('video', false);
    await Promise.all([client.room.holdChoice('video', true), client.room.holdChoice('video', false)]);
    expect(peer.media.heldProducers().map((p) => [p.kind, p.paused])).toEqual([['video', true]]);
    await client.room.holdChoice('audio', true);
    expect(peer.media.heldProducers().map((p) => [p.kind, p.paused])).toEqual([['video', true], ['audio', false]]);
    expect(client.sent.filter((s) => s.method === 'produce').map((s) => s.data['kind'])).toEqual(['video', 'audio']);
    expect(heard.size).toBe(0);

    await fac.signaling.request('admit', { participantId: client.participantId });
    expect([...heard.values()].sort()).toEqual([['added audio'], ['added video', 'paused']]);
  } finally {
    closeAll(client, fac);
  }
});

it('a camera made ready but gone by the admission is paused, so the group does not wait for its frames', async () => {
  const fac = await roomFacilitator(demo.info);
  const heard: string[] = [];
  fac.signaling.on('producerAdded', ({ kind }) => heard.push(`added ${kind}`));
  fac.signaling.on('producerPaused', ({ paused }) => heard.push(paused ? 'paused' : 'resumed'));
  const client = await readyNewcomer(6);
  try {
    // Only the microphone is there to send: the camera was unplugged while they waited.
    await letIn(fac, client, fakeStream(['audio']));
    const peer = demo.server.rooms.get(demo.info.sessionId)!.peer(client.participantId)!;
    await vi.waitFor(() => expect(peer.media.listProducers().map((p) => [p.kind, p.paused]).sort()).toEqual([['audio', false], ['video', true]]));
    await vi.waitFor(() => expect(heard.slice().sort()).toEqual(['added audio', 'added video', 'paused']));
    expect(client.room.isPublishing('video')).toBe(false);
  } finally {
    closeAll(client, fac);
  }
});

it('closed while a publish is under way: the publish ends quietly, nothing is left unhandled', async () => {
  const fac: Connected = await roomFacilitator(demo.info);
  const client = await readyNewcomer(3, []);
  try {
    await fac.signaling.request('admit', { participantId: client.participantId });
    const data = await client.admitted;
    void client.room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: client.participantId });
    const publishing = client.room.publish(fakeStream());
    // Closed once the first produce is on its way: the transport's queue stops under it.
    while (!client.sent.some((s) => s.method === 'produce')) await new Promise((r) => setTimeout(r, 1));
    client.room.close();
    await expect(publishing).resolves.toBeUndefined();
  } finally {
    closeAll(client, fac);
  }
});

it('being let in does not renegotiate the camera’s layers: a camera never capped sends them all already; a cap and its lifting do', async () => {
  const layersSet = vi.spyOn(FakeHandler.prototype, 'setMaxSpatialLayer');
  const fac = await roomFacilitator(demo.info);
  const client = await readyNewcomer(4);
  try {
    await letIn(fac, client);
    expect(client.room.isPublishing('video')).toBe(true);
    expect(layersSet).not.toHaveBeenCalled();
    // A weak way up caps the camera to its smallest layer, and lifting the cap brings the rest back.
    client.room.capOutgoingVideo(true);
    await vi.waitFor(() => expect(layersSet).toHaveBeenCalledTimes(1));
    expect(layersSet.mock.calls[0]![1]).toBe(0);
    client.room.capOutgoingVideo(false);
    await vi.waitFor(() => expect(layersSet).toHaveBeenCalledTimes(2));
    expect(layersSet.mock.calls[1]![1]).toBe(CAMERA_LAYERS.length - 1);
  } finally {
    layersSet.mockRestore();
    closeAll(client, fac);
  }
});
