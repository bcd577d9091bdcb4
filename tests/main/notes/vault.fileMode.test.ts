/**
 * The note vault's file on disk: created readable by its owner only (0600, with its -wal and
 * -shm); a vault file other users can read is refused at open, naming the file and the fix,
 * unless its folder never let anyone else in (an older console's vault): then it is tightened.
 */
import { chmodSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createMemoryKeyStore, openVault, vaultPath } from '../../../src/main/notes/vault';
import { expectOwnerOnlyWithJournal, modeOf } from '../../support/fileModes';
import { ACCOUNT, ana, newNote, tempDir } from './support/fixture';

/** A closed vault holding one note, whose file an older console left readable by others (0644). */
async function closedVaultMade0644() {
  const t = tempDir();
  onTestFinished(t.cleanup);
  const keyStore = createMemoryKeyStore();
  const first = await openVault({ dir: t.dir, account: ACCOUNT, keyStore });
  const note = first.create(newNote(), ana);
  first.close();
  const file = vaultPath(t.dir, ACCOUNT);
  chmodSync(file, 0o644);
  return { dir: t.dir, keyStore, note, file };
}

describe.runIf(process.platform !== 'win32')('the vault file on disk', () => {
  it('is created 0600, with its -wal and -shm', async () => {
    const t = tempDir();
    onTestFinished(t.cleanup);
    const vault = await openVault({ dir: t.dir, account: ACCOUNT, keyStore: createMemoryKeyStore() });
    onTestFinished(() => vault.close());
    vault.create(newNote(), ana);
    expectOwnerOnlyWithJournal(vaultPath(t.dir, ACCOUNT));
  });

  it('that other users can read is refused at open, naming the file and the fix', async () => {
    const { dir, keyStore, note, file } = await closedVaultMade0644();
    // A folder others can enter: they could have read the file.
    chmodSync(dir, 0o755);
    await expect(openVault({ dir, account: ACCOUNT, keyStore })).rejects.toThrow(`chmod 600 ${file}`);
    await expect(openVault({ dir, account: ACCOUNT, keyStore })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Nothing was lost: fixed as the message says, the vault opens with its note.
    chmodSync(file, 0o600);
    const again = await openVault({ dir, account: ACCOUNT, keyStore });
    onTestFinished(() => again.close());
    expect(again.get(note.id).id).toBe(note.id);
  });

  it('made 0644 by an older console inside its private folder is tightened to 0600, not refused', async () => {
    const { dir, keyStore, note, file } = await closedVaultMade0644();
    chmodSync(dir, 0o700);
    const again = await openVault({ dir, account: ACCOUNT, keyStore });
    onTestFinished(() => again.close());
    expect(again.get(note.id).id).toBe(note.id);
    expect(modeOf(file)).toBe('600');
  });
});
