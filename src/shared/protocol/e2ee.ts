/**
 * Keys for end-to-end encrypted calls (issue 19), relayed by the server, never readable by it:
 * everyone in a call announces an ephemeral X25519 public key of their own (`publishKey`,
 * with a proof made from the secret in their invitation link's fragment where they have one);
 * the session's facilitators hear them (`memberKey`, `memberKeys`); the console holding the
 * group key seals it to each admitted person's public key and the server passes the sealed box
 * on (`sendGroupKey` → `groupKey`), to admitted people only. Values are base64url, unpadded.
 */
import { z } from 'zod';
import { Done, NoData, type MethodRecord } from './method';
import { Id } from './values';

const base64url = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url')
    .length(Math.ceil((bytes * 4) / 3));
const base64urlBetween = (min: number, max: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url')
    .min(Math.ceil((min * 4) / 3))
    .max(Math.ceil((max * 4) / 3));

/** An X25519 public key (32 bytes). */
export const PublicKey = base64url(32);
/** An HMAC-SHA-256 proof (32 bytes) from the invitation link's secret. */
export const KeyProof = base64url(32);
/** Which console made a link's secret (8 bytes): the link's fragment carries it beside the secret. */
export const LinkIssuer = base64url(8);
/** A NaCl box nonce (24 bytes). */
export const BoxNonce = base64url(24);
/**
 * The sealed group key: a NaCl box of its epoch and its 32 bytes (49 bytes sealed), and, when
 * the facilitator lets someone take part by audio unencrypted, the JSON list of their
 * participantIds after them (up to 1040 bytes more; client/e2ee/keys.ts).
 */
export const SealedGroupKey = base64urlBetween(49, 49 + 1040);
/** Which group key: counts up with every change, wrapping at 256. */
export const KeyEpoch = z.number().int().min(0).max(255);

/**
 * What someone announces: their public key; with a link secret, its proof and which console
 * made that secret (`issuer`); and `cannotEncrypt` when their browser has no encoded
 * transforms, so the facilitator sees why they get no key.
 */
export const KeyAnnouncement = z.object({
  publicKey: PublicKey,
  proof: KeyProof.optional(),
  issuer: LinkIssuer.optional(),
  cannotEncrypt: z.literal(true).optional(),
});
export type KeyAnnouncement = z.infer<typeof KeyAnnouncement>;

export const MemberKey = KeyAnnouncement.extend({ participantId: Id });
export type MemberKey = z.infer<typeof MemberKey>;

export const GroupKey = z.object({
  /** The facilitator's participantId. */
  from: Id,
  epoch: KeyEpoch,
  sealed: SealedGroupKey,
  nonce: BoxNonce,
  /** The public key the box was sealed with, and its proof for this client's link. */
  holderKey: PublicKey,
  holderProof: KeyProof.optional(),
});
export type GroupKey = z.infer<typeof GroupKey>;

/**
 * A group key sealed by the holder for one person, as the holder sends it: by `sendGroupKey`,
 * or with that person's admission (`admit`, `admitAll`), so that it reaches them in the same
 * message that lets them in (the server names the sender: `from`).
 */
export const SealedKey = GroupKey.omit({ from: true });
export type SealedKey = z.infer<typeof SealedKey>;

export const e2eeMethods = {
  // A fresh key pair on every connection: a resumed or reconnected person announces again.
  publishKey: {
    request: KeyAnnouncement,
    result: Done,
    mayCall: { client: ['check-in', 'waiting', 'admitted'], facilitator: true, observer: true },
  },
  // The keys announced so far in this room (a facilitator's console that joins late, or again).
  memberKeys: {
    request: NoData,
    result: z.object({ keys: z.array(MemberKey) }),
    mayCall: { facilitator: true },
  },
  // The group key sealed to one admitted person's public key; refused for anyone waiting.
  sendGroupKey: {
    request: SealedKey.extend({ to: Id }),
    result: Done,
    mayCall: { facilitator: true },
  },
  /**
   * A facilitator lets a client whose browser cannot encrypt take part by audio in the clear,
   * or no longer. This only lets the server route clear audio (roomMedia.ts): what members
   * send and play in the clear follows the holder's sealed word alone (client/e2ee/keys.ts),
   * so a server that says it on its own changes nothing anyone sends.
   */
  allowClearAudio: {
    request: z.object({ participantId: Id, allowed: z.boolean() }),
    result: Done,
    mayCall: { facilitator: true },
  },
} satisfies Record<string, MethodRecord>;
