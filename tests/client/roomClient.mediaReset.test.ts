/**
 * A media reset as RoomClient lives it: the session's mediasoup worker is killed (SIGKILL, as
 * the kernel's OOM killer would), the server moves the session to a new router and says
 * `mediaReset`, and each RoomClient throws its media session away whole and starts over on the
 * new router by itself. Joined, every remote track ends and comes back, and ours are sent again
 * as they were; still waiting, the media made ready is made ready again, unnoticed. Real server
 * and mediasoup worker; the browser's RTCPeerConnection is mediasoup-client's FakeHandler.
 */
import { expect, it } from 'vitest';
import { RoomClient } from '../../src/client/roomClient';
import { ProtocolError, type MethodName } from '../../src/shared/protocol';
import { sharedTestDemo } from '../server/support/sharedDemo';
import { fakeDevice, fakeStream, fakeTrack } from '../support/fakeMedia';
import { checkedIn } from './support/checkedIn';
import { closeAll, roomFacilitator } from './support/roomFacilitator';

const demo = sharedTestDemo(3);

/** Kills the one worker, and waits until its replacement runs. */
async function killWorker(): Promise<void> {
  const killed = demo.server.workers.loads()[0]!.pid;
  process.kill(killed, 'SIGKILL');
  const replaced = (): boolean => {
    const worker = demo.server.workers.loads()[0]!;
    return worker.alive && worker.pid !== killed;
  };
  await expect.poll(replaced, { timeout: 10_000 }).toBe(true);
}

/** The producers whose tracks `room` has live, the ones it ended, and what else it said. */
function watch(room: RoomClient) {
  const seen = { live: new Set<string>(), ended: new Set<string>(), said: [] as string[] };
  room.on('track', ({ producerId }) => seen.live.add(producerId));
  room.on('trackEnded', ({ producerId }) => {
    seen.live.delete(producerId);
    seen.ended.add(producerId);
  });
  room.on('mediaReset', () => seen.said.push('mediaReset'));
  room.on('mediaRestored', () => seen.said.push('mediaRestored'));
  room.on('error', ({ message }) => seen.said.push(`error: ${message}`));
  return seen;
}

/** A client checked in and waiting, with a RoomClient on FakeHandler. */
async function waitingClient(index: number) {
  const client = await checkedIn(demo.info, index, `Reset ${index}`);
  const room = new RoomClient(client.signaling, { createDevice: fakeDevice, createStandIn: (kind) => ({ track: fakeTrack(kind), stop: () => undefined }) });
  return { ...client, room };
}

const count = (sent: { method: MethodName }[], method: MethodName) => sent.filter((s) => s.method === method).length;

it('joined: every remote track ends and comes back from the new router, ours are sent again (a muted microphone stays muted), and each says mediaRestored', { timeout: 40_000 }, async () => {
  const fac = await roomFacilitator(demo.info);
  await fac.room.publish(fakeStream());
  const client = await waitingClient(0);
  const facSeen = watch(fac.room);
  const clientSeen = watch(client.room);
  try {
    await fac.signaling.request('admit', { participantId: client.participantId });
    const data = await client.admitted;
    await client.room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: client.participantId });
    await client.room.publish(fakeStream());
    await client.room.setMuted('audio', true);
    await expect.poll(() => [facSeen.live.size, clientSeen.live.size]).toEqual([2, 2]);
    const before = [...facSeen.live, ...clientSeen.live];

    await killWorker();
    await expect.poll(() => [facSeen.said, clientSeen.said], { timeout: 10_000 }).toEqual([
      ['mediaReset', 'mediaRestored'],
      ['mediaReset', 'mediaRestored'],
    ]);
    await expect.poll(() => [facSeen.live.size, clientSeen.live.size], { timeout: 10_000 }).toEqual([2, 2]);
    // Nothing of the old router is received any more, and everything of it said it ended.
    expect([...facSeen.ended, ...clientSeen.ended].sort()).toEqual([...before].sort());
    for (const producerId of [...facSeen.live, ...clientSeen.live]) expect(before).not.toContain(producerId);

    expect(client.room.isPublishing('video')).toBe(true);
    expect(client.room.isPaused('video')).toBe(false);
    expect(client.room.isPaused('audio')).toBe(true);
    const peer = demo.server.rooms.get(demo.info.sessionId)!.peer(client.participantId)!;
    expect(peer.media.listProducers().map((p) => [p.kind, p.paused]).sort()).toEqual([
      ['audio', true],
      ['video', false],
    ]);
  } finally {
    closeAll(client, fac);
  }
});

