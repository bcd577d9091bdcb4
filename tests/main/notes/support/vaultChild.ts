/**
 * A vault in a child process, for tests that need one to die or to live without a keychain.
 *
 *   writer DIR ACCOUNT KEYHEX  — saves a draft over and over, printing `ACK <version> <title>`
 *                                after each save returns (an acknowledged save), until killed.
 *   status DIR ACCOUNT         — opens the vault with the real keytar store and prints its status as JSON.
 *   warm-status DIR ACCOUNT    — the same after warming the keytar store, as the console does at start.
 */
import { createMemoryKeyStore, createKeytarKeyStore, openVault } from '../../../../src/main/notes/vault';
import { emptyBody } from '../../../../src/shared/notes';

const [mode, dir, account, keyHex] = process.argv.slice(2) as [string, string, string, string | undefined];

async function main(): Promise<void> {
  if (mode === 'status' || mode === 'warm-status') {
    const keyStore = createKeytarKeyStore();
    if (mode === 'warm-status') await keyStore.warm?.();
    const vault = await openVault({ dir, account, keyStore });
    process.stdout.write(`${JSON.stringify(vault.status())}\n`);
    vault.close();
    return;
  }
  const keyStore = createMemoryKeyStore({ [account]: new Uint8Array(Buffer.from(keyHex ?? '', 'hex')) });
  const vault = await openVault({ dir, account, keyStore });
  let note = vault.create({ template: 'dap', sessionId: 's-1', serviceDate: '2026-11-02', body: { ...emptyBody('dap'), title: 'autosave 1' } }, { id: 'c-ana', name: 'Ana' });
  process.stdout.write(`ID ${note.id}\nACK ${note.version} ${note.body.title}\n`);
  for (;;) {
    const title = `autosave ${note.version + 1}`;
    // A body of a few KB, so the kill can land anywhere inside a write.
    const text = `${title} `.repeat(300);
    note = vault.saveDraft(note.id, { ...note.body, title, sections: { data: text, assessment: title, plan: '' } }, note.version);
    process.stdout.write(`ACK ${note.version} ${note.body.title}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
