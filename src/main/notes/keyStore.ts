/**
 * Where the keychain key lives: only the OS keychain (keytar: Secret Service on Linux, Keychain
 * on macOS, Credential Manager on Windows), never on disk beside the notes. It seals nothing
 * itself: the note vault and the roster cache derive their keys from it (src/main/sealing.ts).
 */
import { KEY_BYTES, wipe } from '../sealing';

export const KEYCHAIN_SERVICE = 'Confidant';

/** No keychain answered (no Secret Service on the bus, no bus, keytar missing). */
export class KeychainUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeychainUnavailableError';
  }
}

export interface KeyStore {
  /**
   * The account's key, or null when the keychain has none: a fresh copy in memory of its own,
   * which the caller owns and wipes when done. Throws KeychainUnavailableError.
   */
  get(account: string): Promise<Uint8Array | null>;
  /** Stores the account's key. Throws KeychainUnavailableError. */
  set(account: string, key: Uint8Array): Promise<void>;
  /**
   * Gets the keychain ready before anyone signs in (its native module loaded, its connection
   * to the OS's keychain open), so the first read after sign-in is not the slow one. Never
   * throws: a keychain that is not there is reported by the first real read, as before.
   */
  warm?(): Promise<void>;
}

/** An account no key is stored under: reading it opens the keychain's connection and returns null. */
const WARM_UP_ACCOUNT = 'confidant-warm-up';

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
}

export function decodeKey(stored: string): Uint8Array {
  // Decoded into memory of its own and the scratch wiped: `Buffer.from(base64)` would cut the
  // bytes from Node's shared 8 KiB pool, where they sit beside other data and cannot be wiped
  // without wiping that too. (The base64 string itself is keytar's and cannot be wiped.)
  const scratch = Buffer.alloc(Math.ceil((stored.length * 3) / 4));
  const length = scratch.write(stored, 'base64');
  // A value that is not a 32-byte key is still "a key" for the vault's purposes: it will
  // fail the key check and lock the vault, and it is never replaced silently.
  const key = new Uint8Array(length === KEY_BYTES ? KEY_BYTES : 0);
  key.set(scratch.subarray(0, key.length));
  wipe(scratch);
  return key;
}

/** The keytar-backed store (service "Confidant", account `${clinicianId}@${serverOrigin}`). */
export function createKeytarKeyStore(service: string = KEYCHAIN_SERVICE): KeyStore {
  let keytar: Promise<Keytar> | null = null;
  const load = (): Promise<Keytar> => {
    // Loaded on first use so a missing native module or libsecret locks the vault instead of crashing main.
    keytar ??= import('keytar').then((m) => ((m as { default?: Keytar }).default ?? (m as unknown as Keytar)));
    return keytar;
  };
  const call = async <T>(what: string, fn: (k: Keytar) => Promise<T>): Promise<T> => {
    try {
      return await fn(await load());
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new KeychainUnavailableError(`the OS keychain could not ${what}: ${detail}`, { cause: err });
    }
  };
  return {
    get: async (account) => {
      const stored = await call('be read', (k) => k.getPassword(service, account));
      return stored === null ? null : decodeKey(stored);
    },
    // A view over the key, not `Buffer.from(key)`, which would leave a copy in the shared pool.
    set: (account, key) => call('store the key', (k) => k.setPassword(service, account, Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64'))),
    // The first read pays keytar's load and the keychain's connection (tens of ms on the
    // path of the vault's first open after sign-in); an account with no key costs neither
    // a key in memory nor a prompt.
    warm: () => call('be reached', (k) => k.getPassword(service, WARM_UP_ACCOUNT)).then(
      () => undefined,
      () => undefined,
    ),
  };
}

/**
 * A store in memory: for benchmarks and tests that are not about the keychain. Like the
 * keychain it hands out a copy per read, which the reader owns and wipes when it closes.
 */
export function createMemoryKeyStore(initial: Record<string, Uint8Array> = {}): KeyStore & { keys: Map<string, Uint8Array> } {
  const keys = new Map(Object.entries(initial));
  return {
    keys,
    get: async (account) => {
      const key = keys.get(account);
      return key ? new Uint8Array(key) : null;
    },
    set: async (account, key) => {
      keys.set(account, new Uint8Array(key));
    },
  };
}
