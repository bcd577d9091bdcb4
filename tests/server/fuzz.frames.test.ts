/**
 * Property: whatever frames a client throws at the real server, in whatever role and state,
 * the server answers each with a PROTOCOL.md envelope (the right id, a listed code, a clean
 * message, never INTERNAL), closes only for the reasons the protocol gives, pollutes no
 * prototype, and goes on serving everyone else. Each run starts from a fresh socket in the
 * role under test, so one run's side effects cannot hide another's failure.
 *
 * FUZZ_RUNS raises the number of runs per role (CI uses the default); a failure prints
 * fast-check's seed and the shrunk frames to replay it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newInvitationSecrets } from '../../src/server/sessions/invitationService.js';
import { CLOSE_MESSAGE_TOO_BIG, requestSchemas } from '../../src/shared/protocol.js';
import {
  answerProblem,
  byteLength,
  uncleanReason,
  describe as describeFrame,
  frameArb,
  MAX_FRAME_BYTES,
  namedMethod,
  RawSocket,
  type Frame,
} from './support/fuzzFrames.js';
import { FAST_SCRYPT } from './support/api.js';
import { connectedTransport } from './support/media.js';
import { retryWhileConflict } from './support/retry.js';
import { connectClinician, login } from './support/testServer.js';
import { clinicianHello } from '../support/clinicianHello.js';
import { TestClient } from './support/wsClient.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
/** Reconnecting a clinician waits for the server to see the previous socket closed. */
const CLINICIAN_RETRIES = 200;
const FRAMES_PER_RUN = 6;
/** A run costs up to a few hundred milliseconds (a hello is a scrypt verification). */
const TIMEOUT = { timeout: 20_000 + RUNS * 500 };

// Random hellos from one address would otherwise lock every participant out after 30.
const demo = sharedTestDemo(0, {}, { limits: { helloAddressFailures: 1_000_000 }, scrypt: FAST_SCRYPT });

interface Invitation {
  token: string;
  passcode: string;
}

/**
 * A new invitation to the demo session for each run: a run's socket may end in any way
 * (dropped, too big, left), and what the server keeps of a client afterwards (its place for
 * a reconnect, its standing) must not decide how the next run begins.
 */
let invitationCount = 0;
async function freshInvitation(): Promise<Invitation> {
  const s = newInvitationSecrets(demo.server.store.passcodes);
  await demo.server.store.invitations.create({
    sessionId: demo.info.sessionId,
    participantRef: `FUZZ-${++invitationCount}`,
    tokenHash: s.tokenHash,
    passcodeHash: s.passcodeHash,
  });
  return { token: s.token, passcode: s.passcode };
}

/** A request on a raw socket during setup; fails the test unless it succeeds. */
let setupId = 1_000_000_000;
async function setupCall(sock: RawSocket, method: string, data: unknown): Promise<Record<string, unknown>> {
  const outcome = await sock.exchange({ text: JSON.stringify({ id: setupId++, method, data }) });
  if (outcome.kind !== 'answer' || outcome.frame.ok !== true) throw new Error(`setup ${method} failed: ${JSON.stringify(outcome)}`);
  return outcome.frame.data as Record<string, unknown>;
}

async function participantSocket(): Promise<{ sock: RawSocket; participantId: string; agreementVersion: string }> {
  const inv = await freshInvitation();
  const sock = await RawSocket.connect(demo.info.wsUrl);
  try {
    const hello = await setupCall(sock, 'hello', { as: 'participant', invite: inv.token, passcode: inv.passcode });
    const agreement = hello.agreement as { version: string };
    return { sock, participantId: String(hello.participantId), agreementVersion: agreement.version };
  } catch (err) {
    await sock.close();
    throw err;
  }
}

async function waitingSocket(): Promise<{ sock: RawSocket; participantId: string }> {
  const p = await participantSocket();
  await setupCall(p.sock, 'checkIn', { displayName: 'Fuzz', agreementVersion: p.agreementVersion, media: { audio: true, video: true } });
  return p;
}

async function clinicianSocket(who: 'facilitator' | 'supervisor'): Promise<RawSocket> {
  const token = await login(demo.info, who);
  return retryWhileConflict(async () => {
    const sock = await RawSocket.connect(demo.info.wsUrl);
    const data = await clinicianHello(demo.info.httpUrl, token, demo.info.sessionId);
    const outcome = await sock.exchange({
      text: JSON.stringify({ id: setupId++, method: 'hello', data }),
    });
    if (outcome.kind === 'answer' && outcome.frame.ok === true) return sock;
    await sock.close();
    throw new Error(`clinician hello failed: ${JSON.stringify(outcome)}`);
  }, CLINICIAN_RETRIES);
}

