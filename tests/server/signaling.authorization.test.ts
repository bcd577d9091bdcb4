/**
 * The authorization table against the running server: for every caller and every method,
 * a forbidden call answers FORBIDDEN and an allowed one gets past authorization to the
 * schema check (deliberately invalid data answers BAD_REQUEST, which also proves nothing ran).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDemo } from '../../src/server/demo.js';
import { isAllowed, METHOD_NAMES, type Caller } from '../../src/shared/protocol.js';
import { admitted, connectClinician, connectParticipant, knock, startTestDemo } from './support/testServer.js';
import type { TestClient } from './support/wsClient.js';

let demo: RunningDemo;
let facilitator: TestClient;
beforeAll(async () => {
  demo = await startTestDemo(4);
  facilitator = (await connectClinician(demo.info)).client;
});
afterAll(async () => {
  await facilitator.close();
  await demo.close();
});

const INVALID = { '\u0000invalid': true };

async function expectTable(client: TestClient, caller: Caller): Promise<void> {
  for (const method of METHOD_NAMES) {
    const r = await client.request(method, INVALID);
    const expected = method === 'hello' ? 'FORBIDDEN' : isAllowed(caller, method) ? 'BAD_REQUEST' : 'FORBIDDEN';
    expect(r.ok ? 'ok' : r.error.code, `${JSON.stringify(caller)} ${method}`).toBe(expected);
  }
  expect(client.isOpen).toBe(true);
}

describe('the server enforces the authorization table', () => {
  it('for a client in check-in', async () => {
    const { client } = await connectParticipant(demo.info, demo.info.invitations[0]!);
    await expectTable(client, { role: 'client', state: 'check-in' });
    await client.close();
  });

  it('for a client in waiting (a waiting client cannot create a transport)', async () => {
    const { client } = await knock(demo.info, demo.info.invitations[1]!);
    await expectTable(client, { role: 'client', state: 'waiting' });
    expect(await client.request('createTransport', { direction: 'recv' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await client.close();
  });

  it('for an admitted client', async () => {
    const { client } = await admitted(demo.info, demo.info.invitations[2]!, facilitator);
    await expectTable(client, { role: 'client', state: 'admitted' });
    await client.close();
  });

  it('for a facilitator', async () => {
    await expectTable(facilitator, { role: 'facilitator' });
  });

  it('for an observer', async () => {
    const { client } = await connectClinician(demo.info, 'supervisor');
    await expectTable(client, { role: 'observer' });
    await client.close();
  });
});
