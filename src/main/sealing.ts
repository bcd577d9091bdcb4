/**
 * The console main process's one sealing format and its keys, used by the note vault
 * (notes/) and the roster cache (rosters/); invitation links' secrets (e2ee/) are derived
 * from the same keychain key under a purpose of their own.
 *
 * Keys: the OS keychain holds one key per clinician and server (notes/keyStore.ts). That key
 * seals nothing itself: every use gets its own key, derived from it with HKDF-SHA-256 under a
 * label of its own (`purposeKey`), so no key is ever used for two purposes and a blob sealed
 * for one purpose does not open for another, whatever it says it is. A new use of the key is a
 * new purpose here, never a second use of an existing one.
 *
 * Sealing: `nacl.secretbox` with a fresh random 24-byte nonce per write. The sealed plaintext
 * names the row it belongs to (a kind, an id, a version), and opening checks that against the
 * row it was read from, so a ciphertext copied to another row, to another kind of row or to
 * another version of the same row is refused (SealError), not trusted.
 *
 * Layout of a sealed blob: format byte · nonce (24) · secretbox output (16-byte tag + ciphertext).
 * Format 1 seals JSON: `{k, i, v, d}`. Format 2 seals bytes (the search index's chunks, where
 * JSON would double their size): u32 length of the binding's JSON · that JSON · the bytes.
 */
import { hkdfSync } from 'node:crypto';
import nacl from 'tweetnacl';
import { noncePool } from '../shared/noncePool';

export const KEY_BYTES = nacl.secretbox.keyLength;
const FORMAT = 1;
const FORMAT_BYTES = 2;

/**
 * What a key derived from the keychain key is for. The labels are part of the file formats:
 * changing one makes everything sealed for that purpose unreadable.
 */
const PURPOSE_LABELS = {
  /** The note vault's notes, conflicts and key check (notes/rows.ts, notes/outbox.ts, notes/key.ts). */
  'vault rows': 'confidant vault rows',
  /** The note vault's search index snapshot (notes/indexSnapshot.ts). */
  'vault index': 'confidant vault index',
  /** The roster cache's copies and key check (rosters/rosterCache.ts). */
  'roster cache': 'confidant roster cache',
  /** The HMAC that names the roster cache's rows (an index key, not a sealing key). */
  'roster row index': 'confidant roster cache index',
  /**
   * The HMAC key that makes invitation links' fragment secrets (e2ee/linkSecrets.ts; a MAC
   * key, not a sealing key). Changing it changes every secret, so links already sent stop
   * matching what the console recomputes at call time.
   */
  'link secrets': 'confidant invitation link secrets',
} as const;

export type KeyPurpose = keyof typeof PURPOSE_LABELS;

/**
 * The key for `purpose`, derived from the keychain key. It is HKDF's own ArrayBuffer (no pool
 * slice), so wiping it wipes nothing else; the caller owns it and wipes it when done.
 */
export function purposeKey(keychainKey: Uint8Array, purpose: KeyPurpose): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', keychainKey, new Uint8Array(0), PURPOSE_LABELS[purpose], KEY_BYTES));
}

/**
 * The row a sealed blob belongs to. The vault's kinds: `check` (the key check), `meta` (a
 * note's list fields), `doc` (a whole note), `conflict` (the server's copy), `index` (a part
 * of the index snapshot). The roster cache's: `check` and `copy`.
 */
export interface Binding {
  kind: string;
  id: string;
  version: number;
}

/** A blob that does not open under this key for this row: tampered, corrupted, moved, or sealed for another purpose. */
export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function seal(key: Uint8Array, binding: Binding, payload: unknown): Buffer {
  return box(key, FORMAT, encoder.encode(JSON.stringify({ k: binding.kind, i: binding.id, v: binding.version, d: payload })));
}

const freshNonce = noncePool(nacl.secretbox.nonceLength);

function box(key: Uint8Array, format: number, plaintext: Uint8Array): Buffer {
  const nonce = freshNonce();
  const sealed = nacl.secretbox(plaintext, nonce, key);
  const out = Buffer.allocUnsafe(1 + nonce.length + sealed.length);
  out[0] = format;
  out.set(nonce, 1);
  out.set(sealed, 1 + nonce.length);
  return out;
}

function unbox(key: Uint8Array, format: number, blob: Uint8Array): Uint8Array {
  const nonceEnd = 1 + nacl.secretbox.nonceLength;
  if (blob.length < nonceEnd + nacl.secretbox.overheadLength || blob[0] !== format) {
    throw new SealError('sealed data is truncated or of an unknown format');
  }
  const plaintext = nacl.secretbox.open(blob.subarray(nonceEnd), blob.subarray(1, nonceEnd), key);
  if (!plaintext) throw new SealError('sealed data does not open: it was altered, or sealed under another key');
  return plaintext;
}