/** `end` with acceptable data would end the demo session for every later run. */
function endsTheSession(frame: Frame): boolean {
  if (namedMethod(frame) !== 'end' || !('text' in frame)) return false;
  const data = (JSON.parse(frame.text) as { data?: unknown }).data;
  return requestSchemas.end.safeParse(data ?? {}).success;
}

const prototypeKeys = (): string[] => Object.getOwnPropertyNames(Object.prototype).sort();
const pristinePrototype = prototypeKeys();

/**
 * Sends each frame and checks what comes back. Returns when the frames are used up or the
 * socket has (rightly) closed.
 */
async function throwFrames(sock: RawSocket, frames: Frame[]): Promise<void> {
  for (const frame of frames) {
    const outcome = await sock.exchange(frame);
    if (outcome.kind === 'closed') {
      // The only close a single frame may cause without an answer: too big.
      expect(byteLength(frame), `closed with ${outcome.code} after ${describeFrame(frame)}`).toBeGreaterThan(MAX_FRAME_BYTES);
      expect(outcome.code).toBe(CLOSE_MESSAGE_TOO_BIG);
      return;
    }
    expect(byteLength(frame), 'an oversize frame was answered instead of closed').toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const problem = answerProblem(frame, outcome.frame);
    expect(problem, `${describeFrame(frame)} → ${JSON.stringify(outcome.frame)}`).toBeUndefined();
    // `leave` answers, then the server closes the socket (normal closure).
    if (outcome.frame.ok === true && namedMethod(frame) === 'leave') {
      expect(await sock.closed).toBe(1000);
      return;
    }
  }
  expect(sock.isOpen).toBe(true);
}

interface RoleUnderTest {
  name: string;
  open(): Promise<RawSocket>;
  /** Frames this role must not send (side effects that would spoil later runs). */
  skip?: (frame: Frame) => boolean;
  /** Undoes what a run may have changed for the runs after it. */
  after?: () => Promise<void>;
}

async function fuzzRole(role: RoleUnderTest): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: FRAMES_PER_RUN }), async (frames) => {
      const sock = await role.open();
      try {
        await throwFrames(sock, frames.filter((f) => !role.skip?.(f)));
      } finally {
        await sock.close();
        await role.after?.();
      }
      expect(prototypeKeys()).toEqual(pristinePrototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }),
    { numRuns: RUNS, endOnFailure: true },
  );
}

/** The server still does real work for a well-behaved client after the role's fuzzing. */
async function stillServes(facilitator?: TestClient): Promise<void> {
  const health = await fetch(`${demo.info.httpUrl}/healthz`);
  expect(health.status).toBe(200);
  const fac = facilitator ?? (await retryWhileConflict(() => connectClinician(demo.info), CLINICIAN_RETRIES)).client;
  const inv = await freshInvitation();
  const probe = await TestClient.connect(demo.info.wsUrl);
  const hello = await probe.call('hello', { as: 'participant', invite: inv.token, passcode: inv.passcode });
  await probe.call('checkIn', {
    displayName: 'Probe',
    agreementVersion: (hello.agreement as { version: string }).version,
    media: { audio: true, video: false },
  });
  await fac.call('admit', { participantId: hello.participantId });
  await probe.waitFor('admitted');
  // A transport needs the media worker: it is alive and still answers.
  expect(await connectedTransport(probe, 'send')).toEqual(expect.any(String));
  await probe.call('leave', {});
  if (!facilitator) await fac.close();
}

