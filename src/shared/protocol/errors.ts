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
  /** Another server sharing the database hosts this session now; the message names where. */
  'HOSTED_ELSEWHERE',
  'INTERNAL',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({ code: ErrorCode, message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Every HTTP API error answer's body. */
export const HttpErrorResponse = z.object({ error: ErrorBody });

/** The one result envelope, used by WebSocket responses and IPC alike. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** An error that carries a protocol code; thrown inside handlers, turned into envelopes at the edge. */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
