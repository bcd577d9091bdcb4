/**
 * The complete authorization matrix against the running server: every caller (row) and
 * every method (column). "allowed" means the call got past authorization to the schema
 * check: it is sent deliberately invalid data and answers BAD_REQUEST, which also proves
 * nothing ran. Every other cell is the error code the server must answer with.
 * The table is written out by hand, and `isAllowed` is checked against it too.
 */
import { describe, expect, it } from 'vitest';
import { isAllowed, METHOD_NAMES, type Caller, type MethodName } from '../../src/shared/protocol.js';
import { admitted, connectClinician, connectParticipant, knock } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { TestClient } from './support/wsClient.js';
import { retryWhileConflict } from './support/retry.js';

type Outcome = 'allowed' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'REMOVED';
const A: Outcome = 'allowed';
const F: Outcome = 'FORBIDDEN';
const U: Outcome = 'UNAUTHENTICATED';
const R: Outcome = 'REMOVED';

const ROWS = ['facilitator', 'observer', 'check-in', 'waiting', 'admitted', 'removed', 'no hello'] as const;
type Row = (typeof ROWS)[number];

// prettier-ignore
const MATRIX: Record<MethodName, readonly [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]> = {
  //                 facilitator observer check-in waiting admitted removed no hello
  hello:            [F,          F,       F,       F,      F,       R,      A],
  readRecap:        [F,          F,       F,       F,      F,       A,      A],
  checkIn:          [F,          F,       A,       F,      F,       U,      U],
  leave:            [A,          A,       A,       A,      A,       U,      U],
  admit:            [A,          F,       F,       F,      F,       U,      U],
  deny:             [A,          F,       F,       F,      F,       U,      U],
  createTransport:  [A,          A,       F,       A,      A,       U,      U],
  connectTransport: [A,          A,       F,       A,      A,       U,      U],
  restartIce:       [A,          A,       F,       A,      A,       U,      U],
  closeTransport:   [A,          A,       F,       A,      A,       U,      U],
  produce:          [A,          F,       F,       A,      A,       U,      U],
  consume:          [A,          A,       F,       A,      A,       U,      U],
  resumeConsumer:   [A,          A,       F,       F,      A,       U,      U],
  requestKeyFrame:  [A,          A,       F,       F,      A,       U,      U],
  setConsumerView:  [A,          A,       F,       F,      A,       U,      U],
  setProducerPaused:[A,          F,       F,       A,      A,       U,      U],
  message:          [A,          F,       F,       F,      A,       U,      U],
  groupMessage:     [A,          F,       F,       F,      A,       U,      U],
  reportConnection: [A,          A,       F,       A,      A,       U,      U],
  setGroupChat:     [A,          F,       F,       F,      F,       U,      U],
  clearGroupChat:   [A,          F,       F,       F,      F,       U,      U],
  admitAll:         [A,          F,       F,       F,      F,       U,      U],
  verify:           [A,          F,       F,       F,      F,       U,      U],
  mute:             [A,          F,       F,       F,      F,       U,      U],
  muteAll:          [A,          F,       F,       F,      F,       U,      U],
  allowUnmute:      [A,          F,       F,       F,      F,       U,      U],
  remove:           [A,          F,       F,       F,      F,       U,      U],
  returnToWaiting:  [A,          F,       F,       F,      F,       U,      U],
  lock:             [A,          F,       F,       F,      F,       U,      U],
  end:              [A,          F,       F,       F,      F,       U,      U],
  crisisInfo:       [A,          F,       F,       F,      F,       U,      U],
  publishKey:       [A,          A,       A,       A,      A,       U,      U],
  memberKeys:       [A,          F,       F,       F,      F,       U,      U],
  sendGroupKey:     [A,          F,       F,       F,      F,       U,      U],
  allowClearAudio:  [A,          F,       F,       F,      F,       U,      U],
};

