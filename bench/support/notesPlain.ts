/**
 * The plaintext baseline of bench/notes.ts: the vault's schema and transactions without
 * sealing. The same migrations (bodies in `note_docs`), WAL, the same outbox write in the same
 * transaction, the same index design (searchIndex.ts with its snapshot, indexSnapshot.ts,
 * deflated head included), and the same caches as the vault: the last write of each of the
 * 16 most recently saved notes is kept parsed, and the next save compares the row's bytes with
 * it instead of parsing them again (the vault's `recent` map, notes/rows.ts). JSON and raw
 * bytes where the vault has sealed blobs.
 */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fingerprint, readSnapshot, writeSnapshot, type SnapshotCodec, type SnapshotNote } from '../../src/main/notes/indexSnapshot';
import { migrateVault } from '../../src/main/notes/migrate';
import { searchableTexts, SearchIndex } from '../../src/main/notes/searchIndex';
import type { Note, NoteBody } from '../../src/shared/notes';
import { author } from './notesData';

/** As the vault keeps (RECENT_NOTES in notes/rows.ts). */
const RECENT_NOTES = 16;

export function openPlain(path: string, synchronous: 'FULL' | 'NORMAL'): Database {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  migrateVault(db, null); // the schema: the reseal under purpose keys (migration 4) changes no table
  return db;
}

type PlainMeta = { title: string; clientRefs: string[]; serviceDate: string; updatedAt: string };

export function plainStore(db: Database) {
  // The vault's layout (migration 3): list fields in `notes`, the body in `note_docs`.
  const insert = db.prepare(`INSERT INTO notes (id, version, status, template, author_id, session_id, synced_version, meta_sealed) VALUES (?, ?, ?, ?, ?, ?, 0, ?)`);
  const select = db.prepare('SELECT n.*, d.doc_sealed FROM notes n LEFT JOIN note_docs d ON d.id = n.id WHERE n.id = ?');
  const update = db.prepare('UPDATE notes SET version = ?, meta_sealed = ? WHERE id = ?');
  const putDoc = db.prepare('INSERT INTO note_docs (id, doc_sealed) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc_sealed = excluded.doc_sealed');
  const outbox = db.prepare(`INSERT INTO outbox (id, version, base_version) VALUES (?, ?, 0) ON CONFLICT(id) DO UPDATE SET version = excluded.version, attempts = 0, not_before = 0`);
  const meta = (n: Note) => Buffer.from(JSON.stringify({ title: n.body.title, clientRefs: n.body.clientRefs, serviceDate: n.serviceDate, createdAt: n.createdAt, updatedAt: n.updatedAt }));
  const recent = new Map<string, { meta: Buffer; doc: Buffer; note: Note }>();
  const write = (n: Note, first: boolean): void => {
    const m = meta(n);
    const doc = Buffer.from(JSON.stringify(n));
    if (first) insert.run(n.id, n.version, n.status, n.template, n.authorId, n.sessionId, m);
    else update.run(n.version, m, n.id);
    putDoc.run(n.id, doc);
    outbox.run(n.id, n.version);
    recent.delete(n.id);
    recent.set(n.id, { meta: m, doc, note: structuredClone(n) });
    if (recent.size > RECENT_NOTES) recent.delete(recent.keys().next().value!);
  };
  return {
    create: db.transaction((n: Note) => write(n, true)),
    save: db.transaction((id: string, body: NoteBody) => {
      const row = select.get(id) as { meta_sealed: Buffer; doc_sealed: Buffer };
      const cached = recent.get(id);
      const n = cached && cached.meta.equals(row.meta_sealed) && cached.doc.equals(row.doc_sealed) ? cached.note : (JSON.parse(row.doc_sealed.toString()) as Note);
      write({ ...n, body, version: n.version + 1, updatedAt: new Date().toISOString() }, false);
    }),
  };
}

export function plainNote(body: NoteBody): Note {
  const at = new Date().toISOString();
  return { id: randomUUID(), version: 1, template: 'dap', authorId: author.id, sessionId: null, serviceDate: '2026-11-02', status: 'draft', body, signature: null, cosignature: null, returnComment: null, addenda: [], createdAt: at, updatedAt: at };
}

/** The snapshot's parts in the clear: the baseline's only difference from the vault's. */
const plainCodec: SnapshotCodec = {
  sealBytes: (_b, bytes) => bytes,
  openBytes: (_b, blob) => blob,
};

/** What closing the vault does: every note indexed, the snapshot written. */
export function plainWriteSnapshot(path: string): void {
  const db = new BetterSqlite3(path);
  const index = new SearchIndex();
  const notes: SnapshotNote[] = [];
  for (const r of db.prepare('SELECT id, meta_sealed, doc_sealed FROM notes JOIN note_docs USING (id)').iterate() as IterableIterator<{ id: string; meta_sealed: Buffer; doc_sealed: Buffer }>) {
    const n = JSON.parse(r.doc_sealed.toString()) as Note;
    index.set(r.id, searchableTexts(n.body, n.addenda));
    const m = JSON.parse(r.meta_sealed.toString()) as PlainMeta;
    notes.push({ id: r.id, fp: fingerprint(r.meta_sealed), title: m.title, clientRefs: m.clientRefs, serviceDate: m.serviceDate, updatedAt: m.updatedAt });
  }
  writeSnapshot(db, plainCodec, 'plain', notes, index.snapshot());
  db.close();
}

/** The vault's open + list({query}) on plaintext: the same reads, checks, search, filter and sort. */
export function plainOpenAndSearch(path: string, query: string): { ms: number; hits: number } {
  const t = performance.now();
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  migrateVault(db, null); // the schema: the reseal under purpose keys (migration 4) changes no table
  const snapshot = readSnapshot(db, plainCodec, 'plain');
  if (!snapshot) throw new Error('the plaintext baseline has no snapshot');
  const summaries = new Map<string, PlainMeta & { id: string; sessionId: string | null }>();
  for (const r of db.prepare('SELECT id, version, status, template, author_id, session_id, meta_sealed FROM notes').all() as { id: string; session_id: string | null; meta_sealed: Buffer }[]) {
    const known = snapshot.notes.get(r.id);
    const meta = known && known.fp === fingerprint(r.meta_sealed) ? known : (JSON.parse(r.meta_sealed.toString()) as PlainMeta);
    summaries.set(r.id, { id: r.id, sessionId: r.session_id, title: meta.title, clientRefs: meta.clientRefs, serviceDate: meta.serviceDate, updatedAt: meta.updatedAt });
  }
  const pending = new Set((db.prepare('SELECT id FROM outbox').all() as { id: string }[]).map((r) => r.id));
  const conflicted = new Set((db.prepare('SELECT id FROM conflicts').all() as { id: string }[]).map((r) => r.id));
  const hits = snapshot.index.search(query);
  const found = [...summaries.values()]
    .filter((s) => hits.has(s.id))
    .map((s) => ({ ...s, sync: conflicted.has(s.id) ? 'conflict' : pending.has(s.id) ? 'pending' : 'synced' }))
    .sort((a, b) => (a.serviceDate !== b.serviceDate ? (a.serviceDate < b.serviceDate ? 1 : -1) : a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
  const ms = performance.now() - t;
  db.close();
  return { ms, hits: found.length };
}
