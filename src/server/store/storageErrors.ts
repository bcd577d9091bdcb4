/**
 * When the database cannot take a write: the disk (or the database's size limit) is full, or
 * another process holds the write lock past the busy timeout. The caller gets a plain error
 * saying so and that nothing was changed (every write that must go with another runs in one
 * transaction with it, so a failed write leaves nothing half-done); the log gets the code.
 */
import { ProtocolError } from '../../shared/protocol.js';

export const STORAGE_FULL_MESSAGE =
  'the server could not save this because its storage is full; nothing was changed. Please tell your administrator.';
export const STORAGE_BUSY_MESSAGE = 'the server is busy saving other work; nothing was changed. Please try again in a moment.';

/** The SQLite result code of a database error, if `err` is one. */
function sqliteCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** A clear ProtocolError for a full or busy database; undefined for anything else. */
export function storageError(err: unknown): ProtocolError | undefined {
  const code = sqliteCode(err);
  if (code === undefined) return undefined;
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) return new ProtocolError('INTERNAL', STORAGE_FULL_MESSAGE);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new ProtocolError('INTERNAL', STORAGE_BUSY_MESSAGE);
  return undefined;
}

/** Logs fields for a storage error: the code only. */
export function storageErrorCode(err: unknown): string | undefined {
  return sqliteCode(err);
}
