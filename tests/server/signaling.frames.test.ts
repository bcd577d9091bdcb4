import { connect as netConnect, type NetConnectOpts, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDemo, type RunningDemo } from '../../src/server/demo.js';
import { DEFAULT_SIGNALING_LIMITS, type SignalingLimits } from '../../src/server/signaling/signalingServer.js';
import { CLOSE_MESSAGE_TOO_BIG, CLOSE_POLICY_VIOLATION, FLOOD_LIMIT, MAX_FRAME_BYTES } from '../../src/shared/protocol.js';
import { retryWhileConflict } from './support/retry.js';
import { AGREEMENT_VERSION_OF, admitted, connectClinician, connectParticipant, knock } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { TestClient } from './support/wsClient.js';

const demo = sharedTestDemo();

const badRequest = { ok: false, error: { code: 'BAD_REQUEST' } };

describe('malformed frames', () => {
  it('answer id:null BAD_REQUEST for binary, non-JSON, arrays, scalars and frames without an id', async () => {
    const c = await TestClient.connect(demo.info.wsUrl);
    c.sendRaw(Buffer.from('{"id":1,"method":"hello"}'), true);
    expect(await c.nextNullResponse()).toMatchObject({ id: null, ...badRequest });
    for (const raw of ['not json', '[1,2,3]', '42', 'null', '{"method":"hello","data":{}}', '{"id":-1,"method":"hello"}', '{"id":1.5,"method":"hello"}', '{"id":"1","method":"hello"}', '{"id":1}']) {
      c.sendRaw(raw);
      expect(await c.nextNullResponse(), raw).toMatchObject({ id: null, ...badRequest });
    }
    expect(c.isOpen).toBe(true);
    await c.close();
  });

  it('answer an unknown method with BAD_REQUEST and the request id, even before hello', async () => {
    const c = await TestClient.connect(demo.info.wsUrl);
    const r = await c.request('launchMissiles', {});
    expect(r).toMatchObject({ id: 1, ...badRequest });
    await c.close();
  });

  it('answer any method before hello with UNAUTHENTICATED', async () => {
    const c = await TestClient.connect(demo.info.wsUrl);
    for (const m of ['checkIn', 'leave', 'admit', 'createTransport', 'consume']) {
      expect(await c.request(m, {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    }
    await c.close();
  });

  it('answer bad hello data with BAD_REQUEST and a second hello with FORBIDDEN', async () => {
    const c = await TestClient.connect(demo.info.wsUrl);
    expect(await c.request('hello', { as: 'wizard' })).toMatchObject(badRequest);
    expect(await c.request('hello')).toMatchObject(badRequest);
    const inv = demo.info.invitations[0]!;
    await c.call('hello', { as: 'participant', invite: inv.token, passcode: inv.passcode });
    expect(await c.request('hello', { as: 'participant', invite: inv.token, passcode: inv.passcode })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await c.close();
  });

  it('check authorization before the data schema', async () => {
    const { client } = await knock(demo.info, demo.info.invitations[1]!);
    // Waiting: resumeConsumer is forbidden whatever its data.
    expect(await client.request('resumeConsumer', { consumerId: 7 })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await client.close();
    const { client: c2, hello } = await connectParticipant(demo.info, demo.info.invitations[1]!);
    expect(hello.state).toBe('check-in');
    // In check-in: checkIn is allowed, so bad data is BAD_REQUEST.
    expect(await c2.request('checkIn', { displayName: '', agreementVersion: 'x', media: { audio: true, video: true } })).toMatchObject(
      badRequest,
    );
    expect(await c2.request('checkIn', { displayName: 'a\u0007b', agreementVersion: 'x', media: { audio: true, video: true } })).toMatchObject(
      badRequest,
    );
    await c2.close();
  });

  it('close an oversize frame with 1009', async () => {
    const c = await TestClient.connect(demo.info.wsUrl);
    c.sendRaw(JSON.stringify({ id: 1, method: 'hello', data: { pad: 'x'.repeat(MAX_FRAME_BYTES) } }));
    expect((await c.closed).code).toBe(CLOSE_MESSAGE_TOO_BIG);
  });

  it('close a text frame that is not UTF-8 with 1007', async () => {
    const c = await TestClient.connect(demo.info.wsUrl);
    c.sendRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false);
    expect((await c.closed).code).toBe(1007);
  });

  it(`close the socket with 1008 after ${FLOOD_LIMIT} bad requests`, async () => {
    const c = await TestClient.connect(demo.info.wsUrl);
    for (let i = 0; i < FLOOD_LIMIT - 1; i++) c.sendRaw('garbage');
    for (let i = 0; i < FLOOD_LIMIT - 1; i++) await c.nextNullResponse();
    expect(c.isOpen).toBe(true);
    c.sendRaw('garbage');
    expect((await c.closed).code).toBe(CLOSE_POLICY_VIOLATION);
  });

  it('still serve another client after all that', async () => {
    const { client, hello } = await connectParticipant(demo.info, demo.info.invitations[2]!);
    expect(hello).toMatchObject({ state: 'check-in', session: { id: demo.info.sessionId } });
    await client.close();
    const res = await fetch(demo.info.httpUrl + '/healthz');
    expect(res.status).toBe(200);
  });

  it('refuse WebSocket upgrades on other paths', async () => {
    await expect(TestClient.connect(demo.info.wsUrl.replace('/ws', '/other'))).rejects.toThrow();
  });
});

/**
 * Sockets that idle, stall or stop reading, against a server whose limits are small enough
 * to reach in a test (the defaults are in DEFAULT_SIGNALING_LIMITS).
 */
describe('slow and stalled sockets', () => {
  // The hello timeout leaves room for a scrypt verification on a busy machine.
  const limits: SignalingLimits = { ...DEFAULT_SIGNALING_LIMITS, helloTimeoutMs: 2000, heartbeatMs: 250, maxBufferedBytes: 64 * 1024 };
  let slow: RunningDemo;
  beforeAll(async () => {
    slow = await startDemo({ invitations: 4, workers: 1, participantDir: '/nonexistent-participant-dir', start: { limits } });
  });
  afterAll(async () => {
    await slow.close();
  });

  /**
   * A participant on a plain `ws` socket whose TCP socket the test holds: it can stop
   * answering pings (autoPong off) or stop reading altogether (the TCP socket paused).
   */
  async function rawParticipant(
    target: RunningDemo,
    invitation: RunningDemo['info']['invitations'][number],
    autoPong: boolean,
  ): Promise<{ ws: WebSocket; tcp: Socket; participantId: string; agreementVersion: string; closed: Promise<number> }> {
    let tcp: Socket | undefined;
    const ws = new WebSocket(target.info.wsUrl, {
      autoPong,
      perMessageDeflate: false,
      // The TCP socket under the WebSocket, kept so the test can stop reading from it.
      createConnection: ((options: NetConnectOpts) => (tcp = netConnect(options))) as typeof netConnect,
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const reply = new Promise<{ ok: boolean; data: Record<string, unknown> }>((resolve) =>
      ws.once('message', (raw) => resolve(JSON.parse(String(raw)))),
    );
    ws.send(JSON.stringify({ id: 1, method: 'hello', data: { as: 'participant', invite: invitation.token, passcode: invitation.passcode } }));
    const hello = await reply;
    if (!hello.ok || !tcp) throw new Error('raw participant hello failed');
    return { ws, tcp, participantId: String(hello.data.participantId), agreementVersion: AGREEMENT_VERSION_OF(hello.data), closed };
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /**
   * The facilitator hears of a client whose socket the server cut: gone at once, or listed
   * as reconnecting for the grace period. Either way the server holds no live peer for it.
   */
  async function toldOfDrop(server: RunningDemo, fac: TestClient, participantId: string): Promise<void> {
    await Promise.any([
      fac.waitFor('participantLeft', (d) => d.participantId === participantId, 10_000),
      fac.waitFor('participantUpdated', (d) => d.participant.participantId === participantId, 10_000),
    ]);
    expect(server.server.rooms.get(server.info.sessionId)?.peer(participantId)).toBeUndefined();
  }

  it('close a socket that says no hello in time with 1008, and keep one that did', async () => {
    const T = limits.helloTimeoutMs;
    const started = Date.now();
    const [silent, guesser] = await Promise.all([TestClient.connect(slow.info.wsUrl), TestClient.connect(slow.info.wsUrl)]);
    const { client: greeted } = await connectParticipant(slow.info, slow.info.invitations[0]!);
    // Failed hellos do not restart the clock: one at half time still closes at T, not 1.5 T.
    await sleep(T / 2 - (Date.now() - started));
    const answer = await Promise.race([
      guesser.request('hello', { as: 'participant', invite: 'nope', passcode: 'nope' }),
      guesser.closed.then(() => undefined),
    ]);
    if (answer) expect(answer).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    for (const c of [silent, guesser]) expect(await c.closed).toEqual({ code: CLOSE_POLICY_VIOLATION, reason: 'no hello in time' });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(T - 50);
    expect(elapsed).toBeLessThan(1.5 * T);
    await sleep(T / 2);
    expect(greeted.isOpen).toBe(true);
    expect(await greeted.request('leave', {})).toMatchObject({ ok: true });
  });

  it('cut a socket that stops answering pings, and free its place in the room', async () => {
    const fac = await connectClinician(slow.info);
    const invitation = slow.info.invitations[1]!;
    const stalled = await rawParticipant(slow, invitation, false);
    stalled.ws.send(
      JSON.stringify({
        id: 2,
        method: 'checkIn',
        data: { displayName: 'Quiet', agreementVersion: stalled.agreementVersion, media: { audio: true, video: false } },
      }),
    );
    await fac.client.waitFor('knock');
    fac.client.notifications.splice(0); // only what follows the stall counts
    // Terminated, not closed: no close frame, so the client sees 1006.
    expect(await stalled.closed).toBe(1006);
    await toldOfDrop(slow, fac.client, stalled.participantId);
    // A socket that answers pings outlives several heartbeats.
    const steady = await connectParticipant(slow.info, slow.info.invitations[3]!);
    await sleep(limits.heartbeatMs * 4);
    expect(steady.client.isOpen).toBe(true);
    expect(fac.client.isOpen).toBe(true);
    await steady.client.call('leave', {});
    await fac.client.close();
  });

  describe('with a heartbeat too slow to notice', () => {
    // Only the backlog limit can catch the reader here: the heartbeat comes once a minute.
    let stuck: RunningDemo;
    beforeAll(async () => {
      stuck = await startDemo({
        invitations: 4,
        workers: 1,
        participantDir: '/nonexistent-participant-dir',
        // The facilitator's own request budget is no part of this: room for as many messages
        // as filling the buffers takes, however fast the server relays them (on PostgreSQL
        // each of a clinician's calls waits for its who-is-asking read first).
        start: { limits: { ...limits, heartbeatMs: 60_000, requestBurst: 100_000, requestsPerSecond: 100_000 } },
      });
    });
    afterAll(async () => {
      await stuck.close();
    });

    it('drop a peer that stops reading once its backlog passes the limit', async () => {
      const fac = await retryWhileConflict(() => connectClinician(stuck.info));
      const invitation = stuck.info.invitations[2]!;
      const reader = await rawParticipant(stuck, invitation, true);
      reader.ws.send(
        JSON.stringify({
          id: 2,
          method: 'checkIn',
          data: { displayName: 'Stuck', agreementVersion: reader.agreementVersion, media: { audio: true, video: false } },
        }),
      );
      await fac.client.waitFor('knock');
      await fac.client.call('admit', { participantId: reader.participantId });
      fac.client.notifications.splice(0); // only what follows the stall counts
      // From here on the reader reads nothing: the kernel's buffers fill, then the server's.
      reader.tcp.pause();
      const text = 'x'.repeat(2000);
      let sent = 0;
      while (stuck.server.rooms.get(stuck.info.sessionId)?.peer(reader.participantId)) {
        // Pipelined in batches: the facilitator's own socket reads normally.
        const batch = Array.from({ length: 200 }, () => fac.client.request('message', { to: reader.participantId, text }));
        const answers = await Promise.all(batch);
        sent += batch.length;
        if (answers.some((a) => !a.ok)) break;
        // Far past kernel buffers (a few MB on loopback) plus the limit: the cut never came.
        if (sent * text.length > 64 * 1024 * 1024) throw new Error('the stalled reader was never dropped');
      }
      // Cut by the backlog limit, well before the heartbeat: the room no longer holds the peer.
      await toldOfDrop(stuck, fac.client, reader.participantId);
      reader.ws.terminate();
      // Another client is unaffected.
      const other = await admitted(stuck.info, stuck.info.invitations[3]!, fac.client, 'Other');
      expect(other.client.isOpen).toBe(true);
      await other.client.close();
      await fac.client.close();
    });
  });
});
