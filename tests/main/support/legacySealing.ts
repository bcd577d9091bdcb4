/**
 * Sealing as the console wrote it before keys were derived per purpose (src/main/sealing.ts),
 * written out here so that tests can build old files without shipped code keeping a way to
 * write them: the note vault's rows and the roster cache's copies, both sealed under the
 * keychain key itself. Layout: format byte 1 · nonce (24) · nacl.secretbox of JSON.
 */
import nacl from 'tweetnacl';

function box(key: Uint8Array, record: unknown): Buffer {
  const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
  const sealed = nacl.secretbox(new TextEncoder().encode(JSON.stringify(record)), nonce, key);
  return Buffer.concat([Buffer.from([1]), nonce, sealed]);
}

function unbox(key: Uint8Array, blob: Uint8Array): unknown {
  if (blob[0] !== 1) return null;
  const plaintext = nacl.secretbox.open(blob.subarray(25), blob.subarray(1, 25), key);
  return plaintext ? (JSON.parse(new TextDecoder().decode(plaintext)) as unknown) : null;
}

/** A vault row (note list fields, body, conflict, key check, index head) as schemas 1–3 sealed it. */
export function legacyVaultSeal(keychainKey: Uint8Array, binding: { kind: string; id: string; version: number }, payload: unknown): Buffer {
  return box(keychainKey, { k: binding.kind, i: binding.id, v: binding.version, d: payload });
}

/** Whether a blob opens under the keychain key itself, as every vault row did before migration 4. */
export function opensUnderKeychainKey(keychainKey: Uint8Array, blob: Uint8Array): boolean {
  return unbox(keychainKey, blob) !== null;
}

/** A roster cache row as cache schema 1 sealed it: the cache key and the copy. */
export function legacyCacheSeal(keychainKey: Uint8Array, cacheKey: string, payload: unknown): Buffer {
  return box(keychainKey, { k: cacheKey, d: payload });
}
