/** One media frame sealed end to end (src/client/e2ee/frameCrypto.ts), as sender and receivers do it. */
import { describe, expect, it } from 'vitest';
import { clearHeaderBytes, decryptFrame, encryptFrame, frameEpoch, importFrameKey, TAG_BYTES, TRAILER_BYTES } from '../../src/client/e2ee/frameCrypto';

const keyOf = (fill: number) => importFrameKey(new Uint8Array(32).fill(fill));
/** A VP8-looking key frame: a frame tag, the start code, dimensions, then picture data. */
const keyFrame = Uint8Array.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01, ...Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff)]);

describe('a sealed frame', () => {
  it('keeps only the header the SFU reads, and opens to the original with the key', async () => {
    const key = await keyOf(1);
    // The SFU reads the first byte only (VP8's key-frame bit); the rest is sealed.
    const clear = clearHeaderBytes('video', keyFrame);
    expect(clear).toBe(1);
    const sealed = await encryptFrame(key, 7, keyFrame, clear);
    expect(sealed.byteLength).toBe(keyFrame.byteLength + TAG_BYTES + TRAILER_BYTES);
    expect(sealed[0]).toBe(keyFrame[0]);
    // Nothing after the header is the frame any more: not the start code, not the dimensions.
    expect(Buffer.from(sealed.subarray(1, 33)).equals(Buffer.from(keyFrame.subarray(1, 33)))).toBe(false);
    expect(frameEpoch(sealed, clear)).toBe(7);
    expect(await decryptFrame(key, sealed, clear)).toEqual(keyFrame);
  });

  it('uses a fresh IV for every frame, so the same picture never seals the same way', async () => {
    const key = await keyOf(2);
    const [a, b] = await Promise.all([encryptFrame(key, 0, keyFrame, 10), encryptFrame(key, 0, keyFrame, 10)]);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('does not open under another key, nor altered anywhere: header, body, tag, IV', async () => {
    const key = await keyOf(3);
    const sealed = await encryptFrame(key, 1, keyFrame, 10);
    expect(await decryptFrame(await keyOf(4), sealed, 10)).toBeUndefined();
    for (const at of [0, 9, 10, 200, sealed.byteLength - TRAILER_BYTES - 1, sealed.byteLength - 2]) {
      const altered = sealed.slice();
      altered[at]! ^= 0x01;
      expect(await decryptFrame(key, altered, 10)).toBeUndefined();
    }
    // A receiver that takes the wrong header length gets nothing either.
    expect(await decryptFrame(key, sealed, 3)).toBeUndefined();
    // Too short to be a sealed frame at all.
    expect(await decryptFrame(key, sealed.subarray(0, 20), 10)).toBeUndefined();
    expect(frameEpoch(sealed.subarray(0, 20), 10)).toBeUndefined();
  });

  it('leaves one byte of an Opus packet too (its TOC), and never more than the frame', async () => {
    expect(clearHeaderBytes('audio', Uint8Array.of(0x78, 1, 2))).toBe(1);
    expect(clearHeaderBytes('video', new Uint8Array(0))).toBe(0);
    const key = await keyOf(5);
    const empty = new Uint8Array(0);
    expect(await decryptFrame(key, await encryptFrame(key, 0, empty, 0), 0)).toEqual(empty);
    const opus = Uint8Array.of(0x78, 0xaa, 0xbb, 0xcc);
    expect(await decryptFrame(key, await encryptFrame(key, 255, opus, 1), 1)).toEqual(opus);
  });

  it('refuses a key that is not 32 bytes and an epoch outside 0–255', async () => {
    expect(() => importFrameKey(new Uint8Array(16))).toThrow(RangeError);
    const key = await keyOf(6);
    await expect(encryptFrame(key, 256, keyFrame, 10)).rejects.toThrow(RangeError);
    await expect(encryptFrame(key, -1, keyFrame, 10)).rejects.toThrow(RangeError);
  });
});
