/**
 * When the database cannot take a write: the disk (or the database's size limit) is full,
 * another process holds the write lock past the busy timeout, or (PostgreSQL) the database
 * cannot be reached. The caller gets a plain error saying so and that nothing was changed
 * (every write that must go with another runs in one transaction with it, so a failed write
 * leaves nothing half-done); the log gets the code. A database that comes back is used again
 * at once: nothing here is remembered.
 */
import { ProtocolError } from '../../shared/protocol.js';
import { errorCode, postgresStorageError } from './postgres/errors.js';

export const STORAGE_FULL_MESSAGE =
  'the server could not save this because its storage is full; nothing was changed. Please tell your administrator.';
export const STORAGE_BUSY_MESSAGE = 'the server is busy saving other work; nothing was changed. Please try again in a moment.';
export const STORAGE_UNAVAILABLE_MESSAGE =
  'the server cannot reach its database just now; nothing was changed. Please try again in a moment, and tell your administrator if it lasts.';

/** The SQLite result code of a database error, if `err` is one. */
function sqliteCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** A clear ProtocolError for a full or busy database; undefined for anything else. */
export function storageError(err: unknown): ProtocolError | undefined {
  const code = sqliteCode(err);
  if (code === undefined) {
    const problem = postgresStorageError(err);
    if (problem === 'full') return new ProtocolError('INTERNAL', STORAGE_FULL_MESSAGE, { reason: 'storage-full' });
    if (problem === 'busy') return new ProtocolError('INTERNAL', STORAGE_BUSY_MESSAGE, { reason: 'storage-busy' });
    if (problem === 'unavailable') return new ProtocolError('INTERNAL', STORAGE_UNAVAILABLE_MESSAGE, { reason: 'storage-unavailable' });
    return undefined;
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) return new ProtocolError('INTERNAL', STORAGE_FULL_MESSAGE, { reason: 'storage-full' });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new ProtocolError('INTERNAL', STORAGE_BUSY_MESSAGE, { reason: 'storage-busy' });
  return undefined;
}

/** Logs fields for a storage error: the code only. */
export function storageErrorCode(err: unknown): string | undefined {
  return sqliteCode(err) ?? (postgresStorageError(err) ? errorCode(err) : undefined);
}
