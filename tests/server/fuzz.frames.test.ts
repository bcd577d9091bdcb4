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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/server/demo.js';
import { CLOSE_MESSAGE_TOO_BIG, requestSchemas } from '../../src/shared/protocol.js';
import {
  answerProblem,
  byteLength,
  describe as describeFrame,
  frameArb,
  MAX_FRAME_BYTES,
  namedMethod,
  RawSocket,
  type Frame,
} from './support/fuzzFrames.js';
import { connectedTransport } from './support/media.js';
import { retryWhileConflict } from './support/retry.js';
import { admitted, connectClinician, login, type Invitation } from './support/testServer.js';
import type { TestClient } from './support/wsClient.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const FRAMES_PER_RUN = 6;
/** A run costs up to a few hundred milliseconds (a hello is a scrypt verification). */
const TIMEOUT = { timeout: 20_000 + RUNS * 500 };

let demo: RunningDemo;
beforeAll(async () => {
  demo = await startDemo({
    invitations: 6,
    workers: 1,
    participantDir: '/nonexistent-participant-dir',
    // Random hellos from one address would otherwise lock every participant out after 30.
    start: { limits: { helloAddressFailures: 1_000_000 } },
  });
});
afterAll(async () => {
  await demo.close();
});

const invitation = (i: number): Invitation => demo.info.invitations[i]!;

/** A request on a raw socket during setup; fails the test unless it succeeds. */
let setupId = 1_000_000_000;
async function setupCall(sock: RawSocket, method: string, data: unknown): Promise<Record<string, unknown>> {
  const outcome = await sock.exchange({ text: JSON.stringify({ id: setupId++, method, data }) });
  if (outcome.kind !== 'answer' || outcome.frame.ok !== true) throw new Error(`setup ${method} failed: ${JSON.stringify(outcome)}`);
  return outcome.frame.data as Record<string, unknown>;
}

async function participantSocket(inv: Invitation): Promise<{ sock: RawSocket; participantId: string; agreementVersion: string }> {
  return retryWhileConflict(async () => {
    const sock = await RawSocket.connect(demo.info.wsUrl);
    try {
      const hello = await setupCall(sock, 'hello', { as: 'participant', invite: inv.token, passcode: inv.passcode });
      const agreement = hello.agreement as { version: string };
      return { sock, participantId: String(hello.participantId), agreementVersion: agreement.version };
    } catch (err) {
      await sock.close();
      throw err;
    }
  });
}

async function waitingSocket(inv: Invitation): Promise<{ sock: RawSocket; participantId: string }> {
  const p = await participantSocket(inv);
  await setupCall(p.sock, 'checkIn', { displayName: 'Fuzz', agreementVersion: p.agreementVersion, media: { audio: true, video: true } });
  return p;
}

async function clinicianSocket(who: 'facilitator' | 'supervisor'): Promise<RawSocket> {
  const token = await login(demo.info, who);
  return retryWhileConflict(async () => {
    const sock = await RawSocket.connect(demo.info.wsUrl);
    const outcome = await sock.exchange({
      text: JSON.stringify({ id: setupId++, method: 'hello', data: { as: 'clinician', token, sessionId: demo.info.sessionId } }),
    });
    if (outcome.kind === 'answer' && outcome.frame.ok === true) return sock;
    await sock.close();
    throw new Error(`clinician hello failed: ${JSON.stringify(outcome)}`);
  });
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
  const fac = facilitator ?? (await retryWhileConflict(() => connectClinician(demo.info))).client;
  const probe = await retryWhileConflict(() => admitted(demo.info, invitation(5), fac, 'Probe'));
  // A transport needs the media worker: it is alive and still answers.
  expect(await connectedTransport(probe.client, 'send')).toEqual(expect.any(String));
  await probe.client.close();
  if (!facilitator) await fac.close();
}

describe('random and malformed frames', () => {
  it('before hello', TIMEOUT, async () => {
    await fuzzRole({ name: 'before hello', open: () => RawSocket.connect(demo.info.wsUrl) });
    await stillServes();
  });

  it('a client in check-in', TIMEOUT, async () => {
    await fuzzRole({ name: 'check-in', open: async () => (await participantSocket(invitation(0))).sock });
    await stillServes();
  });

  it('a client in the waiting room', TIMEOUT, async () => {
    await fuzzRole({ name: 'waiting', open: async () => (await waitingSocket(invitation(1))).sock });
    await stillServes();
  });

  it('an admitted client', TIMEOUT, async () => {
    const fac = await retryWhileConflict(() => connectClinician(demo.info));
    const stateOf = (participantId: string) => demo.server.rooms.get(demo.info.sessionId)?.peer(participantId)?.state;
    try {
      await fuzzRole({
        name: 'admitted',
        open: async () => {
          const p = await waitingSocket(invitation(2));
          // Once admitted, a client who comes back is readmitted at check-in by itself.
          const admit = await fac.client.request('admit', { participantId: p.participantId });
          if (!admit.ok) await expect.poll(() => stateOf(p.participantId)).toBe('admitted');
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
    let waiting = await waitingSocket(invitation(3));
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
        waiting = await waitingSocket(invitation(3));
      },
    });
    await waiting.sock.close();
    await stillServes();
  });
});
