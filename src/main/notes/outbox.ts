/**
 * What the vault owes the server and what the server holds that conflicts with it: the
 * outbox (one entry per note with unsynced changes, written in the same transaction as the
 * save that made it) and the sealed server copies of conflicting notes, kept until the
 * clinician chooses.
 *
 * What belongs here: the `outbox` and `conflicts` tables. When a save or a server copy writes
 * the note itself, noteVault.ts composes it with the rows (rows.ts) in one transaction.
 */
import type { Database, Statement } from 'better-sqlite3';
import { Note } from '../../shared/notes';
import { ProtocolError } from '../../shared/protocol';
import { open, seal } from '../sealing';
import type { OutboxEntry } from './types';

const ENTRY_COLUMNS = 'id, version, base_version AS baseVersion, attempts, not_before AS notBefore';

export class Outbox {
  private readonly stmt: Record<
    'put' | 'get' | 'waiting' | 'ids' | 'delete' | 'rebase' | 'failed' | 'conflictIds' | 'conflictGet' | 'conflictPut' | 'conflictDelete',
    Statement
  >;

  constructor(
    db: Database,
    private readonly key: Uint8Array,
  ) {
    this.stmt = {
      put: db.prepare(
        `INSERT INTO outbox (id, version, base_version, attempts, not_before) VALUES (?, ?, ?, 0, 0)
         ON CONFLICT(id) DO UPDATE SET version = excluded.version, base_version = excluded.base_version, attempts = 0, not_before = 0`,
      ),
      get: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM outbox WHERE id = ?`),
      waiting: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM outbox WHERE id NOT IN (SELECT id FROM conflicts) ORDER BY not_before, id`),
      ids: db.prepare('SELECT id FROM outbox'),
      delete: db.prepare('DELETE FROM outbox WHERE id = ?'),
      rebase: db.prepare('UPDATE outbox SET base_version = max(base_version, ?) WHERE id = ?'),
      failed: db.prepare('UPDATE outbox SET attempts = attempts + 1, not_before = ? WHERE id = ? AND version = ?'),
      conflictIds: db.prepare('SELECT id FROM conflicts'),
      conflictGet: db.prepare('SELECT version, sealed FROM conflicts WHERE id = ?'),
      conflictPut: db.prepare('INSERT OR REPLACE INTO conflicts (id, version, sealed) VALUES (?, ?, ?)'),
      conflictDelete: db.prepare('DELETE FROM conflicts WHERE id = ?'),
    };
  }

  /** A new version waits to go out, edited from `baseVersion` (the version the server holds). */
  put(id: string, version: number, baseVersion: number): void {
    this.stmt.put.run(id, version, baseVersion);
  }

  has(id: string): boolean {
    return this.stmt.get.get(id) !== undefined;
  }

  /** What is waiting, soonest first; notes in conflict wait for the clinician instead. */
  waiting(): OutboxEntry[] {
    return this.stmt.waiting.all() as OutboxEntry[];
  }

  /** Notes with unsynced changes, and notes in conflict: each list entry's sync state. */
  syncStates(): { pending: Set<string>; conflicted: Set<string> } {
    const ids = (stmt: Statement) => new Set((stmt.all() as { id: string }[]).map((r) => r.id));
    return { pending: ids(this.stmt.ids), conflicted: ids(this.stmt.conflictIds) };
  }

  delete(id: string): void {
    this.stmt.delete.run(id);
  }

  /** The server now holds `version`: its entry is done, unless a newer one was saved meanwhile. */
  synced(id: string, version: number): void {
    const entry = this.stmt.get.get(id) as OutboxEntry | undefined;
    if (!entry) return;
    // Saved again while this version was on its way: the newer one still waits, now based on it.
    if (entry.version === version) this.stmt.delete.run(id);
    else if (entry.version > version) this.stmt.rebase.run(version, id);
  }

  failed(id: string, version: number, retryAt: number): void {
    this.stmt.failed.run(retryAt, id, version);
  }

  /** Keeps the server's copy of a note that conflicts with ours, sealed like a note. */
  putConflict(id: string, theirs: Note): void {
    this.stmt.conflictPut.run(id, theirs.version, seal(this.key, { kind: 'conflict', id, version: theirs.version }, theirs));
  }

  conflictOf(id: string): Note | null {
    const row = this.stmt.conflictGet.get(id) as { version: number; sealed: Buffer } | undefined;
    if (!row) return null;
    try {
      return Note.parse(open(this.key, { kind: 'conflict', id, version: row.version }, row.sealed));
    } catch {
      throw new ProtocolError('CONFLICT', "The server's copy of this note is damaged on this computer; sync again to fetch it.", { reason: 'note-server-copy-damaged' });
    }
  }

  deleteConflict(id: string): void {
    this.stmt.conflictDelete.run(id);
  }
}
