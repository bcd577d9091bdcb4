/**
 * Invitation passcodes under parallel guessing over many WebSockets: each invitation is
 * checked one hello at a time, and its attempts are reserved before the passcode check,
 * whether the check is the keyed hash (microseconds) or an invitation's old scrypt hash
 * (milliseconds, so the hellos all arrive while the first checks are still running).
 */
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/server/auth/password.js';
import { newInvitationSecrets } from '../../src/server/sessions/invitationService.js';
import { FAST_SCRYPT } from './support/api.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { TestClient, type Response } from './support/wsClient.js';

const PASSCODE_FAILURES = 10;

const demo = sharedTestDemo(0, {}, {
  scrypt: FAST_SCRYPT,
  // The per-address bound out of the way: what is pinned here is the per-invitation one.
  limits: { passcodeFailures: PASSCODE_FAILURES, helloAddressFailures: 10_000 },
});

describe('parallel passcode guesses', () => {
  /** `readRecapToo`: every other socket guesses through `readRecap`, the door a client uses after the session. */
  async function flood(
    passcodeHash: (passcode: string) => Promise<string>,
    ref: string,
    readRecapToo = false,
  ): Promise<{ codes: string[]; verifications: number; token: string; passcode: string }> {
    const invitation = newInvitationSecrets(demo.server.store.passcodes);
    await demo.server.store.invitations.create({
      sessionId: demo.info.sessionId,
      participantRef: ref,
      tokenHash: invitation.tokenHash,
      passcodeHash: await passcodeHash(invitation.passcode),
    });
    const wrong = invitation.passcode === '000000' ? '111111' : '000000';
    const clients = await Promise.all(Array.from({ length: 300 }, () => TestClient.connect(demo.info.wsUrl)));
    try {
      const before = demo.server.hashing.verifications;
      const answers: Response[] = await Promise.all(
        clients.map((c, i) =>
          readRecapToo && i % 2 === 1
            ? c.request('readRecap', { invite: invitation.token, passcode: wrong })
            : c.request('hello', { as: 'participant', invite: invitation.token, passcode: wrong }),
        ),
      );
      return {
        codes: answers.map((a) => (a.ok ? 'OK' : a.error.code)),
        verifications: demo.server.hashing.verifications - before,
        token: invitation.token,
        passcode: invitation.passcode,
      };
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }

  it('300 wrong hellos at once against one invitation (keyed hash), one per socket: at most the limit are checked, the rest are RATE_LIMITED', async () => {
    const { codes, verifications } = await flood(async (passcode) => demo.server.store.passcodes.hash(passcode), 'IOP-FLOOD-KEYED');
    expect(codes.every((c) => c === 'UNAUTHENTICATED' || c === 'RATE_LIMITED')).toBe(true);
    const checked = codes.filter((c) => c === 'UNAUTHENTICATED').length;
    if (process.env.CONFIDANT_DATABASE_URL) {
      // On PostgreSQL a check waits on the database, so hellos meanwhile find it busy: fewer
      // are checked, never more.
      expect(checked).toBeGreaterThanOrEqual(1);
      expect(checked).toBeLessThanOrEqual(PASSCODE_FAILURES);
    } else {
      // On SQLite each check finishes before the next hello is read: exactly the limit.
      expect(checked).toBe(PASSCODE_FAILURES);
    }
    expect(verifications).toBe(0);
  });

  it('300 wrong hellos at once against one invitation with an old scrypt hash: at most the limit are checked, the rest are RATE_LIMITED', async () => {
    const { codes, verifications } = await flood((passcode) => hashSecret(passcode, { N: 4096, r: 8, p: 1 }), 'IOP-FLOOD-SCRYPT');
    const unauthenticated = codes.filter((c) => c === 'UNAUTHENTICATED').length;
    expect(codes.every((c) => c === 'UNAUTHENTICATED' || c === 'RATE_LIMITED')).toBe(true);
    expect(unauthenticated).toBeGreaterThanOrEqual(1);
    expect(unauthenticated).toBeLessThanOrEqual(PASSCODE_FAILURES);
    expect(verifications).toBeGreaterThanOrEqual(1);
    expect(verifications).toBeLessThanOrEqual(PASSCODE_FAILURES);
  });

  it('300 wrong guesses at once, half through readRecap: one limit for both doors, and then the right passcode waits too', async () => {
    const { codes, token, passcode } = await flood(async (p) => demo.server.store.passcodes.hash(p), 'IOP-FLOOD-RECAP', true);
    expect(codes.every((c) => c === 'UNAUTHENTICATED' || c === 'RATE_LIMITED')).toBe(true);
    const checked = codes.filter((c) => c === 'UNAUTHENTICATED').length;
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(PASSCODE_FAILURES);
    // One after another, the rest of the invitation's attempts through readRecap (on PostgreSQL
    // fewer were checked above); then the right passcode, through hello, is refused: the doors
    // share one count.
    const wrong = passcode === '000000' ? '111111' : '000000';
    for (let left = PASSCODE_FAILURES - checked; left > 0; left--) {
      const client = await TestClient.connect(demo.info.wsUrl);
      expect(await client.request('readRecap', { invite: token, passcode: wrong })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
      await client.close();
    }
    const client = await TestClient.connect(demo.info.wsUrl);
    try {
      expect(await client.request('hello', { as: 'participant', invite: token, passcode })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    } finally {
      await client.close();
    }
  });
});
