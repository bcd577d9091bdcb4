/**
 * Sealing: `nacl.secretbox` under the vault key with a fresh random 24-byte nonce per write.
 * The sealed plaintext names what it belongs to (row kind, note id, version), and opening
 * checks that against the row it was read from, so a ciphertext copied to another row, to
 * another kind of row or to another version of the same note is refused, not trusted.
 *
 * Layout of a sealed blob: format byte (1) · nonce (24) · secretbox output (16-byte tag + ciphertext).
 */
import nacl from 'tweetnacl';

export const KEY_BYTES = nacl.secretbox.keyLength;
const FORMAT = 1;

/** What a sealed blob belongs to. `check` is the key check value; `meta` a note's list fields. */
export type SealKind = 'check' | 'meta' | 'doc' | 'conflict';

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
  const plaintext = encoder.encode(JSON.stringify({ k: binding.kind, i: binding.id, v: binding.version, d: payload }));
  const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
  const box = nacl.secretbox(plaintext, nonce, key);
  const out = Buffer.allocUnsafe(1 + nonce.length + box.length);
  out[0] = FORMAT;
  out.set(nonce, 1);
  out.set(box, 1 + nonce.length);
  return out;
}

/** Opens a blob sealed for exactly this binding; throws SealError otherwise. */
export function open(key: Uint8Array, binding: Binding, blob: Uint8Array): unknown {
  const nonceEnd = 1 + nacl.secretbox.nonceLength;
  if (blob.length < nonceEnd + nacl.secretbox.overheadLength || blob[0] !== FORMAT) {
    throw new SealError('sealed data is truncated or of an unknown format');
  }
  const plaintext = nacl.secretbox.open(blob.subarray(nonceEnd), blob.subarray(1, nonceEnd), key);
  if (!plaintext) throw new SealError('sealed data does not open: it was altered, or sealed under another key');
  let parsed: { k?: unknown; i?: unknown; v?: unknown; d?: unknown };
  try {
    parsed = JSON.parse(decoder.decode(plaintext)) as typeof parsed;
  } catch {
    throw new SealError('sealed data opened but is not a vault record');
  }
  if (parsed.k !== binding.kind || parsed.i !== binding.id || parsed.v !== binding.version) {
    throw new SealError(`sealed data belongs to another record, not ${binding.kind} ${binding.id} v${binding.version}`);
  }
  return parsed.d;
}

export function newKey(): Uint8Array {
  return nacl.randomBytes(KEY_BYTES);
}
