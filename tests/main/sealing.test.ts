/**
 * The main process's sealing (src/main/sealing.ts): fresh nonces, blobs bound to their row,
 * and keys derived per purpose so that nothing sealed for one purpose opens for another.
 */
import { describe, expect, it } from 'vitest';
import { newKey, open, openBytes, purposeKey, reseal, seal, sealBytes, SealError, warmSealing, WARM_UP_BYTES, type KeyPurpose } from '../../src/main/sealing';

const PURPOSES: KeyPurpose[] = ['vault rows', 'vault index', 'roster cache', 'roster row index', 'link secrets'];

describe('sealing nonces', () => {
  it('every sealed blob has its own nonce, across many refills of the nonce pool', () => {
    const key = newKey();
    const seen = new Set<string>();
    const blobs = 2000; // the pool holds 256 nonces, so this crosses it several times
    for (let i = 0; i < blobs; i++) {
      const blob = seal(key, { kind: 'doc', id: 'n1', version: 1 }, 'the same text every time');
      seen.add(Buffer.from(blob.subarray(1, 25)).toString('hex'));
      expect(open(key, { kind: 'doc', id: 'n1', version: 1 }, blob)).toBe('the same text every time');
    }
    expect(seen.size).toBe(blobs);
  });
});

describe('keys per purpose', () => {
  it('each purpose has its own key, none of them the keychain key, the same from the same keychain key', () => {
    const keychainKey = newKey();
    const keys = PURPOSES.map((p) => Buffer.from(purposeKey(keychainKey, p)).toString('hex'));
    expect(new Set([...keys, Buffer.from(keychainKey).toString('hex')]).size).toBe(PURPOSES.length + 1);
    expect(PURPOSES.map((p) => Buffer.from(purposeKey(keychainKey, p)).toString('hex'))).toEqual(keys);
    expect(purposeKey(newKey(), 'vault rows')).not.toEqual(purposeKey(keychainKey, 'vault rows'));
  });

  it('a derived key has memory of its own, so wiping it wipes nothing else', () => {
    const key = purposeKey(newKey(), 'roster cache');
    expect(key.byteOffset).toBe(0);
    expect(key.buffer.byteLength).toBe(32);
  });

  it('a blob sealed for the roster cache does not open as a vault row, and vice versa, even bound to the same row', () => {
    const keychainKey = newKey();
    const rows = purposeKey(keychainKey, 'vault rows');
    const cache = purposeKey(keychainKey, 'roster cache');
    const row = { kind: 'doc', id: 'n1', version: 1 };
    const forCache = seal(cache, row, { secret: 'roster' });
    const forVault = seal(rows, row, { secret: 'note' });
    expect(open(cache, row, forCache)).toEqual({ secret: 'roster' });
    expect(open(rows, row, forVault)).toEqual({ secret: 'note' });
    expect(() => open(rows, row, forCache)).toThrow(SealError);
    expect(() => open(cache, row, forVault)).toThrow(SealError);
    // Nor under the keychain key itself, which seals nothing.
    expect(() => open(keychainKey, row, forVault)).toThrow(SealError);
    expect(() => open(keychainKey, row, forCache)).toThrow(SealError);
  });

  it('the index snapshot\'s key opens no vault row, and the rows\' key no index part', () => {
    const keychainKey = newKey();
    const rows = purposeKey(keychainKey, 'vault rows');
    const index = purposeKey(keychainKey, 'vault index');
    const part = { kind: 'index', id: 'tag:head', version: 1 };
    expect(() => openBytes(rows, part, sealBytes(index, part, new Uint8Array([1, 2, 3])))).toThrow(SealError);
    expect(() => open(index, part, seal(rows, part, 'x'))).toThrow(SealError);
  });
});

describe('binding and resealing', () => {
  it('a blob opens only for the row it was sealed for', () => {
    const key = newKey();
    const blob = seal(key, { kind: 'meta', id: 'n1', version: 2 }, 'fields');
    expect(() => open(key, { kind: 'meta', id: 'n2', version: 2 }, blob)).toThrow(SealError);
    expect(() => open(key, { kind: 'meta', id: 'n1', version: 1 }, blob)).toThrow(SealError);
    expect(() => open(key, { kind: 'doc', id: 'n1', version: 2 }, blob)).toThrow(SealError);
  });

  it('reseal moves a blob to another key for the same row, with a fresh nonce, and refuses one for another row', () => {
    const from = newKey();
    const to = newKey();
    const row = { kind: 'doc', id: 'n1', version: 3 };
    const blob = seal(from, row, { text: 'ünïcødé' });
    const moved = reseal(from, to, row, blob);
    expect(open(to, row, moved)).toEqual({ text: 'ünïcødé' });
    expect(moved.subarray(1, 25).equals(blob.subarray(1, 25))).toBe(false);
    expect(() => open(from, row, moved)).toThrow(SealError);
    expect(() => reseal(from, to, { ...row, id: 'n2' }, blob)).toThrow(SealError);
    expect(() => reseal(to, from, row, blob)).toThrow(SealError);
  });
});

describe('warming the cipher', () => {
  it('seals and opens its bytes through the same format as real blobs, and leaves sealing working', () => {
    expect(warmSealing()).toBe(WARM_UP_BYTES);
    const key = newKey();
    const binding = { kind: 'meta', id: 'n1', version: 1 };
    expect(open(key, binding, seal(key, binding, { title: 'after the warm-up' }))).toEqual({ title: 'after the warm-up' });
  });
});
