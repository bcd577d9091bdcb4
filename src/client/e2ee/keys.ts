/**
 * The key exchange of end-to-end encrypted calls (issue 19), the same in the participant page
 * and the console: each person makes an X25519 key pair for each connection (tweetnacl's box,
 * the library the console's vault already uses); the facilitator's console seals the group
 * key to each admitted person's public key, with the key's epoch inside the box so nobody in
 * between can relabel it; proofs made from the secret in an invitation link's fragment (which
 * never reaches a server) tie a public key to that link, one for each direction; and a short
 * safety code, made from both public keys, is what the facilitator and the client read to each
 * other when the proofs are not there (a link from before this work, a co-facilitator's
 * console that did not issue the link).
 */
import nacl from 'tweetnacl';
import { fromBase64url, toBase64url } from './base64url';

export { fromBase64url, toBase64url };

export interface KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** A fresh key pair for this connection. */
export function newKeyPair(): KeyPair {
  return nacl.box.keyPair();
}

/** A fresh group key (32 random bytes). */
export function newGroupKey(): Uint8Array {
  return nacl.randomBytes(32);
}

/** Whose key a proof vouches for: a member's to the facilitator, or the facilitator's to a member. */
export type ProofPurpose = 'member' | 'holder';

/**
 * HMAC-SHA-256 under the link's secret over what the proof vouches for: its purpose, the
 * participant it is for, and the public key, so a proof works for nothing else.
 */
export async function keyProof(linkSecret: Uint8Array, purpose: ProofPurpose, participantId: string, publicKey: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', linkSecret as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const label = new TextEncoder().encode(`confidant ${purpose} key\n${participantId}\n`);
  const message = new Uint8Array(label.byteLength + publicKey.byteLength);
  message.set(label, 0);
  message.set(publicKey, label.byteLength);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, message));
}

/** Whether `proof` vouches for `publicKey` as `purpose` for `participantId` (in constant time). */
export async function proofHolds(linkSecret: Uint8Array, purpose: ProofPurpose, participantId: string, publicKey: Uint8Array, proof: Uint8Array): Promise<boolean> {
  const expected = await keyProof(linkSecret, purpose, participantId, publicKey);
  return proof.byteLength === expected.byteLength && nacl.verify(proof, expected);
}

export interface SealedKey {
  sealed: Uint8Array;
  nonce: Uint8Array;
}

/** The group key of `epoch`, sealed by the holder to one member's public key. */
export function sealGroupKey(groupKey: Uint8Array, epoch: number, memberPublicKey: Uint8Array, holder: KeyPair): SealedKey {
  if (groupKey.byteLength !== 32) throw new RangeError('a group key is 32 bytes');
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 255) throw new RangeError('a key epoch is 0 to 255');
  const nonce = nacl.randomBytes(nacl.box.nonceLength);
  const plain = new Uint8Array(33);
  plain[0] = epoch;
  plain.set(groupKey, 1);
  return { sealed: nacl.box(plain, nonce, memberPublicKey, holder.secretKey), nonce };
}

/** The group key in a box sealed to `member` by `holderPublicKey`, if it opens and is of `epoch`. */
export function openGroupKey(sealed: SealedKey, epoch: number, holderPublicKey: Uint8Array, member: KeyPair): Uint8Array | undefined {
  const plain = nacl.box.open(sealed.sealed, sealed.nonce, holderPublicKey, member.secretKey);
  if (!plain || plain.byteLength !== 33 || plain[0] !== epoch) return undefined;
  return plain.slice(1);
}

/**
 * The code both people read aloud to check that nobody sits between them: six digits from
 * SHA-256 over both public keys (the facilitator's first), shown as "123 456". A server
 * that put its own key in between would make each side see a different code.
 */
export async function safetyCode(holderPublicKey: Uint8Array, memberPublicKey: Uint8Array): Promise<string> {
  const label = new TextEncoder().encode('confidant safety code\n');
  const message = new Uint8Array(label.byteLength + 64);
  message.set(label, 0);
  message.set(holderPublicKey, label.byteLength);
  message.set(memberPublicKey, label.byteLength + 32);
  const digest = new DataView(await crypto.subtle.digest('SHA-256', message));
  const code = String(digest.getUint32(0) % 1_000_000).padStart(6, '0');
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}
