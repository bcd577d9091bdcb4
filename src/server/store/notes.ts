/**
 * Progress notes as the server keeps them: each note's latest version, sealed whole under
 * the records key, and every signed version in a history. Writes are compare-and-set on the
 * version, so two consoles (or two server processes) racing on one note cannot both win.
 */
import { Note } from '../../shared/notes.js';
import type { RecordSealer } from './recordSealer.js';
import { anyOf, type Sql } from './sql.js';

export interface NoteRepo {
  byId(id: string): Promise<Note | undefined>;
  /**
   * Stores `note` as the latest version if the server still holds `expectedVersion`
   * (0: none yet). False when someone got there first. Signed versions join the history.
   */
  put(note: Note, expectedVersion: number, storedAt: Date): Promise<boolean>;
  /** The author's notes stored at or after `since`, oldest first. */
  byAuthor(authorId: string, since?: Date): Promise<Note[]>;
  /** Notes of these authors awaiting co-signature, stored at or after `since`, oldest first. */
  awaitingCosign(authorIds: readonly string[], since?: Date): Promise<Note[]>;
  /** Every signed version of a note, oldest first. */
  history(id: string): Promise<Note[]>;
}

interface NoteRow {
  id: string;
  version: number;
  note_sealed: Buffer;
}

/** What a sealed note is bound to: its id and version. */
export const noteContext = (id: string, version: number): string => `note\n${id}\n${version}`;

const EPOCH = new Date(0);

export function createNoteRepo(sql: Sql, sealer: RecordSealer): NoteRepo {
  const open = (row: NoteRow): Note => {
    const note = Note.parse(JSON.parse(sealer.open(row.note_sealed, noteContext(row.id, row.version))));
    if (note.id !== row.id || note.version !== row.version) throw new Error('a sealed note does not match its row');
    return note;
  };

  return {
    async byId(id) {
      const row = await sql.one<NoteRow>(`SELECT id, version, note_sealed FROM notes WHERE id = ?`, [id]);
      return row ? open(row) : undefined;
    },
    put: (note, expectedVersion, storedAt) =>
      sql.transaction(async (tx) => {
        const sealed = sealer.seal(JSON.stringify(note), noteContext(note.id, note.version));
        const at = storedAt.toISOString();
        const changed =
          expectedVersion === 0
            ? await tx.run(
                `INSERT INTO notes (id, author_id, version, status, updated_at, note_sealed) VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO NOTHING`,
                [note.id, note.authorId, note.version, note.status, at, sealed],
              )
            : await tx.run(
                `UPDATE notes SET version = ?, status = ?, updated_at = ?, note_sealed = ? WHERE id = ? AND version = ? AND author_id = ?`,
                [note.version, note.status, at, sealed, note.id, expectedVersion, note.authorId],
              );
        if (changed !== 1) return false;
        if (note.signature) {
          await tx.run(
            `INSERT INTO note_versions (note_id, version, status, stored_at, note_sealed) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
            [note.id, note.version, note.status, at, sealer.seal(JSON.stringify(note), noteContext(note.id, note.version))],
          );
        }
        return true;
      }),
    byAuthor: async (authorId, since = EPOCH) =>
      (
        await sql.all<NoteRow>(`SELECT id, version, note_sealed FROM notes WHERE author_id = ? AND updated_at >= ? ORDER BY updated_at, id`, [
          authorId,
          since.toISOString(),
        ])
      ).map(open),
    async awaitingCosign(authorIds, since = EPOCH) {
      const authors = anyOf(sql.dialect, 'author_id', authorIds);
      const rows = await sql.all<NoteRow>(
        `SELECT id, version, note_sealed FROM notes WHERE status = 'awaiting-cosign' AND ${authors.condition} AND updated_at >= ?
         ORDER BY updated_at, id`,
        [authors.param, since.toISOString()],
      );
      return rows.map(open);
    },
    history: async (id) =>
      (await sql.all<NoteRow>(`SELECT note_id AS id, version, note_sealed FROM note_versions WHERE note_id = ? ORDER BY version`, [id])).map(open),
  };
}
