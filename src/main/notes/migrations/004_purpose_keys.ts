/**
 * Migration 4: every sealed row moves from the keychain key itself to the vault's keys derived
 * from it per purpose (src/main/sealing.ts), so the keychain key seals nothing and no key
 * serves two purposes. It needs the keychain key, so it runs once the vault is unlocked
 * (migrate.ts, notes/key.ts), in one transaction with the version bump: a failure leaves
 * schema 3 and every row as it was.
 *
 * - The key check is opened first: a keychain key that does not open it throws SealError
 *   before anything is written (the vault stays locked, at schema 3).
 * - Each note's list fields and body, each conflict's server copy and the key check are opened
 *   under the keychain key for their own row and sealed again, plaintext byte for byte, under
 *   the rows key for the same row. A blob that does not open was damaged before and is left as
 *   it is: it stays damaged, and its bytes stay for anyone who can restore them.
 * - The index snapshot is deleted: a cache, rebuilt under the index key at the next search.
 */
import type { Database } from 'better-sqlite3';
import { purposeKey, reseal, SealError, wipe, type Binding } from '../../sealing';

export const version = 4;
export const needsKey = true;

const KEY_CHECK: Binding = { kind: 'check', id: 'vault-key-check', version: 1 };

export function up(db: Database, keychainKey: Uint8Array | null): void {
  if (!keychainKey) throw new Error('migration 4 reseals the vault: it needs the keychain key');
  const check = db.prepare(`SELECT value FROM vault_meta WHERE name = 'key-check'`).get() as { value: Buffer } | undefined;
  const notes = (db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
  if (!check && notes > 0) throw new SealError('the vault has notes but no key check');
  const rowsKey = purposeKey(keychainKey, 'vault rows');
  try {
    // Throws SealError under the wrong key: nothing below runs.
    if (check) db.prepare(`UPDATE vault_meta SET value = ? WHERE name = 'key-check'`).run(reseal(keychainKey, rowsKey, KEY_CHECK, check.value));
    const resealed = (binding: Binding, blob: Buffer): Buffer => {
      try {
        return reseal(keychainKey, rowsKey, binding, blob);
      } catch (err) {
        if (!(err instanceof SealError)) throw err;
        return blob;
      }
    };
    const metas = db.prepare('SELECT id, version, meta_sealed FROM notes').all() as { id: string; version: number; meta_sealed: Buffer }[];
    const putMeta = db.prepare('UPDATE notes SET meta_sealed = ? WHERE id = ?');
    for (const n of metas) putMeta.run(resealed({ kind: 'meta', id: n.id, version: n.version }, n.meta_sealed), n.id);
    const docs = db.prepare('SELECT n.id, n.version, d.doc_sealed FROM notes n JOIN note_docs d ON d.id = n.id').all() as { id: string; version: number; doc_sealed: Buffer }[];
    const putDoc = db.prepare('UPDATE note_docs SET doc_sealed = ? WHERE id = ?');
    for (const d of docs) putDoc.run(resealed({ kind: 'doc', id: d.id, version: d.version }, d.doc_sealed), d.id);
    const conflicts = db.prepare('SELECT id, version, sealed FROM conflicts').all() as { id: string; version: number; sealed: Buffer }[];
    const putConflict = db.prepare('UPDATE conflicts SET sealed = ? WHERE id = ?');
    for (const c of conflicts) putConflict.run(resealed({ kind: 'conflict', id: c.id, version: c.version }, c.sealed), c.id);
    db.exec('DELETE FROM index_snapshot');
  } finally {
    wipe(rowsKey);
  }
}
