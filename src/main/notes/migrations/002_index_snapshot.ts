/**
 * Migration 2: where the search index's snapshot lives (indexSnapshot.ts). Part 0 is the head
 * (note numbering, the chunk directory, each note's list fields and the fingerprint of the
 * sealed row they came from); parts 1..n are the postings chunks. Every part is sealed under
 * the vault key and bound to its part number and the snapshot's generation, so parts of two
 * snapshots never mix. The snapshot is a cache: deleting every row loses nothing (the vault
 * rebuilds it from the notes).
 */
import type { Database } from 'better-sqlite3';

export const version = 2;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE index_snapshot (
      part       INTEGER PRIMARY KEY CHECK (part >= 0),
      generation INTEGER NOT NULL,
      sealed     BLOB NOT NULL
    );
  `);
}
