/**
 * Migration 12: a client's private check-in rating (issue 20), on their knock in the
 * attendance record, sealed under the records key like the name beside it. Rows from before
 * have none.
 */
import type { Database } from 'better-sqlite3';

export const version = 12;

export function up(db: Database): void {
  db.exec(`ALTER TABLE attendance_events ADD COLUMN rating_sealed BLOB;`);
}
