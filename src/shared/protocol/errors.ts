/**
 * Errors and the one result envelope, shared by WebSocket answers, the HTTP API and IPC. A new
 * error code goes in ERROR_CODES (and its meaning in docs/protocol.md).
 */
import { z } from 'zod';

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
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Every HTTP API error answer's body. */
export const HttpErrorResponse = z.object({ error: ErrorBody });

/** The one result envelope, used by WebSocket responses and IPC alike. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** An error that carries a protocol code; thrown inside handlers, turned into envelopes at the edge. */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  /** With HOSTED_ELSEWHERE: where the session is (or will be) hosted. */
  readonly host: string | undefined;
  constructor(code: ErrorCode, message: string, host?: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.host = host;
  }

  /** The envelope's error: code, message, and `host` when there is one. */
  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.host !== undefined ? { host: this.host } : {}) };
  }

  static fromBody(body: ErrorBody): ProtocolError {
    return new ProtocolError(body.code, body.message, body.host);
  }
}
