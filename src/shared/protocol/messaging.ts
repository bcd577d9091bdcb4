/**
 * In-call messages between a client and the session's facilitators: the `message` method's
 * record and what a message may say. Relayed, never stored. A new kind of message between
 * people in a call goes here.
 */
import { z } from 'zod';
import { Done, type MethodRecord } from './method';
import { Id } from './values';

/** A private in-call message: relayed, never stored. */
export const MessageText = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'a message cannot be empty').max(2000, 'at most 2000 characters'));

/** The `to` of a client's message. */
export const TO_FACILITATOR = 'facilitator';

export const messagingMethods = {
  // A client writes to "facilitator", a facilitator to a participantId.
  message: {
    request: z.object({ to: Id, text: MessageText }),
    result: Done,
    mayCall: { client: ['admitted'], facilitator: true },
  },
} satisfies Record<string, MethodRecord>;
