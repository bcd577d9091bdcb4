import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDemo } from '../../src/server/demo.js';
import { CLOSE_MESSAGE_TOO_BIG, CLOSE_POLICY_VIOLATION, FLOOD_LIMIT, MAX_FRAME_BYTES } from '../../src/shared/protocol.js';
import { connectParticipant, knock, startTestDemo } from './support/testServer.js';
import { TestClient } from './support/wsClient.js';

let demo: RunningDemo;
beforeAll(async () => {
  demo = await startTestDemo();
});
afterAll(async () => {
  await demo.close();
});

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
    // Waiting: createTransport is forbidden whatever its data.
    expect(await client.request('createTransport', { direction: 'sideways' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
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