describe('random and malformed frames', () => {
  it('before hello', TIMEOUT, async () => {
    await fuzzRole({ name: 'before hello', open: () => RawSocket.connect(demo.info.wsUrl) });
    await stillServes();
  });

  it('a client in check-in', TIMEOUT, async () => {
    await fuzzRole({ name: 'check-in', open: async () => (await participantSocket()).sock });
    await stillServes();
  });

  it('a client in the waiting room', TIMEOUT, async () => {
    await fuzzRole({ name: 'waiting', open: async () => (await waitingSocket()).sock });
    await stillServes();
  });

  it('an admitted client', TIMEOUT, async () => {
    const fac = await retryWhileConflict(() => connectClinician(demo.info), CLINICIAN_RETRIES);
    const stateOf = (participantId: string) => demo.server.rooms.get(demo.info.sessionId)?.peer(participantId)?.state;
    try {
      await fuzzRole({
        name: 'admitted',
        open: async () => {
          const p = await waitingSocket();
          await fac.client.call('admit', { participantId: p.participantId });
          await expect.poll(() => stateOf(p.participantId)).toBe('admitted');
          return p.sock;
        },
      });
      await stillServes(fac.client);
    } finally {
      await fac.client.close();
    }
  });

  it('an observer', TIMEOUT, async () => {
    await fuzzRole({ name: 'observer', open: () => clinicianSocket('supervisor') });
    await stillServes();
  });

  it('a facilitator', TIMEOUT, async () => {
    // Someone waiting and someone admitted, so moderation has targets to get wrong.
    let waiting = await waitingSocket();
    await fuzzRole({
      name: 'facilitator',
      open: () => clinicianSocket('facilitator'),
      skip: endsTheSession,
      after: async () => {
        // A run may have locked the room or admitted the waiting client: put both back.
        const fac = await clinicianSocket('facilitator');
        await setupCall(fac, 'lock', { locked: false });
        await fac.close();
        await waiting.sock.close();
        waiting = await waitingSocket();
      },
    });
    await waiting.sock.close();
    await stillServes();
  });
});

describe('the oracle itself', () => {
  it('accepts the messages the server writes and rejects internals', () => {
    for (const fine of [
      'say hello first',
      'invalid data for checkIn',
      'the invitation or passcode is not right',
      'produce failed: the parameters were not accepted',
      'the waiting room opens at 2026-11-23T18:00:00.000Z',
    ]) {
      expect(uncleanReason(fine), fine).toBeUndefined();
    }
    for (const leak of [
      "TypeError: Cannot read properties of undefined (reading 'peer')",
      'at Room.admit (/work/main/src/server/rooms/room.ts:301:11)',
      'ENOENT: no such file or directory, open /var/lib/confidant/db.sqlite',
      'SQLITE_CONSTRAINT: UNIQUE constraint failed: sessions.id',
      '[{"code":"invalid_type","expected":"string","path":["participantId"]}]',
      'Channel request timeout',
      'expected string, received undefined',
      '[object Object]',
      'line one\nline two',
      '',
      'x'.repeat(201),
    ]) {
      expect(uncleanReason(leak), leak).toBeDefined();
    }
  });

  it('flags answers with the wrong id, an unlisted code, INTERNAL or extra fields', () => {
    const request = { text: JSON.stringify({ id: 7, method: 'checkIn', data: {} }) };
    const error = (code: string, message = 'say hello first') => ({ id: 7, ok: false, error: { code, message } });
    expect(answerProblem(request, error('UNAUTHENTICATED'))).toBeUndefined();
    expect(answerProblem(request, { ...error('UNAUTHENTICATED'), id: null })).toBeDefined();
    expect(answerProblem(request, error('TEAPOT'))).toBeDefined();
    expect(answerProblem(request, error('INTERNAL', 'something went wrong on the server'))).toBeDefined();
    expect(answerProblem(request, { ...error('FORBIDDEN'), stack: 'at x' })).toBeDefined();
    // A reason is one the console has words for, with exactly the values its words take.
    const because = (reason: string, params?: object) => ({ id: 7, ok: false, error: { code: 'FORBIDDEN', message: 'no', reason, ...(params ? { params } : {}) } });
    expect(answerProblem(request, because('clinicians-only'))).toBeUndefined();
    expect(answerProblem(request, because('join-too-early', { at: '2030-01-01T00:00:00.000Z' }))).toBeUndefined();
    expect(answerProblem(request, because('join-too-early'))).toBeDefined();
    expect(answerProblem(request, because('clinicians-only', { at: 'x' }))).toBeDefined();
    expect(answerProblem(request, because('no-such-reason'))).toBeDefined();
    // Not a request at all: id null and BAD_REQUEST, nothing else.
    const garbage = { text: '{"id":-1,"method":"checkIn"}' };
    expect(answerProblem(garbage, { id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'not a request' } })).toBeUndefined();
    expect(answerProblem(garbage, { id: null, ok: false, error: { code: 'FORBIDDEN', message: 'no' } })).toBeDefined();
    // An unknown method, even a prototype member, is BAD_REQUEST with the request's id.
    const proto = { text: '{"id":3,"method":"__proto__"}' };
    expect(answerProblem(proto, { id: 3, ok: false, error: { code: 'BAD_REQUEST', message: 'unknown method' } })).toBeUndefined();
    expect(answerProblem(proto, { id: 3, ok: true, data: {} })).toBeDefined();
  });
});
