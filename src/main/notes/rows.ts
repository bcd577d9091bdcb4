/**
 * The vault's note rows: the prepared statements over `notes` and `note_docs`, sealing and
 * opening a note's two blobs (its list fields and the whole note), and what main keeps in
 * memory about them: every note's list fields (the list opens without touching bodies), the
 * fingerprint of the sealed list fields each came from (indexSnapshot.ts), the notes found
 * damaged, and the last sealed write of a few notes (the autosave path).
 *
 * What belongs here: reading and writing one note's rows and these caches of them. Lifecycle
 * decisions (noteVault.ts), the outbox (outbox.ts) and the index (indexer.ts) are elsewhere.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Note, NoteStatus, NoteSummary } from '../../shared/notes';
import { ProtocolError } from '../../shared/protocol';
import { createLogger } from '../../common/logger';
import { fingerprint } from './indexSnapshot';
import { checkRow, openNoteRow, ROWS_WITH_DOC, type SealedNoteRow } from './rebuild';
import { open, seal, SealError } from '../sealing';

const log = createLogger('notes.vault');

const DAMAGED_DATE = '0000-00-00';
/** Notes whose last sealed write is kept decrypted for the next save (a few editors open at once). */
const RECENT_NOTES = 16;

/** A note's list fields, sealed apart from its body so the list opens without bodies. */
interface Meta {
  title: string;
  clientRefs: string[];
  serviceDate: string;
  createdAt: string;
  updatedAt: string;
}

export interface NoteRow extends SealedNoteRow {
  synced_version: number;
}

/** A note's clear columns and sealed list fields: what open reads of every note. */
export type NoteHead = Pick<NoteRow, 'id' | 'version' | 'status' | 'template' | 'author_id' | 'session_id' | 'meta_sealed'>;

/** A list entry before its sync state is known (that is the outbox's). */
export type Summary = Omit<NoteSummary, 'sync'>;

/** The clear columns of a row, as a summary names them. */
export function clearFields(row: Omit<NoteHead, 'meta_sealed'>) {
  return {
    id: row.id,
    version: row.version,
    template: row.template as Summary['template'],
    authorId: row.author_id,
    sessionId: row.session_id,
    status: row.status as NoteStatus,
  };
}

export class NoteRows {
  /** Every note's list fields, by id. */
  readonly summaries = new Map<string, Summary>();
  /** The fingerprint of the sealed list fields each summary came from (indexSnapshot.ts). */
  readonly fingerprints = new Map<string, string>();
  /** Notes whose body was found damaged since open. */
  readonly damaged = new Set<string>();
  /** The notes this vault sealed last, with the exact bytes it wrote (the autosave path; docOf). */
  private readonly recent = new Map<string, { meta: Buffer; doc: Buffer; note: Note }>();
  /** The fingerprint of each note's newest sealed write, until its commit is remembered. */
  private readonly written = new Map<string, string>();
  private readonly stmt: Record<'row' | 'heads' | 'withDocs' | 'insert' | 'update' | 'putDoc' | 'syncedVersion', Statement>;

  constructor(
    db: Database,
    private readonly key: Uint8Array,
  ) {
    this.stmt = {
      row: db.prepare(`${ROWS_WITH_DOC} WHERE n.id = ?`),
      // Open reads only this: no body (note_docs), so a row is a few hundred bytes.
      heads: db.prepare('SELECT id, version, status, template, author_id, session_id, meta_sealed FROM notes'),
      withDocs: db.prepare(ROWS_WITH_DOC),
      insert: db.prepare(
        `INSERT INTO notes (id, version, status, template, author_id, session_id, synced_version, meta_sealed)
         VALUES (@id, @version, @status, @template, @authorId, @sessionId, @syncedVersion, @meta)`,
      ),
      update: db.prepare(
        `UPDATE notes SET version = @version, status = @status, template = @template, author_id = @authorId,
           session_id = @sessionId, synced_version = @syncedVersion, meta_sealed = @meta WHERE id = @id`,
      ),
      // An upsert, so a write also restores a body row that went missing.
      putDoc: db.prepare(
        `INSERT INTO note_docs (id, doc_sealed) VALUES (@id, @doc) ON CONFLICT(id) DO UPDATE SET doc_sealed = excluded.doc_sealed`,
      ),
      syncedVersion: db.prepare('UPDATE notes SET synced_version = ? WHERE id = ?'),
    };
  }

  /** Every note's clear columns and sealed list fields (no bodies). */
  heads(): NoteHead[] {
    return this.stmt.heads.all() as NoteHead[];
  }

