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

/** NaCl's fixed HSalsa20 constant, "expand 32-byte k" (crypto_box_beforenm). */
const SIGMA = new TextEncoder().encode('expand 32-byte k');
/** A PKCS #8 X25519 private key is this prefix and the 32-byte secret (RFC 8410). */
const PKCS8_X25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

/** tweetnacl's HSalsa20, which it exports (`nacl.lowlevel`) but its typings leave out. */
interface NaclLowLevel {
  lowlevel: { crypto_core_hsalsa20(out: Uint8Array, input: Uint8Array, key: Uint8Array, constant: Uint8Array): number };
}

/**
 * Our side of boxKey for each secret key: the platform's key object for it (current Chromium,
 * Electron, Firefox, Safari and Node have X25519 in WebCrypto), or null where the platform has
 * none. Made once per key pair, and ahead of need (prepareBoxKey): a newcomer's page would
 * otherwise make it, and find out whether the platform can (by generating a key pair, 16-21 ms
 * of its thread on the bench), right as it is let in.
 */
const platformSecrets = new WeakMap<Uint8Array, Promise<CryptoKey | null>>();

function platformSecret(mySecretKey: Uint8Array): Promise<CryptoKey | null> {
  let made = platformSecrets.get(mySecretKey);
  if (!made) {
    const pkcs8 = new Uint8Array(PKCS8_X25519.byteLength + 32);
    pkcs8.set(PKCS8_X25519, 0);
    pkcs8.set(mySecretKey, PKCS8_X25519.byteLength);
    made = Promise.resolve()
      .then(() => crypto.subtle.importKey('pkcs8', pkcs8, { name: 'X25519' }, false, ['deriveBits']))
      // No X25519 here (the only way a well-formed 32-byte secret is refused): tweetnacl's.
      .catch(() => null)
      .finally(() => pkcs8.fill(0));
    platformSecrets.set(mySecretKey, made);
  }
  return made;
}

/** Makes our side of boxKey for `keys` now, so the first box opened or sealed with them does not wait for it. */
export function prepareBoxKey(keys: KeyPair): void {
  void platformSecret(keys.secretKey);
}

/**
 * The key a NaCl box between `theirPublicKey` and `mySecretKey` is sealed under, as tweetnacl's
 * `box.before` makes it (X25519, then HSalsa20), so boxes are the same bytes either way. The
 * X25519 step is the platform's own where it has one: tweetnacl's, in plain script, held a
 * newcomer's page 4 to 12 ms on an idle machine and ~50 ms on a busy one, right as it was let
 * in. Rejects a public key of small order, whose shared secret would be zero (tweetnacl would
 * seal under it; the platform refuses, and so does this).
 */
export async function boxKey(theirPublicKey: Uint8Array, mySecretKey: Uint8Array): Promise<Uint8Array> {
  if (theirPublicKey.byteLength !== 32 || mySecretKey.byteLength !== 32) throw new RangeError('X25519 keys are 32 bytes');
  const mine = await platformSecret(mySecretKey);
  if (!mine) return nacl.box.before(theirPublicKey, mySecretKey);
  const theirs = await crypto.subtle.importKey('raw', Uint8Array.from(theirPublicKey), { name: 'X25519' }, false, []);
  const shared = new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: theirs }, mine, 256));
  const key = new Uint8Array(32);
  (nacl as unknown as NaclLowLevel).lowlevel.crypto_core_hsalsa20(key, new Uint8Array(16), shared, SIGMA);
  shared.fill(0);
  return key;
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

/**
 * The most people who may take part by audio in the clear at once, and the most bytes their
 * participantIds take in a sealed box (docs/decisions.md, "An allowance the server cannot make").
 */
export const MAX_CLEAR_AUDIO = 8;
export const MAX_CLEAR_AUDIO_BYTES = 1040;

/** What a sealed box of the holder's carries: the group key, and who may take part by audio in the clear. */
export interface OpenedGroupKey {
  key: Uint8Array;
  /** The participantIds the holder lets take part by audio without encryption under this key (usually none). */
  clearAudio: string[];
}

