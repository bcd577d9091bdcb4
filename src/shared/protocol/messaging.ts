/**
 * In-call messages: private ones between a client and the session's facilitators (`message`)
 * and the group's text channel (`groupMessage`, which the facilitators can turn off or
 * clear), each as one record, and what a message may say. Relayed, never stored. A new kind
 * of message between people in a call goes here.
 */
import { z } from 'zod';
import { BoxNonce, KeyEpoch } from './e2ee';
import { Done, NoData, type MethodRecord } from './method';
import { Id } from './values';

/** A private in-call message: relayed, never stored. */
export const MessageText = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'a message cannot be empty').max(2000, 'at most 2000 characters'));

/**
 * A private message sealed end to end (issue 19): `nacl.secretbox` under a key made from the
 * group key of `epoch`, over the text and who it is from and to, so the server can neither
 * read it nor pass it off as from someone else. Base64url; room for the longest text.
 */
export const SealedMessage = z.object({
  epoch: KeyEpoch,
  nonce: BoxNonce,
  box: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url')
    .min(22)
    .max(11_000),
});
export type SealedMessage = z.infer<typeof SealedMessage>;

/** What a message carries: its text, or (in an encrypted call) the text sealed. */
export const MessageBody = z.union([z.object({ text: MessageText }), z.object({ sealed: SealedMessage })]);
export type MessageBody = z.infer<typeof MessageBody>;

/** The `to` of a client's message. */
export const TO_FACILITATOR = 'facilitator';

/**
 * The `to` sealed inside a group message: what the sender wrote for everyone in the group.
 * A private message sealed to someone cannot be passed off as a group one, or back.
 */
export const TO_GROUP = 'group';

export const messagingMethods = {
  // A client writes to "facilitator", a facilitator to a participantId.
  message: {
    request: z.intersection(z.object({ to: Id }), MessageBody),
    result: Done,
    mayCall: { client: ['admitted'], facilitator: true },
  },
  /**
   * To everyone in the group but the sender (issue 20): always sealed under the group key,
   * from the sender's participantId to "group", so only those holding the key read it and
   * the server can neither read it nor pass it off as someone else's. Observers read, never
   * write. Refused with FORBIDDEN while the facilitators have the group chat off.
   */
  groupMessage: {
    request: z.object({ sealed: SealedMessage }),
    result: Done,
    mayCall: { client: ['admitted'], facilitator: true },
  },
  /** Turns the group chat on or off for everyone; everyone admitted hears `groupChat`. */
  setGroupChat: {
    request: z.object({ enabled: z.boolean() }),
    result: Done,
    mayCall: { facilitator: true },
  },
  /** Everyone admitted drops what the group chat showed (`groupChatCleared`); nothing was kept to delete. */
  clearGroupChat: {
    request: NoData,
    result: Done,
    mayCall: { facilitator: true },
  },
} satisfies Record<string, MethodRecord>;