function checkBinding(parsed: { k?: unknown; i?: unknown; v?: unknown }, binding: Binding): void {
  if (parsed.k !== binding.kind || parsed.i !== binding.id || parsed.v !== binding.version) {
    throw new SealError(`sealed data belongs to another record, not ${binding.kind} ${binding.id} v${binding.version}`);
  }
}

function parseRecord(plaintext: Uint8Array): { k?: unknown; i?: unknown; v?: unknown; d?: unknown } {
  try {
    return JSON.parse(decoder.decode(plaintext)) as { k?: unknown; i?: unknown; v?: unknown; d?: unknown };
  } catch {
    throw new SealError('sealed data opened but is not a sealed record');
  }
}

/** Opens a blob sealed for exactly this binding; throws SealError otherwise. */
export function open(key: Uint8Array, binding: Binding, blob: Uint8Array): unknown {
  const parsed = parseRecord(unbox(key, FORMAT, blob));
  checkBinding(parsed, binding);
  return parsed.d;
}

/** Seals raw bytes (format 2) bound like `seal`. */
export function sealBytes(key: Uint8Array, binding: Binding, bytes: Uint8Array): Buffer {
  const head = encoder.encode(JSON.stringify({ k: binding.kind, i: binding.id, v: binding.version }));
  const plaintext = new Uint8Array(4 + head.length + bytes.length);
  new DataView(plaintext.buffer).setUint32(0, head.length, true);
  plaintext.set(head, 4);
  plaintext.set(bytes, 4 + head.length);
  return box(key, FORMAT_BYTES, plaintext);
}

/** Opens bytes sealed by `sealBytes` for exactly this binding; throws SealError otherwise. */
export function openBytes(key: Uint8Array, binding: Binding, blob: Uint8Array): Uint8Array {
  const plaintext = unbox(key, FORMAT_BYTES, blob);
  const headLength = plaintext.length >= 4 ? new DataView(plaintext.buffer, plaintext.byteOffset).getUint32(0, true) : Infinity;
  if (4 + headLength > plaintext.length) throw new SealError('sealed data opened but is not a sealed record');
  checkBinding(parseRecord(plaintext.subarray(4, 4 + headLength)), binding);
  return plaintext.subarray(4 + headLength);
}

/**
 * A blob sealed by `seal` under `from`, sealed again under `to` for the same binding with a
 * fresh nonce, its plaintext byte for byte (a migration moving rows to another key). Throws
 * SealError when it does not open under `from` for this binding.
 */
export function reseal(from: Uint8Array, to: Uint8Array, binding: Binding, blob: Uint8Array): Buffer {
  const plaintext = unbox(from, FORMAT, blob);
  checkBinding(parseRecord(plaintext), binding);
  return box(to, FORMAT, plaintext);
}

/** A fresh key, in memory of its own (never a slice of a shared pool), so it can be wiped. */
export function newKey(): Uint8Array {
  return nacl.randomBytes(KEY_BYTES);
}

/**
 * Zeroes key material in place. Keys live in allocations of their own (`Buffer.alloc`,
 * `new Uint8Array`, never a pool slice), so this wipes the key and nothing beside it.
 */
export function wipe(bytes: Uint8Array): void {
  bytes.fill(0);
}

/** How much `warmSealing` seals and opens: enough that V8 has optimized the cipher by the end. */
export const WARM_UP_BYTES = 128 * 1024;

/**
 * Seals and opens `WARM_UP_BYTES` of zeros under a throwaway key, once, so tweetnacl's cipher
 * and MAC are compiled before the first real open. In a fresh process their first pass runs
 * unoptimized: opening the search snapshot's ~0.6 MB head then took ~65-85 ms against ~12 ms
 * warm, most of what the vault's first open after sign-in costs beyond the plaintext store's
 * (docs/performance.md, "Progress notes"). The console calls this once it has started (about
 * 75 ms of CPU, off any path a person waits on); nothing secret goes through it. Returns the
 * bytes opened, so a caller can check it ran.
 */
export function warmSealing(): number {
  const key = newKey();
  try {
    const blob = box(key, FORMAT_BYTES, new Uint8Array(WARM_UP_BYTES));
    return unbox(key, FORMAT_BYTES, blob).length;
  } finally {
    wipe(key);
  }
}
