/**
 * Sign-in and re-authentication limits under parallel attack, over real HTTP on loopback:
 * attempts are reserved before the password check, one account is checked one attempt at a
 * time, and the hashing gate serves a newcomer address before a flood's queue.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/server/auth/password.js';
import type { GateEvent } from '../../src/server/limits/hashingGate.js';
import { makeClinician, type TestClinician } from './support/api.js';
import { armedPost, postJson, statusCounts, type RawAnswer } from './support/rawHttp.js';
import { freshTotp } from '../support/totpCodes.js';
import { sharedTestDemo } from './support/sharedDemo.js';

/** Dear enough that a queue of them takes a while to drain, cheap enough for a test. */
const SCRYPT = { N: 4096, r: 8, p: 1 };
const SLOW_SCRYPT = { N: 16384, r: 8, p: 1 };
const ACCOUNT_FAILURES = 5;

const demo = sharedTestDemo(0, {}, {
  scrypt: SCRYPT,
  limits: {
    accountFailures: ACCOUNT_FAILURES,
    // Out of the way, so what is pinned here is the per-account bound and the gate's order.
    addressFailures: 10_000,
    hashingConcurrency: 1,
    hashingPerAddress: 1,
    hashingQueuePerAddress: 500,
  },
});
let target: TestClinician;
let honest: TestClinician;

beforeAll(async () => {
  target = await makeClinician(demo.server, 'target', ['facilitator']);
  // Each wrong check takes a while, as a real one does: time enough for a flood to arrive
  // while the first checks are still running.
  await demo.server.store.clinicians.setPasswordHash(target.id, await hashSecret(target.password, SLOW_SCRYPT));
  honest = await makeClinician(demo.server, 'honest', ['facilitator']);
});

describe('parallel sign-ins', () => {
  it('300 wrong attempts at once against one account: at most the limit are ever checked, the rest are RATE_LIMITED', async () => {
    const before = demo.server.hashing.verifications;
    const answers = await together(300, (i) => armedPost(demo.info.httpUrl, '/api/login', { username: 'target', password: `wrong-password-${i}`, totp: '000000' }));
    const counts = statusCounts(answers);
    expect(Object.keys(counts).every((s) => s === '401' || s === '429')).toBe(true);
    expect(counts[401] ?? 0).toBeGreaterThanOrEqual(1);
    expect(counts[401] ?? 0).toBeLessThanOrEqual(ACCOUNT_FAILURES);
    expect(counts[429]).toBe(300 - (counts[401] ?? 0));
    // Counted where the work is: the gate's scrypt verifications, and the audit log.
    expect(demo.server.hashing.verifications - before).toBeLessThanOrEqual(ACCOUNT_FAILURES);
    const failed = (await demo.server.store.audit.list(target.id)).filter((e) => e.event === 'login.failed');
    expect(failed.length).toBeLessThanOrEqual(ACCOUNT_FAILURES);
  });

  it('an honest sign-in from another address during a flood is checked next, not behind the flood', async () => {
    const events: GateEvent[] = [];
    const stop = demo.server.hashing.observe((e) => events.push(e));
    try {
      // The flood: many usernames (so no per-account bound stops it) from 127.0.0.2.
      const flood = Array.from({ length: 120 }, (_, i) =>
        postJson(demo.info.httpUrl, '/api/login', { username: `guess-${i}`, password: 'wrong-password-x', totp: '000000' }, { localAddress: '127.0.0.2' }),
      );
      // Wait (by events, not time) until the flood holds the gate and has a queue.
      await until(() => events.filter((e) => e.kind === 'queued' && e.address === '127.0.0.2').length >= 20);
      const code = await freshTotp(honest.secret, `${demo.info.httpUrl}|honest`);
      const signIn = postJson(demo.info.httpUrl, '/api/login', { username: 'honest', password: honest.password, totp: code });
      expect((await signIn).status).toBe(200);
      await Promise.all(flood);

      const queuedAt = events.findIndex((e) => e.kind === 'queued' && e.address === '127.0.0.1');
      expect(queuedAt).toBeGreaterThan(-1);
      const nextGrant = events.slice(queuedAt + 1).find((e) => e.kind === 'granted');
      expect(nextGrant?.address).toBe('127.0.0.1');
      // The flood really was waiting: some of it was granted only after the honest check.
      const honestGrant = events.findIndex((e, i) => i > queuedAt && e.kind === 'granted' && e.address === '127.0.0.1');
      expect(events.slice(honestGrant + 1).some((e) => e.kind === 'granted' && e.address === '127.0.0.2')).toBe(true);
    } finally {
      stop();
    }
  });
});

describe('parallel re-authentication', () => {
  it('300 wrong attempts at once for one sign-in: at most the limit are checked, then the sign-in ends', async () => {
    const reauthed = await makeClinician(demo.server, 'reauthed', ['facilitator']);
    const token = await reauthed.signIn();
    await demo.server.store.clinicians.setPasswordHash(reauthed.id, await hashSecret(reauthed.password, SLOW_SCRYPT));
    const before = demo.server.hashing.verifications;
    const answers = await together(300, (i) => armedPost(demo.info.httpUrl, '/api/reauth', { password: `wrong-password-${i}`, totp: '000000' }, { token }));
    const counts = statusCounts(answers);
    // 403: a wrong attempt that was checked; 401: the one that locked the account, or any
    // after it (the sign-in is over); 429: refused before any check.
    expect(Object.keys(counts).every((s) => ['401', '403', '429'].includes(s))).toBe(true);
    expect(counts[429] ?? 0).toBeGreaterThan(0);
    expect(demo.server.hashing.verifications - before).toBeLessThanOrEqual(ACCOUNT_FAILURES);
    const failed = (await demo.server.store.audit.list(reauthed.id)).filter((e) => e.event === 'reauth.failed');
    expect(failed.length).toBeLessThanOrEqual(ACCOUNT_FAILURES);
    expect(counts[403] ?? 0).toBeLessThanOrEqual(ACCOUNT_FAILURES);
  });
});

/** `n` requests, all connected first and then sent in one go, so they reach the server together. */
async function together(n: number, arm: (i: number) => ReturnType<typeof armedPost>): Promise<RawAnswer[]> {
  const armed = await Promise.all(Array.from({ length: n }, (_, i) => arm(i)));
  return Promise.all(armed.map((a) => a.fire()));
}

/** Resolves once `done()` holds, checking after each turn of the event loop. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
}
