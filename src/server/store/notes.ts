/**
 * Progress notes as the server keeps them: each note's latest version, sealed whole under
 * the records key, and every signed version in a history. Writes are compare-and-set on the
 * version, so two consoles (or two server processes) racing on one note cannot both win.
 */
import type { Database } from 'better-sqlite3';
import { Note } from '../../shared/notes.js';
import type { RecordSealer } from './recordSealer.js';

export interface NoteRepo {
  byId(id: string): Note | undefined;
  /**
   * Stores `note` as the latest version if the server still holds `expectedVersion`
   * (0: none yet). False when someone got there first. Signed versions join the history.
   */
  put(note: Note, expectedVersion: number, storedAt: Date): boolean;
  /** The author's notes stored at or after `since`, oldest first. */
  byAuthor(authorId: string, since?: Date): Note[];
  /** Notes of these authors awaiting co-signature, stored at or after `since`, oldest first. */
  awaitingCosign(authorIds: readonly string[], since?: Date): Note[];
  /** Every signed version of a note, oldest first. */
  history(id: string): Note[];
}

interface NoteRow {
  id: string;
  version: number;
  note_sealed: Buffer;
}

/** What a sealed note is bound to: its id and version. */
export const noteContext = (id: string, version: number): string => `note\n${id}\n${version}`;

const EPOCH = new Date(0);

export function createNoteRepo(db: Database, sealer: RecordSealer): NoteRepo {
  const selectById = db.prepare<[string], NoteRow>(`SELECT id, version, note_sealed FROM notes WHERE id = ?`);
  const insert = db.prepare(
    `INSERT INTO notes (id, author_id, version, status, updated_at, note_sealed) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  );
  const update = db.prepare(
    `UPDATE notes SET version = ?, status = ?, updated_at = ?, note_sealed = ? WHERE id = ? AND version = ? AND author_id = ?`,
  );
  const insertVersion = db.prepare(
    `INSERT OR IGNORE INTO note_versions (note_id, version, status, stored_at, note_sealed) VALUES (?, ?, ?, ?, ?)`,
  );
  const selectByAuthor = db.prepare<[string, string], NoteRow>(
    `SELECT id, version, note_sealed FROM notes WHERE author_id = ? AND updated_at >= ? ORDER BY updated_at, id`,
  );
  const selectAwaiting = db.prepare<[string, string], NoteRow>(
    `SELECT id, version, note_sealed FROM notes WHERE status = 'awaiting-cosign' AND author_id = ? AND updated_at >= ? ORDER BY updated_at, id`,
  );
  const selectHistory = db.prepare<[string], NoteRow>(
    `SELECT note_id AS id, version, note_sealed FROM note_versions WHERE note_id = ? ORDER BY version`,
  );

  const open = (row: NoteRow): Note => {
    const note = Note.parse(JSON.parse(sealer.open(row.note_sealed, noteContext(row.id, row.version))));
    if (note.id !== row.id || note.version !== row.version) throw new Error('a sealed note does not match its row');
    return note;
  };

  const put = db.transaction((note: Note, expectedVersion: number, storedAt: Date): boolean => {
    const sealed = sealer.seal(JSON.stringify(note), noteContext(note.id, note.version));
    const at = storedAt.toISOString();
    const changed =
      expectedVersion === 0
        ? insert.run(note.id, note.authorId, note.version, note.status, at, sealed).changes
        : update.run(note.version, note.status, at, sealed, note.id, expectedVersion, note.authorId).changes;
    if (changed !== 1) return false;
    if (note.signature) {
      insertVersion.run(note.id, note.version, note.status, at, sealer.seal(JSON.stringify(note), noteContext(note.id, note.version)));
    }
    return true;
  });

  return {
    byId(id) {
      const row = selectById.get(id);
      return row ? open(row) : undefined;
    },
    put: (note, expectedVersion, storedAt) => put(note, expectedVersion, storedAt),
    byAuthor: (authorId, since = EPOCH) => selectByAuthor.all(authorId, since.toISOString()).map(open),
    awaitingCosign(authorIds, since = EPOCH) {
      const rows = authorIds.flatMap((a) => selectAwaiting.all(a, since.toISOString()));
      return rows.map(open);
    },
    history: (id) => selectHistory.all(id).map(open),
  };
}
