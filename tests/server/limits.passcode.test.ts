/**
 * Invitation passcodes under parallel guessing over many WebSockets: each invitation is
 * checked one hello at a time, and its attempts are reserved before the passcode check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/server/demo.js';
import { newInvitationSecrets } from '../../src/server/invitationService.js';
import { FAST_SCRYPT } from './support/api.js';
import './support/testServer.js';
import { TestClient, type Response } from './support/wsClient.js';

const PASSCODE_FAILURES = 10;

let demo: RunningDemo;

beforeAll(async () => {
  demo = await startDemo({
    invitations: 0,
    workers: 1,
    participantDir: '/nonexistent',
    start: {
      scrypt: FAST_SCRYPT,
      // The per-address bound out of the way: what is pinned here is the per-invitation one.
      limits: { passcodeFailures: PASSCODE_FAILURES, helloAddressFailures: 10_000 },
    },
  });
});
afterAll(async () => {
  await demo.close();
});

describe('parallel passcode guesses', () => {
  it('300 wrong hellos at once against one invitation, one per socket: at most the limit are checked, the rest are RATE_LIMITED', async () => {
    // Each check takes a while, as a real one does, so the hellos all arrive while the first
    // checks are still running.
    const invitation = await newInvitationSecrets({ N: 4096, r: 8, p: 1 });
    demo.server.store.invitations.create({ sessionId: demo.info.sessionId, participantRef: 'IOP-FLOOD', tokenHash: invitation.tokenHash, passcodeHash: invitation.passcodeHash });
    const wrong = invitation.passcode === '000000' ? '111111' : '000000';
    const clients = await Promise.all(Array.from({ length: 300 }, () => TestClient.connect(demo.info.wsUrl)));
    try {
      const before = demo.server.hashing.verifications;
      const answers: Response[] = await Promise.all(
        clients.map((c) => c.request('hello', { as: 'participant', invite: invitation.token, passcode: wrong })),
      );
      const codes = answers.map((a) => (a.ok ? 'OK' : a.error.code));
      const unauthenticated = codes.filter((c) => c === 'UNAUTHENTICATED').length;
      expect(codes.every((c) => c === 'UNAUTHENTICATED' || c === 'RATE_LIMITED')).toBe(true);
      expect(unauthenticated).toBeGreaterThanOrEqual(1);
      expect(unauthenticated).toBeLessThanOrEqual(PASSCODE_FAILURES);
      expect(demo.server.hashing.verifications - before).toBeLessThanOrEqual(PASSCODE_FAILURES);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
