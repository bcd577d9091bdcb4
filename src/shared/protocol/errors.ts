/**
 * Errors and the one result envelope, shared by WebSocket answers, the HTTP API and IPC. A new
 * error code goes in ERROR_CODES (and its meaning in docs/protocol.md).
 */
import { z } from 'zod';
import type { ErrorParams, ErrorParamsOf, ErrorReason, PlainErrorReason } from './errorReasons';

export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'ROOM_LOCKED',
  'REMOVED',
  'SESSION_ENDED',
  'MUTED_BY_FACILITATOR',
  /**
   * Another server sharing the database hosts this session now, or this one is draining:
   * `host` names the server to connect to instead (one of the fleet's).
   */
  'HOSTED_ELSEWHERE',
  'INTERNAL',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  /** With HOSTED_ELSEWHERE only: the http(s) base URL of the server to ask instead. */
  host: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Why, as a key from ERROR_REASONS (errorReasons.ts) for a client's own words. A string here,
   * not the enum: a newer server's reason must not make an older client's parse fail.
   */
  reason: z.string().regex(/^[a-z][a-z0-9-]*$/).max(64).optional(),
  /** The values the reason's words take (a count, a time), by name. */
  params: z
    .record(z.string().max(32), z.union([z.string().max(200), z.number()]))
    .refine((p) => Object.keys(p).length <= 8, 'at most 8 params')
    .optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Every HTTP API error answer's body. */
export const HttpErrorResponse = z.object({ error: ErrorBody });

/** The one result envelope, used by WebSocket responses and IPC alike. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** What an error carries beside its code and English message; a reason comes with the values its words take. */
export type ErrorDetails = { host?: string } & (
  | { reason?: undefined; params?: undefined }
  | { reason: PlainErrorReason; params?: undefined }
  | { [R in Exclude<ErrorReason, PlainErrorReason>]: { reason: R; params: ErrorParamsOf<R> } }[Exclude<ErrorReason, PlainErrorReason>]
);

/**
 * An error that carries a protocol code; thrown inside handlers, turned into envelopes at the
 * edge. One a person may see carries a `reason` (errorReasons.ts), which the console shows in its
 * own words; the English `message` is for logs and for clients that know no reasons.
 */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  /** With HOSTED_ELSEWHERE: where the session is (or will be) hosted. */
  readonly host: string | undefined;
  /** Why, for a client's words: one of ERROR_REASONS when thrown here, any string when received. */
  readonly reason: string | undefined;
  readonly params: ErrorParams | undefined;
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.host = details.host;
    this.reason = details.reason;
    this.params = details.params;
  }

  /** The envelope's error: code, message, and `host`, `reason` and `params` when there are. */
  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.host !== undefined ? { host: this.host } : {}),
      ...(this.reason !== undefined ? { reason: this.reason } : {}),
      ...(this.params !== undefined ? { params: this.params } : {}),
    };
  }

  /** From an envelope, keeping a reason this side may not know (it falls back to the code's words). */
  static fromBody(body: ErrorBody): ProtocolError {
    // A received reason is any string (a newer peer's, perhaps): it is carried, not checked here.
    const details = { host: body.host, reason: body.reason, params: body.params } as ErrorDetails;
    return new ProtocolError(body.code, body.message, details);
  }
}