const CALLER_OF: Partial<Record<Row, Caller>> = {
  facilitator: { role: 'facilitator' },
  observer: { role: 'observer' },
  'check-in': { role: 'client', state: 'check-in' },
  waiting: { role: 'client', state: 'waiting' },
  admitted: { role: 'client', state: 'admitted' },
};

const outcome = (row: Row, method: MethodName): Outcome => MATRIX[method][ROWS.indexOf(row)]!;

const demo = sharedTestDemo(6);
const inv = (i: number) => demo.info.invitations[i]!;

const INVALID = { '\u0000invalid': true };

/** A facilitator just long enough to admit someone, so the facilitator row can own the seat. */
async function admittedClient(i: number): Promise<TestClient> {
  const fac = await retryWhileConflict(() => connectClinician(demo.info));
  const { client } = await admitted(demo.info, inv(i), fac.client);
  await fac.client.close();
  return client;
}

async function removedSocket(): Promise<TestClient> {
  const fac = await retryWhileConflict(() => connectClinician(demo.info));
  const { client, participantId } = await connectParticipant(demo.info, inv(4));
  await fac.client.call('remove', { participantId, reason: 'matrix' });
  await client.closed;
  await fac.client.close();
  return TestClient.connect(demo.info.wsUrl);
}

let admittedSockets = 0;

/** A fresh socket in the row's state. */
const CONNECT: Record<Row, () => Promise<TestClient>> = {
  facilitator: async () => (await retryWhileConflict(() => connectClinician(demo.info))).client,
  observer: async () => (await retryWhileConflict(() => connectClinician(demo.info, 'supervisor'))).client,
  'check-in': async () => (await retryWhileConflict(() => connectParticipant(demo.info, inv(0)))).client,
  waiting: async () => (await retryWhileConflict(() => knock(demo.info, inv(1)))).client,
  // A row's second socket is another client: the first one's seat is still theirs a while after it closes.
  admitted: () => admittedClient(admittedSockets++ % 2 === 0 ? 2 : 5),
  removed: removedSocket,
  'no hello': () => TestClient.connect(demo.info.wsUrl),
};

/** Fewer BAD_REQUESTs per socket than the flood limit (20), so no socket is cut mid-row. */
const BAD_REQUESTS_PER_SOCKET = 15;

async function probe(client: TestClient, row: Row, method: MethodName): Promise<string> {
  const validRemovedHello = row === 'removed' && method === 'hello';
  const data = validRemovedHello ? { as: 'participant', invite: inv(4).token, passcode: inv(4).passcode } : INVALID;
  const r = await client.request(method, data);
  return r.ok ? 'ok' : r.error.code;
}

async function runRow(row: Row): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  let client = await CONNECT[row]();
  let badRequests = 0;
  for (const method of METHOD_NAMES) {
    if (badRequests >= BAD_REQUESTS_PER_SOCKET) {
      await client.close();
      client = await CONNECT[row]();
      badRequests = 0;
    }
    seen[method] = await probe(client, row, method);
    if (seen[method] === 'BAD_REQUEST') badRequests++;
  }
  expect(client.isOpen).toBe(true);
  await client.close();
  return seen;
}

const expectedCode = (o: Outcome): string => (o === 'allowed' ? 'BAD_REQUEST' : o);

describe('the authorization matrix', () => {
  it('covers every method', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...METHOD_NAMES].sort());
  });

  it('agrees with isAllowed for every caller that has said hello', () => {
    for (const [row, caller] of Object.entries(CALLER_OF) as [Row, Caller][]) {
      for (const method of METHOD_NAMES) {
        expect(isAllowed(caller, method), `${row} ${method}`).toBe(outcome(row, method) === 'allowed');
      }
    }
  });

  for (const row of ROWS) {
    it(`is what the server enforces for: ${row}`, async () => {
      const seen = await runRow(row);
      const expected = Object.fromEntries(METHOD_NAMES.map((m) => [m, expectedCode(outcome(row, m))]));
      expect(seen).toEqual(expected);
    });
  }
});