/**
 * The group key of `epoch`, sealed by the holder to one member's public key. `clearAudio`
 * goes in the same box: the people the facilitator let take part by audio unencrypted, which
 * only the holder can say, so the server can neither claim nor hide it (no list: the box is
 * the 33 bytes it always was).
 */
export async function sealGroupKey(groupKey: Uint8Array, epoch: number, memberPublicKey: Uint8Array, holder: KeyPair, clearAudio: readonly string[] = []): Promise<SealedKey> {
  if (groupKey.byteLength !== 32) throw new RangeError('a group key is 32 bytes');
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 255) throw new RangeError('a key epoch is 0 to 255');
  const list = clearAudio.length > 0 ? new TextEncoder().encode(JSON.stringify(clearAudio)) : new Uint8Array(0);
  if (clearAudio.length > MAX_CLEAR_AUDIO || list.byteLength > MAX_CLEAR_AUDIO_BYTES) throw new RangeError('too many people in the clear');
  const nonce = nacl.randomBytes(nacl.box.nonceLength);
  const plain = new Uint8Array(33 + list.byteLength);
  plain[0] = epoch;
  plain.set(groupKey, 1);
  plain.set(list, 33);
  return { sealed: nacl.box.after(plain, nonce, await boxKey(memberPublicKey, holder.secretKey)), nonce };
}

/** The group key in a box sealed to `member` by `holderPublicKey`, if it opens and is of `epoch`. */
export async function openGroupKey(sealed: SealedKey, epoch: number, holderPublicKey: Uint8Array, member: KeyPair): Promise<Uint8Array | undefined> {
  return (await openGroupKeyBox(sealed, epoch, holderPublicKey, member))?.key;
}

/**
 * Opens a box on throwaway keys a few times, so that the script engine has compiled tweetnacl's
 * HSalsa20, Salsa20 and Poly1305 before a group key must be opened (openGroupKeyBox). Run cold,
 * at admission, those took ~15 ms of the page's thread at the very moment its first streams were
 * being set up; run here, while the person waits, nobody waits for them.
 */
export function warmUpKeyOpening(rounds = 16): void {
  const shared = new Uint8Array(32);
  const plain = new Uint8Array(1 + 32 + 64);
  const nonce = nacl.randomBytes(nacl.box.nonceLength);
  for (let i = 0; i < rounds; i++) {
    (nacl as unknown as NaclLowLevel).lowlevel.crypto_core_hsalsa20(shared, new Uint8Array(16), nacl.randomBytes(32), SIGMA);
    const sealed = nacl.box.after(plain, nonce, shared);
    if (!nacl.box.open.after(sealed, nonce, shared)) throw new Error('tweetnacl could not open its own box');
  }
  shared.fill(0);
}

/**
 * The group key and the list of people in the clear, from a box sealed to `member` by
 * `holderPublicKey`, if it opens, is of `epoch` and its list is well formed (else nothing:
 * a box the holder made is never malformed).
 */
export async function openGroupKeyBox(sealed: SealedKey, epoch: number, holderPublicKey: Uint8Array, member: KeyPair): Promise<OpenedGroupKey | undefined> {
  const shared = await boxKey(holderPublicKey, member.secretKey).catch(() => undefined);
  const plain = shared && nacl.box.open.after(sealed.sealed, sealed.nonce, shared);
  if (!plain || plain.byteLength < 33 || plain[0] !== epoch) return undefined;
  const key = plain.slice(1, 33);
  if (plain.byteLength === 33) return { key, clearAudio: [] };
  try {
    const list: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain.subarray(33)));
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CLEAR_AUDIO) return undefined;
    if (!list.every((id): id is string => typeof id === 'string' && id.length > 0 && id.length <= 128)) return undefined;
    return { key, clearAudio: list };
  } catch {
    return undefined;
  }
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
