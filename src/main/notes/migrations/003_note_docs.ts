/**
 * Migration 3: each note's sealed body moves out of the `notes` row into `note_docs`.
 *
 * Opening a vault reads every row of `notes` (clear columns and sealed list fields, to check
 * each against the index snapshot). With the ~4 KB sealed body in the same row, each row's
 * head sat on its own leaf page between its body's overflow pages: for 10,000 notes the scan
 * walked ~2,500 leaf pages scattered through the file. Without it the rows are a few hundred
 * bytes and pack into ~900 pages. The body is read only when a note is opened, saved or
 * indexed, by its id.
 *
 * Every note keeps its body: the rows are copied before the column is dropped, in the same
 * transaction as the version bump (migrate.ts), so a failure leaves schema 2 untouched. The
 * sealed bytes are copied as they are (they are bound to the note id and version, not to the
 * table), and the index snapshot stays valid (it fingerprints the list fields, which do not move).
 */
import type { Database } from 'better-sqlite3';

export const version = 3;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE note_docs (
      id         TEXT PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
      doc_sealed BLOB NOT NULL
    );
    INSERT INTO note_docs (id, doc_sealed) SELECT id, doc_sealed FROM notes;
    ALTER TABLE notes DROP COLUMN doc_sealed;
  `);
}
