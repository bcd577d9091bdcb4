/** `npm run admin` end to end: a child process against a temporary data directory. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../src/server/auth/authService.js';
import { totp } from '../../src/server/auth/totp.js';
import { setLogLevel } from '../../src/common/logger.js';
import { openStore } from '../../src/server/store/store.js';
import { ClinicianAccountList } from '../../src/shared/protocol.js';
import { runAdmin } from './support/adminCli.js';

setLogLevel('error');

let root: string;

const admin = (args: string[], stdin = '', env: NodeJS.ProcessEnv = {}) =>
  runAdmin(args, { dataDir: path.join(root, 'data'), recordsKeyFile: path.join(root, 'records.key') }, { stdin, env });

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'confidant-admin-'));
  writeFileSync(path.join(root, 'records.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the admin command', () => {
  it('creates a clinician, enrols TOTP (printing an otpauth URI and a QR code) and lists accounts; the server then signs them in', async () => {
    const password = 'violet-harbour-teapot';
    const created = await admin(
      ['create-clinician', '--username', 'Ana.Lee', '--display-name', 'Dr. Ana Lee', '--roles', 'facilitator,admin', '--password-stdin'],
      `${password}\n`,
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created ana\.lee \(/);
    expect(created.stdout + created.stderr).not.toContain(password);

    const enrolled = await admin(['enrol-totp', 'ana.lee']);
    expect(enrolled.code).toBe(0);
    const uri = /otpauth:\/\/totp\/Confidant:ana\.lee\?\S+/.exec(enrolled.stdout)?.[0];
    expect(uri).toBeDefined();
    const secret = new URL(uri ?? '').searchParams.get('secret') ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolled.stdout).toContain('█'); // the QR code

    const listed = await admin(['list', '--json']);
    expect(listed.code).toBe(0);
    const accounts = ClinicianAccountList.parse(JSON.parse(listed.stdout));
    expect(accounts).toEqual([
      expect.objectContaining({ username: 'ana.lee', displayName: 'Dr. Ana Lee', roles: ['admin', 'facilitator'], active: true, totpEnrolled: true }),
    ]);
    const human = await admin(['list']);
    expect(human.stdout).toMatch(/ana\.lee\s+Dr\. Ana Lee\s+admin,facilitator\s+active\s+totp/);

    // The server, with the same data directory and records key, accepts the printed secret.
    const store = openStore(path.join(root, 'data'), Buffer.from(readFileSync(path.join(root, 'records.key'), 'utf8'), 'base64'));
    try {
      const res = await createAuthService(store).login({ username: 'ana.lee', password, totp: totp(secret), address: '127.0.0.1' });
      expect(res.user.roles).toEqual(['admin', 'facilitator']);
      expect((await store.audit.list(accounts[0]!.id)).map((e) => [e.event, e.actorId])).toEqual([
        ['clinician.created', 'admin-command'],
        ['clinician.totp_enrolled', 'admin-command'],
        ['login.ok', null],
      ]);
    } finally {
      await store.close();
    }
  }, 30_000);

  it('refuses a common password, a taken username and an unknown account with exit 1 and a clear message', async () => {
    const common = await admin(['create-clinician', '--username', 'bo', '--display-name', 'Bo', '--roles', 'facilitator', '--password-stdin'], 'Password1234\n');
    expect([common.code, common.stderr.trim()]).toEqual([1, 'confidant admin: that password is one of the most commonly used; choose another']);
    const taken = await admin(['create-clinician', '--username', 'ANA.LEE', '--display-name', 'A', '--roles', 'facilitator', '--password-stdin'], 'violet-harbour-teapot\n');
    expect([taken.code, taken.stderr.trim()]).toEqual([1, 'confidant admin: that username is taken']);
    const unknown = await admin(['deactivate', 'nobody']);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, 'confidant admin: no such clinician']);
  }, 30_000);

  it('answers usage errors with exit 2 and the usage text', async () => {
    const none = await admin([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: npm run admin');
    expect((await admin(['frobnicate'])).code).toBe(2);
    expect((await admin(['set-roles', 'ana.lee', '--roles', 'janitor'])).stderr).toContain('unknown role: janitor');
    expect((await admin(['create-clinician', '--password', 'x'])).code).toBe(2);
  }, 30_000);

  it('will not enrol a second factor without the server\'s records key', async () => {
    const res = await admin(['enrol-totp', 'ana.lee'], '', { CONFIDANT_RECORDS_KEY_FILE: '' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('needs the records key the server uses: set recordsKeyFile (CONFIDANT_RECORDS_KEY_FILE)');
  }, 30_000);

  it('manages roles, supervision, activation and passwords', async () => {
    await admin(['create-clinician', '--username', 'sam', '--display-name', 'Sam', '--roles', 'facilitator', '--password-stdin'], 'quiet-lantern-orchard\n');
    expect((await admin(['set-roles', 'sam', '--roles', 'supervisor,facilitator'])).code).toBe(0);
    expect((await admin(['assign-supervisee', '--supervisor', 'sam', '--facilitator', 'ana.lee'])).stdout).toContain('sam now supervises ana.lee');
    expect((await admin(['unassign-supervisee', '--supervisor', 'sam', '--facilitator', 'ana.lee'])).code).toBe(0);
    expect((await admin(['deactivate', 'sam'])).code).toBe(0);
    expect((await admin(['reset-password', 'sam', '--password-stdin'], 'new-quiet-lantern-9\n')).code).toBe(0);
    const accounts = ClinicianAccountList.parse(JSON.parse((await admin(['list', '--json'])).stdout));
    expect(accounts.find((a) => a.username === 'sam')).toMatchObject({ roles: ['facilitator', 'supervisor'], active: false, superviseeIds: [] });
  }, 30_000);
});
