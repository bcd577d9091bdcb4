/**
 * The vault's key and when it unlocks: read from the OS keychain, made on first use only when
 * the vault holds nothing, and checked against the vault's key-check record. If notes exist
 * and the key is missing or wrong the vault stays locked and says so in plain words; it never
 * makes a new key over existing notes and never falls back to plaintext.
 *
 * The keychain key itself seals nothing: once it has opened the key check, the vault works
 * with keys derived from it per purpose (VaultKeys, src/main/sealing.ts) and it is wiped.
 *
 * What belongs here: the unlock policy and its messages, and the vault's keys. What they
 * seal is the rows' and the index's business (rows.ts, indexer.ts).
 */
import type { Database } from 'better-sqlite3';
import { timingSafeEqual } from 'node:crypto';
import { createLogger } from '../../common/logger';
import { KeychainUnavailableError, type KeyStore } from './keyStore';
import { vaultTag } from './indexSnapshot';
import { KEY_BYTES, newKey, open, purposeKey, seal, SealError, wipe, type Binding } from '../sealing';
import { migrateVault } from './migrate';
import type { VaultState } from './types';

const log = createLogger('notes.vault');

const KEY_CHECK: Binding = { kind: 'check', id: 'vault-key-check', version: 1 };

/**
 * The vault's own keys, derived from the keychain key per purpose (src/main/sealing.ts): the
 * notes, conflicts and key check are sealed under `rows`, the index snapshot under `index`.
 */
export interface VaultKeys {
  rows: Uint8Array;
  index: Uint8Array;
}

export function wipeKeys(keys: VaultKeys): void {
  wipe(keys.rows);
  wipe(keys.index);
}

/** What unlocking gives the vault: its state, its keys when unlocked, and its identity for binding the index snapshot. */
export interface Unlocked {
  state: VaultState;
  keys: VaultKeys | null;
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

/** Keys stay only where they are in use: a key that will not be used is wiped at once. */
function lockedWith(key: Uint8Array | VaultKeys | null, state: VaultState): Unlocked {
  if (key instanceof Uint8Array) wipe(key);
  else if (key) wipeKeys(key);
  return { state, keys: null, tag: '' };
}

const readCheck = (db: Database) => db.prepare(`SELECT value FROM vault_meta WHERE name = 'key-check'`).get() as { value: Buffer } | undefined;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  // Compared in place: `Buffer.from(key)` would copy the key into the shared Buffer pool.
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Unlocks the vault in `db` with the account's key from `keyStore`, or says why it stays
 * locked. `db` has had the migrations that need no key (migrate.ts); those that need it (the
 * reseal under purpose keys) run here, once the key is known and before the key check.
 */
export async function unlock(db: Database, account: string, keyStore: KeyStore): Promise<Unlocked> {
  const check = readCheck(db);
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
  // Notes without a key check cannot happen in a vault this code wrote; refuse to guess.
  if (!check && noteCount > 0) return lockedWith(key, { state: 'locked', reason: 'no-key', message: MESSAGES.wrongKey });
  try {
    migrateVault(db, key);
  } catch (err) {
    // The key check did not open under this key: the reseal wrote nothing.
    if (err instanceof SealError) return lockedWith(key, { state: 'locked', reason: 'no-key', message: MESSAGES.wrongKey });
    wipe(key);
    throw err;
  }
  // From here on the keychain key is only where it came from: the vault works with its own keys.
  const keys: VaultKeys = { rows: purposeKey(key, 'vault rows'), index: purposeKey(key, 'vault index') };
  wipe(key);
  const current = readCheck(db);
  if (current) {
    try {
      open(keys.rows, KEY_CHECK, current.value);
    } catch {
      return lockedWith(keys, { state: 'locked', reason: 'no-key', message: MESSAGES.wrongKey });
    }
    return { state: { state: 'unlocked' }, keys, tag: vaultTag(current.value) };
  }
  const made = seal(keys.rows, KEY_CHECK, 'ok');
  db.prepare(`INSERT INTO vault_meta (name, value) VALUES ('key-check', ?)`).run(made);
  return { state: { state: 'unlocked' }, keys, tag: vaultTag(made) };
}