  /** Every note's row with its body, one at a time (a rebuild of the index). */
  withDocs(): IterableIterator<NoteRow> {
    return this.stmt.withDocs.iterate() as IterableIterator<NoteRow>;
  }

  find(id: string): NoteRow | undefined {
    return this.stmt.row.get(id) as NoteRow | undefined;
  }

  rowOf(id: string): NoteRow {
    const row = this.find(id);
    if (!row) throw new ProtocolError('NOT_FOUND', 'No such note.', { reason: 'note-not-found' });
    return row;
  }

  setSyncedVersion(id: string, version: number): void {
    this.stmt.syncedVersion.run(version, id);
  }

  /** A row's list entry from its sealed list fields; a row that does not open is listed as damaged. */
  summaryOf(row: NoteHead): Summary {
    const clear = clearFields(row);
    try {
      const meta = open(this.key, { kind: 'meta', id: row.id, version: row.version }, row.meta_sealed) as Meta;
      return { ...clear, title: meta.title, clientRefs: meta.clientRefs, serviceDate: meta.serviceDate, updatedAt: meta.updatedAt, damaged: false };
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      log.warn('note.damaged', { noteId: row.id, part: 'meta' });
      return { ...clear, title: '', clientRefs: [], serviceDate: DAMAGED_DATE, updatedAt: '', damaged: true };
    }
  }

  /** Reads a row's list entry into the list, with the fingerprint of what it was read from. */
  listFrom(row: NoteHead): void {
    this.summaries.set(row.id, this.summaryOf(row));
    this.fingerprints.set(row.id, fingerprint(row.meta_sealed));
  }

  /**
   * Opens a row's sealed note and checks the clear columns agree with it. `allowRecent`: the
   * caller only reads the note (never hands it out), so the recent-write cache may answer.
   */
  docOf(row: NoteRow, allowRecent = false): Note {
    const recent = allowRecent ? this.recent.get(row.id) : undefined;
    if (recent && row.doc_sealed && recent.meta.equals(row.meta_sealed) && recent.doc.equals(row.doc_sealed)) {
      // Exactly the bytes this vault sealed from this note: opening them would give it back.
      checkRow(recent.note, row);
      return recent.note;
    }
    return openNoteRow(this.key, row);
  }

  /** Seals and writes one version of a note (the caller's transaction holds the outbox entry with it). */
  write(note: Note, opts: { insert: boolean; syncedVersion: number }): void {
    const meta: Meta = {
      title: note.body.title,
      clientRefs: note.body.clientRefs,
      serviceDate: note.serviceDate,
      createdAt: note.createdAt,
      updatedAt: note.updatedAt,
    };
    const params = {
      id: note.id,
      version: note.version,
      status: note.status,
      template: note.template,
      authorId: note.authorId,
      sessionId: note.sessionId,
      syncedVersion: opts.syncedVersion,
      meta: seal(this.key, { kind: 'meta', id: note.id, version: note.version }, meta),
      doc: seal(this.key, { kind: 'doc', id: note.id, version: note.version }, note),
    };
    if (opts.insert) this.stmt.insert.run(params);
    else this.stmt.update.run(params);
    this.stmt.putDoc.run(params);
    this.written.set(note.id, fingerprint(params.meta));
    // The next autosave of this note compares bytes instead of decrypting them (docOf). A private
    // copy: the caller gets `note` and may change it.
    this.recent.delete(note.id);
    this.recent.set(note.id, { meta: params.meta, doc: params.doc, note: structuredClone(note) });
    if (this.recent.size > RECENT_NOTES) this.recent.delete(this.recent.keys().next().value!);
  }

  /** After a commit: the in-memory list follows the database. */
  remember(note: Note): void {
    const fp = this.written.get(note.id);
    this.written.delete(note.id);
    if (fp) this.fingerprints.set(note.id, fp);
    this.summaries.set(note.id, {
      id: note.id,
      version: note.version,
      template: note.template,
      authorId: note.authorId,
      sessionId: note.sessionId,
      serviceDate: note.serviceDate,
      status: note.status,
      updatedAt: note.updatedAt,
      title: note.body.title,
      clientRefs: note.body.clientRefs,
      damaged: false,
    });
    this.damaged.delete(note.id);
  }

  isDamaged(summary: Summary): boolean {
    return summary.damaged || this.damaged.has(summary.id);
  }

  /** Forgets every decrypted thing it holds (the vault closes). */
  clear(): void {
    this.summaries.clear();
    this.fingerprints.clear();
    this.recent.clear();
  }
}
