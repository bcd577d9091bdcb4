/**
 * The real OS keychain: a Secret Service (gnome-keyring in a private D-Bus session when run
 * through scripts/with-keyring.sh). Without one these tests report skipped, never pass.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import keytar from 'keytar';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeytarKeyStore, KEYCHAIN_SERVICE, openVault } from '../../../src/main/notes/vault';
import { ana, newNote, tempDir } from './support/fixture';

const child = fileURLToPath(new URL('./support/vaultChild.ts', import.meta.url));

async function secretServiceReachable(): Promise<boolean> {
  try {
    await keytar.findCredentials('confidant-probe');
    return true;
  } catch {
    return false;
  }
}
const reachable = await secretServiceReachable();

const accounts: string[] = [];
let cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups) c();
  cleanups = [];
  for (const a of accounts.splice(0)) await keytar.deletePassword(KEYCHAIN_SERVICE, a).catch(() => false);
});

function account(): string {
  const a = `test-${randomUUID()}@http://127.0.0.1:8443`;
  accounts.push(a);
  return a;
}

describe.skipIf(!reachable)('note vault with the real OS keychain', () => {
  it('creates the key on first use in the keychain and finds it again', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const acct = account();
    const first = await openVault({ dir, account: acct, keyStore: createKeytarKeyStore() });
    expect(first.status()).toEqual({ state: 'unlocked' });
    const note = first.create(newNote(), ana);
    first.close();
    const stored = await keytar.getPassword(KEYCHAIN_SERVICE, acct);
    expect(Buffer.from(stored ?? '', 'base64')).toHaveLength(32);

    const second = await openVault({ dir, account: acct, keyStore: createKeytarKeyStore() });
    expect(second.status()).toEqual({ state: 'unlocked' });
    expect(second.get(note.id)).toEqual(note);
    second.close();
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, acct)).toBe(stored);
  });

  it('warming the keychain (as the console does at start) stores nothing and reads no key; the vault then opens as before', async () => {
    const before = (await keytar.findCredentials(KEYCHAIN_SERVICE)).map((c) => c.account).sort();
    const store = createKeytarKeyStore();
    await store.warm?.();
    expect((await keytar.findCredentials(KEYCHAIN_SERVICE)).map((c) => c.account).sort()).toEqual(before);
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const vault = await openVault({ dir, account: account(), keyStore: store });
    expect(vault.status()).toEqual({ state: 'unlocked' });
    vault.close();
  });

  it('a deleted keychain entry with notes present locks the vault (no-key) and makes no new key', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const acct = account();
    const first = await openVault({ dir, account: acct, keyStore: createKeytarKeyStore() });
    first.create(newNote(), ana);
    first.close();
    expect(await keytar.deletePassword(KEYCHAIN_SERVICE, acct)).toBe(true);

    const second = await openVault({ dir, account: acct, keyStore: createKeytarKeyStore() });
    expect(second.status()).toMatchObject({ state: 'locked', reason: 'no-key' });
    second.close();
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, acct)).toBeNull();
  });

  it('a replaced keychain entry locks the vault and is left as it is', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const acct = account();
    const first = await openVault({ dir, account: acct, keyStore: createKeytarKeyStore() });
    first.create(newNote(), ana);
    first.close();
    const replaced = Buffer.alloc(32, 7).toString('base64');
    await keytar.setPassword(KEYCHAIN_SERVICE, acct, replaced);
    const second = await openVault({ dir, account: acct, keyStore: createKeytarKeyStore() });
    expect(second.status()).toMatchObject({ state: 'locked', reason: 'no-key' });
    second.close();
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, acct)).toBe(replaced);
  });
});

describe('note vault without any D-Bus', () => {
  for (const mode of ['status', 'warm-status']) {
    it(`reports locked no-keychain with what to do, in a process whose session bus points nowhere (${mode === 'status' ? 'cold' : 'after warming the keychain, which does not throw'})`, () => {
      const { dir, cleanup } = tempDir();
      cleanups.push(cleanup);
      const r = spawnSync(process.execPath, ['--import', 'tsx', child, mode, dir, account()], {
        encoding: 'utf8',
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/confidant-test-bus', DISPLAY: '' },
        timeout: 15_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const status = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as unknown;
      expect(status).toMatchObject({ state: 'locked', reason: 'no-keychain', message: expect.stringContaining('Secret Service') });
    });
  }
});
