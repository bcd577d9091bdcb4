/** The key exchange of end-to-end encrypted calls (src/client/e2ee/keys.ts). */
import { describe, expect, it, vi } from 'vitest';
import { PublicKey, KeyProof, BoxNonce, SealedGroupKey } from '../../src/shared/protocol';
import nacl from 'tweetnacl';
import { boxKey, fromBase64url, keyProof, newGroupKey, newKeyPair, openGroupKey, prepareBoxKey, proofHolds, safetyCode, sealGroupKey, toBase64url } from '../../src/client/e2ee/keys';

describe('the group key sealed to a member', () => {
  it('opens only for that member, from that holder, at that epoch', async () => {
    const holder = newKeyPair();
    const member = newKeyPair();
    const other = newKeyPair();
    const groupKey = newGroupKey();
    const box = await sealGroupKey(groupKey, 4, member.publicKey, holder);
    expect(await openGroupKey(box, 4, holder.publicKey, member)).toEqual(groupKey);
    // Someone else (the server, another client) cannot open it, nor pass it off under another epoch.
    expect(await openGroupKey(box, 4, holder.publicKey, other)).toBeUndefined();
    expect(await openGroupKey(box, 5, holder.publicKey, member)).toBeUndefined();
    // A box the server sealed with a key of its own, claiming to be the holder's, does not open as the holder's.
    const server = newKeyPair();
    expect(await openGroupKey(await sealGroupKey(newGroupKey(), 4, member.publicKey, server), 4, holder.publicKey, member)).toBeUndefined();
    const altered = { ...box, sealed: box.sealed.slice() };
    altered.sealed[10]! ^= 1;
    expect(await openGroupKey(altered, 4, holder.publicKey, member)).toBeUndefined();
  });

  it('travels in exactly the sizes the protocol checks', async () => {
    const holder = newKeyPair();
    const box = await sealGroupKey(newGroupKey(), 0, newKeyPair().publicKey, holder);
    expect(SealedGroupKey.safeParse(toBase64url(box.sealed)).success).toBe(true);
    expect(BoxNonce.safeParse(toBase64url(box.nonce)).success).toBe(true);
    expect(PublicKey.safeParse(toBase64url(holder.publicKey)).success).toBe(true);
    expect(fromBase64url(toBase64url(box.sealed), 49)).toEqual(box.sealed);
    expect(fromBase64url(toBase64url(box.sealed), 48)).toBeUndefined();
    expect(fromBase64url('not base64!')).toBeUndefined();
    await expect(sealGroupKey(new Uint8Array(16), 0, holder.publicKey, holder)).rejects.toThrow(RangeError);
    await expect(sealGroupKey(newGroupKey(), 256, holder.publicKey, holder)).rejects.toThrow(RangeError);
  });
});

describe('the box key, with the platform’s X25519', () => {
  it('is the key tweetnacl’s box makes, both ways round, so boxes are the same bytes', async () => {
    for (let i = 0; i < 8; i++) {
      const a = newKeyPair();
      const b = newKeyPair();
      const ours = await boxKey(b.publicKey, a.secretKey);
      expect(ours).toEqual(nacl.box.before(b.publicKey, a.secretKey));
      expect(await boxKey(a.publicKey, b.secretKey)).toEqual(ours);
    }
    // A box tweetnacl sealed whole opens here, and one sealed here opens with tweetnacl.
    const holder = newKeyPair();
    const member = newKeyPair();
    const groupKey = newGroupKey();
    const plain = Uint8Array.from([7, ...groupKey]);
    const nonce = nacl.randomBytes(24);
    expect(await openGroupKey({ sealed: nacl.box(plain, nonce, member.publicKey, holder.secretKey), nonce }, 7, holder.publicKey, member)).toEqual(groupKey);
    const box = await sealGroupKey(groupKey, 7, member.publicKey, holder);
    expect(nacl.box.open(box.sealed, box.nonce, holder.publicKey, member.secretKey)).toEqual(plain);
  });

  it('makes our side once per key pair, ahead of need, and never generates a key to find out whether the platform can', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const generateKey = vi.spyOn(crypto.subtle, 'generateKey');
    try {
      const member = newKeyPair();
      const holders = [newKeyPair(), newKeyPair()];
      prepareBoxKey(member);
      const ours = await Promise.all(holders.map((h) => boxKey(h.publicKey, member.secretKey)));
      expect(ours).toEqual(holders.map((h) => nacl.box.before(h.publicKey, member.secretKey)));
      // Our secret imported once (when prepared), each of theirs once per box key.
      const formats = importKey.mock.calls.map(([format]) => format);
      expect(formats.filter((f) => f === 'pkcs8')).toHaveLength(1);
      expect(formats.filter((f) => f === 'raw')).toHaveLength(2);
      expect(generateKey).not.toHaveBeenCalled();
    } finally {
      importKey.mockRestore();
      generateKey.mockRestore();
    }
  });

  it('refuses a public key of small order, whose shared secret is zero for anyone: nothing is sealed to it, no box opens from it', async () => {
    const member = newKeyPair();
    const zero = new Uint8Array(32);
    await expect(boxKey(zero, member.secretKey)).rejects.toThrow();
    await expect(sealGroupKey(newGroupKey(), 0, zero, member)).rejects.toThrow();
    const forged = nacl.box(Uint8Array.from([0, ...newGroupKey()]), new Uint8Array(24), zero, newKeyPair().secretKey);
    expect(await openGroupKey({ sealed: forged, nonce: new Uint8Array(24) }, 0, zero, member)).toBeUndefined();
    await expect(boxKey(new Uint8Array(31), member.secretKey)).rejects.toThrow(RangeError);
  });
});

describe('proofs from the link’s secret', () => {
  it('vouch for one public key, one participant and one direction only', async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const key = newKeyPair().publicKey;
    const proof = await keyProof(secret, 'member', 'p-1', key);
    expect(KeyProof.safeParse(toBase64url(proof)).success).toBe(true);
    expect(await proofHolds(secret, 'member', 'p-1', key, proof)).toBe(true);
    // The server's own key in its place, another participant, the other direction, another link: no.
    expect(await proofHolds(secret, 'member', 'p-1', newKeyPair().publicKey, proof)).toBe(false);
    expect(await proofHolds(secret, 'member', 'p-2', key, proof)).toBe(false);
    expect(await proofHolds(secret, 'holder', 'p-1', key, proof)).toBe(false);
    expect(await proofHolds(crypto.getRandomValues(new Uint8Array(32)), 'member', 'p-1', key, proof)).toBe(false);
    expect(await proofHolds(secret, 'member', 'p-1', key, proof.subarray(0, 31))).toBe(false);
  });
});

describe('the safety code', () => {
  it('is six digits both sides compute alike, and differs when a key in between differs', async () => {
    const holder = newKeyPair().publicKey;
    const member = newKeyPair().publicKey;
    const code = await safetyCode(holder, member);
    expect(code).toMatch(/^\d{3} \d{3}$/);
    expect(await safetyCode(holder, member)).toBe(code);
    // A server that swapped in its own key shows the two people different codes.
    const codes = new Set([code]);
    for (let i = 0; i < 5; i++) codes.add(await safetyCode(holder, newKeyPair().publicKey));
    expect(codes.size).toBeGreaterThan(4);
    expect(await safetyCode(member, holder)).not.toBe(code);
  });
});
