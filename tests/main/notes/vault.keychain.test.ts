/**
 * The real OS keychain: a Secret Service (gnome-keyring in a private D-Bus session when run
 * through scripts/with-keyring.sh). Without one these tests report skipped, never pass.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import keytar from 'keytar';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createKeytarKeyStore, KEYCHAIN_SERVICE, openVault } from '../../../src/main/notes/vault';
import { keychainTestAccount, secretServiceReachable } from '../support/keychain';
import { ana, newNote, tempDir } from './support/fixture';

const child = fileURLToPath(new URL('./support/vaultChild.ts', import.meta.url));

const reachable = await secretServiceReachable();

/** A vault in a new folder, keyed from the keychain under a new account, holding one note, closed again; `status` is what it said while open. */
async function closedKeychainVault() {
  const { dir, cleanup } = tempDir();
  onTestFinished(cleanup);
  const acct = keychainTestAccount();
  const first = await openVault({ dir, account: acct, keyStore: createKeytarKeyStore() });
  const status = first.status();
  const note = first.create(newNote(), ana);
  first.close();
  return { dir, acct, note, status };
}

describe.skipIf(!reachable)('note vault with the real OS keychain', () => {
  it('creates the key on first use in the keychain and finds it again', async () => {
    const { dir, acct, note, status } = await closedKeychainVault();
    expect(status).toEqual({ state: 'unlocked' });
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
    onTestFinished(cleanup);
    const vault = await openVault({ dir, account: keychainTestAccount(), keyStore: store });
    expect(vault.status()).toEqual({ state: 'unlocked' });
    vault.close();
  });

  it('a deleted keychain entry with notes present locks the vault (no-key) and makes no new key', async () => {
    const { dir, acct } = await closedKeychainVault();
    expect(await keytar.deletePassword(KEYCHAIN_SERVICE, acct)).toBe(true);

    const second = await openVault({ dir, account: acct, keyStore: createKeytarKeyStore() });
    expect(second.status()).toMatchObject({ state: 'locked', reason: 'no-key' });
    second.close();
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, acct)).toBeNull();
  });

  it('a replaced keychain entry locks the vault and is left as it is', async () => {
    const { dir, acct } = await closedKeychainVault();
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
      onTestFinished(cleanup);
      const r = spawnSync(process.execPath, ['--import', 'tsx', child, mode, dir, keychainTestAccount()], {
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
