/**
 * Demo mode as the end-to-end tests use it: a child process, one stdout line, SIGTERM.
 * It runs tsx's own binary, not `npx tsx`: `npm exec` answers SIGTERM by exiting 143 itself
 * without passing the signal on, which would orphan the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { totp } from '../../src/server/auth/totp.js';
import { DEMO_LINE_PREFIX, DemoInfo } from '../../src/shared/protocol.js';
import { TestClient } from './support/wsClient.js';

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('demo mode from the command line', () => {
  it('prints one CONFIDANT_DEMO line, serves sign-in and hello, and exits 0 on SIGTERM', async () => {
    const proc = spawn('node_modules/.bin/tsx', ['src/server/cli.ts', '--demo'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CONFIDANT_LOG_LEVEL: 'warn' },
    });
    child = proc;
    proc.stderr.resume();
    const stdoutLines: string[] = [];
    const lines = createInterface({ input: proc.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.on('line', (l) => {
        stdoutLines.push(l);
        if (stdoutLines.length === 1) resolve(l);
      });
      proc.once('exit', (code) => reject(new Error(`demo exited early with ${code}`)));
    });
    expect(first.startsWith(DEMO_LINE_PREFIX)).toBe(true);
    const info = DemoInfo.parse(JSON.parse(first.slice(DEMO_LINE_PREFIX.length)));
    expect(info.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.wsUrl).toBe(`${info.httpUrl.replace('http', 'ws')}/ws`);
    expect(info.invitations).toHaveLength(4);
    expect(info.invitations[0]!.url).toBe(`${info.httpUrl}/join/${info.invitations[0]!.token}`);
    expect(info.invitations.every((i) => /^\d{6}$/.test(i.passcode))).toBe(true);
    expect(existsSync(info.dataDir)).toBe(true);
    // Both clinicians have a second factor: a base32 secret of 20 bytes.
    expect(info.facilitator.totpSecret).toMatch(/^[A-Z2-7]{32}$/);
    expect(info.supervisor.totpSecret).toMatch(/^[A-Z2-7]{32}$/);

    const login = await fetch(`${info.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: info.facilitator.username,
        password: info.facilitator.password,
        totp: totp(info.facilitator.totpSecret ?? ''),
      }),
    });
    expect(login.status).toBe(200);
    const sessions = await fetch(`${info.httpUrl}/api/sessions`, {
      headers: { authorization: `Bearer ${((await login.json()) as { token: string }).token}` },
    });
    expect(((await sessions.json()) as { id: string; state: string }[])[0]).toMatchObject({ id: info.sessionId, state: 'live' });

    const c = await TestClient.connect(info.wsUrl);
    const inv = info.invitations[0]!;
    expect(await c.call('hello', { as: 'participant', invite: inv.token, passcode: inv.passcode })).toMatchObject({ state: 'check-in' });

    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    await c.closed;
    expect(stdoutLines).toHaveLength(1);
    expect(existsSync(info.dataDir)).toBe(false);
  }, 30_000);
});
