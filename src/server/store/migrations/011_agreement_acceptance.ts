/**
 * Migration 11: which version of the group agreement a client accepted (issue 20), on their
 * knock in the attendance record; the knock's time is when they accepted it. Rows from before
 * have none.
 */
import type { Database } from 'better-sqlite3';

export const version = 11;

export function up(db: Database): void {
  db.exec(`ALTER TABLE attendance_events ADD COLUMN agreement_version TEXT;`);
}
