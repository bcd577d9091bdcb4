/**
 * The shape of one signaling method's record: its request schema, its result schema, and who
 * may call it after hello in which state. The area modules (session, media, messaging,
 * moderation) write their methods in this shape; methods.ts gathers them into the one table
 * that the method names, the request and result types and the authorization table
 * (authorization.ts) are derived from. Also the two schemas methods of every area share:
 * no data, and an answer that says only that it was done.
 */
import { z } from 'zod';
import type { ParticipantState } from './values';

/**
 * Who may call a method once their hello has been answered; whoever is not named may not.
 * The server adds per-object checks on top (a transport must be the caller's own, a
 * moderation target a client of this session).
 */
export interface WhoMayCall {
  /** The states in which a client may call it. */
  client?: readonly ParticipantState[];
  /** A facilitator of the session. */
  facilitator?: true;
  /** A supervisor watching the session. */
  observer?: true;
}

export interface MethodRecord {
  /** What the server validates the frame's `data` against before anything runs. */
  request: z.ZodType;
  /** What the server answers; the client's result type is read from it. */
  result: z.ZodType;
  mayCall: WhoMayCall;
}

/** A method that takes no data: `{}`, and nothing else is accepted. */
export const NoData = z.object({}).strict();

/** A method whose answer says only that it was done: `{}`. */
export const Done = z.object({});
