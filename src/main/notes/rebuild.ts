/**
 * Opening a note's sealed row, and building the search index from every row: shared by the
 * vault on main's thread and the index worker (indexWorker.ts), which rebuilds a vault's index
 * off main's thread when it has no usable snapshot.
 */
import { Note } from '../../shared/notes';
import { searchableTexts, SearchIndex, type IndexSnapshot } from './searchIndex';
import { open, SealError } from '../sealing';

/**
 * The index worker's state in its shared Int32 (indexWorker.ts): loading its modules, running
 * (main may wait for it), or answered (the result is on its port).
 */
export const WORKER_LOADING = 0;
export const WORKER_RUNNING = 1;
export const WORKER_ANSWERED = 2;

/** A note's row with its sealed body (migration 3 keeps bodies in `note_docs`). */
export interface SealedNoteRow {
  id: string;
  version: number;
  status: string;
  template: string;
  author_id: string;
  session_id: string | null;
  meta_sealed: Buffer;
  /** Null when the body row is missing, which makes the note damaged. */
  doc_sealed: Buffer | null;
}

/** Every note's row with its body; a body row that went missing reads as null. */
export const ROWS_WITH_DOC = `SELECT n.id, n.version, n.status, n.template, n.author_id, n.session_id, n.synced_version, n.meta_sealed, d.doc_sealed
  FROM notes n LEFT JOIN note_docs d ON d.id = n.id`;

/**
 * Opens a row's sealed note (list fields and body) and checks the clear columns agree with
 * it. Throws SealError when anything does not open, belongs to another row or disagrees.
 */
export function openNoteRow(key: Uint8Array, row: SealedNoteRow): Note {
  if (!row.doc_sealed) throw new SealError('the note has no body');
  // The list fields must open too: a row whose metadata was altered is not trusted as a whole.
  open(key, { kind: 'meta', id: row.id, version: row.version }, row.meta_sealed);
  const raw = open(key, { kind: 'doc', id: row.id, version: row.version }, row.doc_sealed);
  const parsed = Note.safeParse(raw);
  if (!parsed.success) throw new SealError('the sealed note is not a valid note');
  checkRow(parsed.data, row);
  return parsed.data;
}

/** The clear columns are copies for SQL: they must say what the sealed note says. */
export function checkRow(note: Note, row: SealedNoteRow): void {
  if (note.id !== row.id || note.version !== row.version || note.status !== row.status || note.template !== row.template ||
      note.authorId !== row.author_id || note.sessionId !== row.session_id) {
    throw new SealError('the note does not match its row');
  }
}

/** Every note decrypted and indexed, straight into the compact snapshot form; damaged notes are left out and named. */
export function rebuildFromRows(key: Uint8Array, rows: Iterable<SealedNoteRow>): { snapshot: IndexSnapshot; damaged: string[] } {
  const index = new SearchIndex();
  const damaged: string[] = [];
  for (const row of rows) {
    try {
      const note = openNoteRow(key, row);
      index.set(row.id, searchableTexts(note.body, note.addenda));
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      damaged.push(row.id);
    }
  }
  // SearchIndex.snapshot builds sorted arrays directly: far quicker than the overlay's sets.
  return { snapshot: index.snapshot(), damaged };
}
