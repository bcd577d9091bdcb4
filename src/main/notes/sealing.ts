/**
 * Sealing: `nacl.secretbox` under the vault key with a fresh random 24-byte nonce per write.
 * The sealed plaintext names what it belongs to (row kind, note id, version), and opening
 * checks that against the row it was read from, so a ciphertext copied to another row, to
 * another kind of row or to another version of the same note is refused, not trusted.
 *
 * Layout of a sealed blob: format byte · nonce (24) · secretbox output (16-byte tag + ciphertext).
 * Format 1 seals JSON: `{k, i, v, d}`. Format 2 seals bytes (the search index's chunks, where
 * JSON would double their size): u32 length of the binding's JSON · that JSON · the bytes.
 */
import nacl from 'tweetnacl';
import { noncePool } from '../../shared/noncePool';

export const KEY_BYTES = nacl.secretbox.keyLength;
const FORMAT = 1;
const FORMAT_BYTES = 2;

/**
 * What a sealed blob belongs to. `check` is the key check value; `meta` a note's list fields;
 * `index` a part of the search index's snapshot (indexSnapshot.ts).
 */
export type SealKind = 'check' | 'meta' | 'doc' | 'conflict' | 'index';

export interface Binding {
  kind: SealKind;
  id: string;
  version: number;
}

/** A blob that does not open under this key for this row: tampered, corrupted or moved. */
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

/** Opens a blob sealed for exactly this binding; throws SealError otherwise. */
export function open(key: Uint8Array, binding: Binding, blob: Uint8Array): unknown {
  const plaintext = unbox(key, FORMAT, blob);
  let parsed: { k?: unknown; i?: unknown; v?: unknown; d?: unknown };
  try {
    parsed = JSON.parse(decoder.decode(plaintext)) as typeof parsed;
  } catch {
    throw new SealError('sealed data opened but is not a vault record');
  }
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
  if (4 + headLength > plaintext.length) throw new SealError('sealed data opened but is not a vault record');
  let parsed: { k?: unknown; i?: unknown; v?: unknown };
  try {
    parsed = JSON.parse(decoder.decode(plaintext.subarray(4, 4 + headLength))) as typeof parsed;
  } catch {
    throw new SealError('sealed data opened but is not a vault record');
  }
  checkBinding(parsed, binding);
  return plaintext.subarray(4 + headLength);
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
