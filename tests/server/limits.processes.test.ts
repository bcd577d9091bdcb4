/**
 * Two session servers, two real processes (`src/server/cli.ts`), on one PostgreSQL database:
 * a password guessed at through both at once gets no more checks than one server would give
 * it, the lockout it earns holds on both, and so does the lockout of a username that matches
 * no account (which lives only in the database). Each server counts attempts in the database
 * (limits/storedAttempts.ts), reserved before the slow check; with the limits in each
 * process's memory, as they were, the two servers between them checked up to twice as many.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Encode, newTotpSecret } from '../../src/server/auth/totp';
import { hashSecret, LEGACY_PASSCODE_SCRYPT } from '../../src/server/auth/password';
import { DEFAULT_AUTH_LIMITS } from '../../src/server/auth/signInAttempts';
import { openConfiguredStore } from '../../src/server/store/open';
import { runPostgres, type RunPostgres } from '../support/postgres';
import { freePort } from '../support/freePort';
import { freshTotp } from '../support/totpCodes';
import { postLogin } from './support/signIn';

const PASSWORD = 'a long and careful passphrase';

/** Waits until the server answers HTTP (any answer), or fails with what it printed. */
async function answering(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output()}`);
    try {
      await fetch(`${url}/api/me`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`the server did not answer:\n${output()}`);
}

describe('two server processes on one PostgreSQL database', () => {
  let cluster: RunPostgres;
  let dir: string;
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  let totpSecret = '';

  beforeAll(async () => {
    cluster = await runPostgres();
    const databaseUrl = await cluster.createDatabase('two_servers');
    dir = mkdtempSync(join(tmpdir(), 'confidant-two-servers-'));
    const key = randomBytes(32);
    const keyFile = join(dir, 'records.key');
    writeFileSync(keyFile, key.toString('base64'), { mode: 0o600 });

    // The account, made as the admin command would, over the same database and key.
    const store = await openConfiguredStore({ dataDir: join(dir, 'seed'), database: { url: databaseUrl } }, { recordsKey: key });
    const ana = await store.clinicians.create({
      username: 'ana',
      displayName: 'Ana',
      roles: ['facilitator'],
      // A cheap hash keeps the test quick; the servers check whatever cost a hash names.
      passwordHash: await hashSecret(PASSWORD, LEGACY_PASSCODE_SCRYPT),
    });
    const secret = newTotpSecret();
    await store.clinicians.setTotpSecret(ana.id, secret);
    totpSecret = base32Encode(secret);
    await store.close();

    for (const n of [1, 2]) {
      const port = await freePort();
      let printed = '';
      const child = spawn('node_modules/.bin/tsx', ['src/server/cli.ts'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          CONFIDANT_LOG_LEVEL: 'warn',
          CONFIDANT_DATABASE_URL: databaseUrl,
          CONFIDANT_RECORDS_KEY_FILE: keyFile,
          CONFIDANT_DATA_DIR: join(dir, `server-${n}`),
          CONFIDANT_PORT: String(port),
          CONFIDANT_RTC_PORT: '0',
          CONFIDANT_WORKERS: '1',
        },
      });
      child.stdout?.on('data', (d: Buffer) => (printed += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (printed += d.toString()));
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await answering(url, child, () => printed);
      urls.push(url);
    }
  }, 90_000);

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    }
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('checks a guessed password no more often across both than the limit, and the lockout holds on both', async () => {
    const statuses: number[] = [];
    // Waves of guesses at once, half through each server, until both refuse.
    for (let wave = 0; wave < 8; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 4 }, (_, n) => postLogin(urls[n % 2]!, { username: 'ana', password: `guess ${wave}.${n}`, totp: '000000' })),
      );
      statuses.push(...answers.map((a) => a.status));
    }
    // 401: a password really checked and wrong. Every other answer is a refusal before the check.
    expect(statuses.filter((s) => s === 401)).toHaveLength(DEFAULT_AUTH_LIMITS.accountFailures);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // Locked on both servers: even the right password and code are refused.
    for (const url of urls) {
      const code = await freshTotp(totpSecret, `${url}|ana`);
      const right = await postLogin(url, { username: 'ana', password: PASSWORD, totp: code });
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