it('waiting: what was made ready is made ready again on the new router, unnoticed, and admission still makes no transport or producer', { timeout: 40_000 }, async () => {
  const fac = await roomFacilitator(demo.info);
  const tracksFromClient: string[] = [];
  const client = await waitingClient(1);
  fac.room.on('track', ({ participantId, kind }) => {
    if (participantId === client.participantId) tracksFromClient.push(kind);
  });
  const seen = watch(client.room);
  try {
    await client.room.getReady(client.routerRtpCapabilities, ['video', 'audio']);
    expect([count(client.sent, 'createTransport'), count(client.sent, 'produce'), count(client.sent, 'consume')]).toEqual([2, 2, 1]);

    await killWorker();
    // Both transports again, a stand-in per kind produced again, the receive one connected again.
    await expect.poll(() => [count(client.sent, 'createTransport'), count(client.sent, 'produce'), count(client.sent, 'consume')], { timeout: 10_000 }).toEqual([4, 4, 2]);
    expect(client.room.hasHeldMedia).toBe(true);
    expect(seen.said).toEqual([]);

    const before = client.sent.length;
    await fac.signaling.request('admit', { participantId: client.participantId });
    const data = await client.admitted;
    await Promise.all([
      client.room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: client.participantId }),
      client.room.publish(fakeStream()),
    ]);
    expect(count(client.sent.slice(before), 'createTransport')).toBe(0);
    expect(count(client.sent.slice(before), 'produce')).toBe(0);
    expect(client.room.isPublishing('video')).toBe(true);
    await expect.poll(() => [...tracksFromClient].sort()).toEqual(['audio', 'video']);
  } finally {
    closeAll(client, fac);
  }
});

it('a request about what the lost router took, answered before the reset is heard, says a reset took it, and the person is told nothing', { timeout: 40_000 }, async () => {
  const fac = await roomFacilitator(demo.info);
  await fac.room.publish(fakeStream());
  const client = await waitingClient(2);
  const seen = watch(client.room);
  // The consumers the server makes for this client, as it answers.
  const consumerIds: string[] = [];
  const request = client.signaling.request.bind(client.signaling);
  client.signaling.request = ((method: MethodName, data: never) =>
    request(method, data).then((result: unknown) => {
      if (method === 'consume') consumerIds.push((result as { id: string }).id);
      return result;
    })) as typeof client.signaling.request;
  try {
    await fac.signaling.request('admit', { participantId: client.participantId });
    const data = await client.admitted;
    await client.room.join({ routerRtpCapabilities: data.routerRtpCapabilities, producers: data.producers, selfParticipantId: client.participantId });
    await expect.poll(() => consumerIds.length).toBe(2);
    const old = consumerIds[0]!;

    // From the kill until the client hears the reset, it keeps asking about a consumer of the
    // old router, as a page whose resume or key-frame request crosses the reset does.
    let heard = false;
    client.signaling.on('mediaReset', () => {
      heard = true;
    });
    const answers: string[] = [];
    const asking = (async () => {
      while (!heard) {
        const answer = await request('requestKeyFrame', { consumerId: old }).then(
          () => 'ok',
          (err: unknown) => (err instanceof ProtocolError ? `${err.code}${err.reason ? ` ${err.reason}` : ''}` : String(err)),
        );
        // Answers that came after the reset was heard are not of the window.
        if (!heard) answers.push(answer);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await killWorker();
    await asking;
    // Answered before the reset went out: still there, or gone with a reason the client
    // knows a reset explains; never a plain "no such consumer" the page would show.
    expect(answers.filter((a) => a !== 'ok' && a !== 'NOT_FOUND media-reset')).toEqual([]);
    expect(answers).toContain('NOT_FOUND media-reset');
    // Once heard, an old id is plainly not found.
    await expect(request('requestKeyFrame', { consumerId: old })).rejects.toMatchObject({ code: 'NOT_FOUND', reason: undefined });
    await expect.poll(() => seen.said, { timeout: 10_000 }).toEqual(['mediaReset', 'mediaRestored']);
  } finally {
    closeAll(client, fac);
  }
});
