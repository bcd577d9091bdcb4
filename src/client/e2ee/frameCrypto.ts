/**
 * End-to-end encryption of one encoded media frame (issue 19), as the sender's transform and
 * each receiver's apply it: AES-256-GCM from the platform's WebCrypto (the browser's and the
 * console's own, well reviewed, nothing to ship), a fresh random 96-bit IV per frame, and the
 * few leading bytes the SFU must read left in the clear but authenticated (as additional data),
 * so the server can still forward video while reading nothing of it:
 *
 *   [ clear header | AES-GCM ciphertext and 16-byte tag | IV (12) | key epoch (1) ]
 *
 * - Video (VP8): the first byte of the frame tag stays readable, whose lowest bit says key
 *   frame or not: all the SFU's key-frame detection reads (mediasoup's RTP/Codecs/VP8.cpp;
 *   layers come from the RTP payload descriptor, outside the frame). The rest of the tag, the
 *   start code and the picture's dimensions are sealed, so a decoder without the key (a tap on
 *   the SFU) finds no frame it can decode: with the ten bytes other designs leave clear, one
 *   garbage frame of the right size did decode in Chromium (tests/e2e/frameCipher.spec.ts).
 * - Audio (Opus): the TOC byte (mode, bandwidth, frame size; nothing spoken).
 *
 * The key epoch names which group key sealed the frame (the facilitator's console makes a new
 * one whenever someone leaves the group), so a receiver holding the last two can bridge a
 * change without dropping frames, and one that lacks it drops the frame rather than play noise.
 */

export const IV_BYTES = 12;
export const TAG_BYTES = 16;
/** IV and epoch, appended after the ciphertext. */
export const TRAILER_BYTES = IV_BYTES + 1;

export type FrameKind = 'audio' | 'video';

const CLEAR_BYTES: Readonly<Record<FrameKind, number>> = { audio: 1, video: 1 };

/**
 * How many leading bytes of a frame stay readable for the SFU: one, for VP8's frame tag and
 * Opus's TOC alike (never more than the frame). Per kind, so a codec that needs more says so here.
 */
export function clearHeaderBytes(kind: FrameKind, frame: Uint8Array): number {
  return Math.min(CLEAR_BYTES[kind], frame.byteLength);
}

/** A 32-byte group key as an AES-GCM key that can only encrypt and decrypt. */
export function importFrameKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  if (raw.byteLength !== 32) throw new RangeError('a frame key is 32 bytes');
  return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/** Seals `frame` under `key` (of epoch `epoch`, 0–255), its first `clear` bytes readable. */
export async function encryptFrame(key: CryptoKey, epoch: number, frame: Uint8Array<ArrayBuffer>, clear: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 255) throw new RangeError('a key epoch is 0 to 255');
  const header = frame.subarray(0, clear);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header, tagLength: TAG_BYTES * 8 }, key, frame.subarray(clear)),
  );
  const out = new Uint8Array(clear + sealed.byteLength + TRAILER_BYTES);
  out.set(header, 0);
  out.set(sealed, clear);
  out.set(iv, clear + sealed.byteLength);
  out[out.byteLength - 1] = epoch;
  return out;
}

/** The key epoch a sealed frame names, or undefined when it is too short to be one. */
export function frameEpoch(sealed: Uint8Array, clear: number): number | undefined {
  return sealed.byteLength < clear + TAG_BYTES + TRAILER_BYTES ? undefined : sealed[sealed.byteLength - 1];
}

/**
 * Opens a frame sealed by `encryptFrame` with the same `clear`: the original frame, or
 * undefined when it is not one (too short, another key, altered anywhere, header included).
 */
export async function decryptFrame(key: CryptoKey, sealed: Uint8Array<ArrayBuffer>, clear: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (frameEpoch(sealed, clear) === undefined) return undefined;
  const header = sealed.subarray(0, clear);
  const ivAt = sealed.byteLength - TRAILER_BYTES;
  const iv = sealed.slice(ivAt, ivAt + IV_BYTES);
  try {
    const body = new Uint8Array(
      await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: header, tagLength: TAG_BYTES * 8 }, key, sealed.subarray(clear, ivAt)),
    );
    const out = new Uint8Array(clear + body.byteLength);
    out.set(header, 0);
    out.set(body, clear);
    return out;
  } catch {
    return undefined;
  }
}
