/**
 * The vault's key and when it unlocks: read from the OS keychain, made on first use only when
 * the vault holds nothing, and checked against the vault's key-check record. If notes exist
 * and the key is missing or wrong the vault stays locked and says so in plain words; it never
 * makes a new key over existing notes and never falls back to plaintext.
 *
 * What belongs here: the unlock policy and its messages. What the key then seals is the rows'
 * and the index's business (rows.ts, indexer.ts).
 */
import type { Database } from 'better-sqlite3';
import { timingSafeEqual } from 'node:crypto';
import { createLogger } from '../../common/logger';
import { KeychainUnavailableError, type KeyStore } from './keyStore';
import { vaultTag } from './indexSnapshot';
import { KEY_BYTES, newKey, open, seal, wipe } from './sealing';
import type { VaultState } from './types';

const log = createLogger('notes.vault');

const KEY_CHECK_ID = 'vault-key-check';

/** What unlocking gives the vault: its state, its key when unlocked, and its identity for binding the index snapshot. */
export interface Unlocked {
  state: VaultState;
  key: Uint8Array | null;
  /** This vault's identity for binding its index snapshot (indexSnapshot.ts); '' when locked. */
  tag: string;
}

const MESSAGES = {
  noKeychain: (detail: string) =>
    `Notes are locked: no system keychain answered (${detail}). Confidant keeps the notes key only in the system keychain ` +
    '(on Linux, a Secret Service such as GNOME Keyring or KWallet, unlocked in your desktop session). Start or unlock it, then open notes again.',
  noKey:
    "Notes are locked: their key is missing from this computer's keychain. Restore the keychain entry \"Confidant\" for this account " +
    '(or the keychain from a backup). Confidant will not make a new key, because that would orphan the existing notes.',
  wrongKey:
    "Notes are locked: the key in this computer's keychain does not open them (the entry \"Confidant\" for this account was replaced). " +
    'Restore the original entry from a backup; Confidant will not replace it or start over.',
};

/** The key stays only where it is in use: a key that will not be used is wiped at once. */
function lockedWith(key: Uint8Array | null, state: VaultState): Unlocked {
  if (key) wipe(key);
  return { state, key: null, tag: '' };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  // Compared in place: `Buffer.from(key)` would copy the key into the shared Buffer pool.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Unlocks the vault in `db` (migrated) with the account's key from `keyStore`, or says why it stays locked. */
export async function unlock(db: Database, account: string, keyStore: KeyStore): Promise<Unlocked> {
  const check = db.prepare(`SELECT value FROM vault_meta WHERE name = 'key-check'`).get() as { value: Buffer } | undefined;
  const noteCount = (db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
  let key: Uint8Array | null;
  try {
    key = await keyStore.get(account);
  } catch (err) {
    if (!(err instanceof KeychainUnavailableError)) throw err;
    return lockedWith(null, { state: 'locked', reason: 'no-keychain', message: MESSAGES.noKeychain(err.message) });
  }
  if (key === null) {
    if (check || noteCount > 0) return lockedWith(null, { state: 'locked', reason: 'no-key', message: MESSAGES.noKey });
    key = newKey();
    try {
      await keyStore.set(account, key);
      // Read it back: a keychain that accepts but does not keep the key must not get notes.
      const stored = await keyStore.get(account);
      const kept = stored !== null && sameBytes(stored, key);
      if (stored) wipe(stored);
      if (!kept) throw new KeychainUnavailableError('it did not keep the key it was given');
    } catch (err) {
      if (!(err instanceof KeychainUnavailableError)) {
        wipe(key);
        throw err;
      }
      return lockedWith(key, { state: 'locked', reason: 'no-keychain', message: MESSAGES.noKeychain(err.message) });
    }
    log.info('vault.key.created');
  }
  if (key.length !== KEY_BYTES) return lockedWith(key, { state: 'locked', reason: 'no-key', message: MESSAGES.wrongKey });
  if (check) {
    try {
      open(key, { kind: 'check', id: KEY_CHECK_ID, version: 1 }, check.value);
    } catch {
      return lockedWith(key, { state: 'locked', reason: 'no-key', message: MESSAGES.wrongKey });
    }
    return { state: { state: 'unlocked' }, key, tag: vaultTag(check.value) };
  }
  // Notes without a key check cannot happen in a vault this code wrote; refuse to guess.
  if (noteCount > 0) return lockedWith(key, { state: 'locked', reason: 'no-key', message: MESSAGES.wrongKey });
  const made = seal(key, { kind: 'check', id: KEY_CHECK_ID, version: 1 }, 'ok');
  db.prepare(`INSERT INTO vault_meta (name, value) VALUES ('key-check', ?)`).run(made);
  return { state: { state: 'unlocked' }, key, tag: vaultTag(made) };
}
