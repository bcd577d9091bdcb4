/**
 * Migration 14: which console workstation an audited act came from (issue 20's breach report),
 * on every audit entry from now on; entries from before have none, and hash as they did.
 */
import type { Database } from 'better-sqlite3';

export const version = 14;

export function up(db: Database): void {
  db.exec(`ALTER TABLE audit_log ADD COLUMN device_id TEXT;`);
}
