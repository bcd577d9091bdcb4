/**
 * The note vault's file on disk: created readable by its owner only (0600, with its -wal and
 * -shm); a vault file other users can read is refused at open, naming the file and the fix,
 * unless its folder never let anyone else in (an older console's vault): then it is tightened.
 */
import { chmodSync, existsSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryKeyStore, openVault, vaultPath } from '../../../src/main/notes/vault';
import { ACCOUNT, ana, newNote, tempDir } from './support/fixture';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);

describe.runIf(process.platform !== 'win32')('the vault file on disk', () => {
  it('is created 0600, with its -wal and -shm', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const vault = await openVault({ dir: t.dir, account: ACCOUNT, keyStore: createMemoryKeyStore() });
    cleanups.push(() => vault.close());
    vault.create(newNote(), ana);
    const file = vaultPath(t.dir, ACCOUNT);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      expect(existsSync(f), f).toBe(true);
      expect(modeOf(f), f).toBe('600');
    }
  });

  it('that other users can read is refused at open, naming the file and the fix', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const keyStore = createMemoryKeyStore();
    const first = await openVault({ dir: t.dir, account: ACCOUNT, keyStore });
    const note = first.create(newNote(), ana);
    first.close();
    const file = vaultPath(t.dir, ACCOUNT);
    chmodSync(file, 0o644);
    // A folder others can enter: they could have read the file.
    chmodSync(t.dir, 0o755);
    await expect(openVault({ dir: t.dir, account: ACCOUNT, keyStore })).rejects.toThrow(`chmod 600 ${file}`);
    await expect(openVault({ dir: t.dir, account: ACCOUNT, keyStore })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Nothing was lost: fixed as the message says, the vault opens with its note.
    chmodSync(file, 0o600);
    const again = await openVault({ dir: t.dir, account: ACCOUNT, keyStore });
    cleanups.push(() => again.close());
    expect(again.get(note.id).id).toBe(note.id);
  });

  it('made 0644 by an older console inside its private folder is tightened to 0600, not refused', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const keyStore = createMemoryKeyStore();
    const first = await openVault({ dir: t.dir, account: ACCOUNT, keyStore });
    const note = first.create(newNote(), ana);
    first.close();
    const file = vaultPath(t.dir, ACCOUNT);
    chmodSync(file, 0o644);
    chmodSync(t.dir, 0o700);
    const again = await openVault({ dir: t.dir, account: ACCOUNT, keyStore });
    cleanups.push(() => again.close());
    expect(again.get(note.id).id).toBe(note.id);
    expect(modeOf(file)).toBe('600');
  });
});
