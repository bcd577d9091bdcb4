/**
 * Migration 16: which language's version of the group agreement a client accepted (issue 23),
 * beside the version on their knock. Rows from before have none; they were all English.
 */
import type { Database } from 'better-sqlite3';

export const version = 16;

export function up(db: Database): void {
  db.exec(`ALTER TABLE attendance_events ADD COLUMN agreement_language TEXT;`);
}
