/**
 * Two session servers, two real processes (`src/server/cli.ts`), on one PostgreSQL database:
 * a password guessed at through both at once gets no more checks than one server would give
 * it, the lockout it earns holds on both, and so does the lockout of a username that matches
 * no account (which lives only in the database). Each server counts attempts in the database
 * (limits/storedAttempts.ts), reserved before the slow check; with the limits in each
 * process's memory, as they were, the two servers between them checked up to twice as many.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_LIMITS } from '../../src/server/auth/signInAttempts';
import { startFleet, type Fleet } from '../support/fleet';
import { runPostgres } from '../support/postgres';
import { freshTotp } from '../support/totpCodes';
import { postLogin } from './support/signIn';

describe('two server processes on one PostgreSQL database', () => {
  let fleet: Fleet;
  let urls: string[] = [];
  // The demo's facilitator, made as the admin command would, over the same database and key.
  let ana = { username: '', password: '', totpSecret: '' };

  beforeAll(async () => {
    fleet = await startFleet({ servers: 2, invitations: 0, postgres: await runPostgres() });
    urls = fleet.members.map((m) => m.url);
    ana = fleet.seed.facilitator;
  }, 90_000);

  afterAll(async () => {
    await fleet?.dispose();
  }, 60_000);

  it('checks a guessed password no more often across both than the limit, and the lockout holds on both', async () => {
    const statuses: number[] = [];
    // Waves of guesses at once, half through each server, until both refuse.
    for (let wave = 0; wave < 8; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 4 }, (_, n) => postLogin(urls[n % 2]!, { username: ana.username, password: `guess ${wave}.${n}`, totp: '000000' })),
      );
      statuses.push(...answers.map((a) => a.status));
    }
    // 401: a password really checked and wrong. Every other answer is a refusal before the check.
    expect(statuses.filter((s) => s === 401)).toHaveLength(DEFAULT_AUTH_LIMITS.accountFailures);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // Locked on both servers: even the right password and code are refused.
    for (const url of urls) {
      const code = await freshTotp(ana.totpSecret, `${url}|${ana.username}`);
      const right = await postLogin(url, { username: ana.username, password: ana.password, totp: code });
      expect(right.status).toBe(429);
      expect(JSON.stringify(right.body)).toMatch(/locked until/);
    }
  }, 60_000);

  it('locks a username that matches no account on both servers, as it would an account', async () => {
    let checked = 0;
    for (let wave = 0; wave < 8; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 4 }, (_, n) => postLogin(urls[n % 2]!, { username: 'nobody-here', password: `guess ${wave}.${n}`, totp: '000000' })),
      );
      checked += answers.filter((a) => a.status === 401).length;
    }
    expect(checked).toBe(DEFAULT_AUTH_LIMITS.accountFailures);
    for (const url of urls) {
      const again = await postLogin(url, { username: 'nobody-here', password: 'one more', totp: '000000' });
      expect(again.status).toBe(429);
      expect(JSON.stringify(again.body)).toMatch(/locked until/);
    }
  }, 60_000);
});
