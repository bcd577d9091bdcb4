/**
 * What a PostgreSQL failure means for the caller, the counterpart of the SQLite codes that
 * storageErrors.ts reads. pg reports two kinds of failure: the server's own errors, which
 * carry a five-character SQLSTATE in `code`, and the driver's, when the connection itself
 * failed (a socket error with a Node `code` such as ECONNREFUSED, or a plain Error whose
 * message is all pg gives: "Connection terminated unexpectedly" and the like).
 */

/**
 * `unavailable`: the database cannot be reached or the connection was lost; `busy`: it is
 * there but refused this for now (a lock, a conflict, too many connections, a statement
 * over its time limit); `full`: it has no room to write.
 */
export type PostgresStorageProblem = 'unavailable' | 'busy' | 'full';

/** The driver's failures that mean the connection is gone (pg 8 gives these no code). */
const LOST_CONNECTION_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Query read timeout',
];

/** pg-pool's word for waiting past the connect timeout for a connection to come free: every one is busy. */
const POOL_EXHAUSTED_MESSAGE = 'timeout exceeded when trying to connect';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const BUSY_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '53300', // too_many_connections
  '57014', // query_canceled: the statement outran statement_timeout
]);

const UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown: the server is stopping, or an administrator ended the session
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
]);

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The SQLSTATE of a server error, if `err` is one. */
export function sqlState(err: unknown): string | undefined {
  const code = codeOf(err);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Whether `err` says the connection it came over is gone (so the client must not be reused). */
export function connectionLost(err: unknown): boolean {
  const state = sqlState(err);
  if (state !== undefined) return state.startsWith('08') || UNAVAILABLE_CODES.has(state);
  const code = codeOf(err);
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return LOST_CONNECTION_MESSAGES.some((m) => message.startsWith(m));
}

/** Classifies a failure from the PostgreSQL adapter; undefined for anything else (a bug, a constraint). */
export function postgresStorageError(err: unknown): PostgresStorageProblem | undefined {
  if (connectionLost(err)) return 'unavailable';
  const state = sqlState(err);
  if (state === undefined) return err instanceof Error && err.message === POOL_EXHAUSTED_MESSAGE ? 'busy' : undefined;
  if (BUSY_CODES.has(state)) return 'busy';
  if (state === '53100') return 'full'; // disk_full
  return undefined;
}

/** What of a pg error may be logged: its code, never its message (a message can quote values). */
export function errorCode(err: unknown): string {
  return codeOf(err) ?? (err instanceof Error ? err.name : typeof err);
}
