/**
 * The search index's snapshot: what lets a vault of thousands of notes open and search in a
 * fraction of a second instead of decrypting and tokenizing every note.
 *
 * It is sealed like everything else in the vault (nacl.secretbox, a fresh nonce per write), under
 * a key of its own (the vault's index key, src/main/sealing.ts): the head (note numbering, the chunk directory and every note's list
 * fields) as one blob, each postings chunk as another, all bound to their part, to this vault
 * (a tag derived from its key-check record, which is unique per vault) and to the snapshot's
 * generation. A part moved from another vault, another key or another snapshot does not open.
 *
 * It is a cache, never the record: each note's entry carries the fingerprint of the sealed
 * list fields it was taken from (a hash of the blob, which every write renews through its
 * fresh nonce), and on open any note whose row no longer has that fingerprint is read from its own
 * row instead. So saves need not touch the snapshot at all, a crash between a save and the
 * next snapshot loses nothing, and a snapshot that is missing, damaged or of another format
 * only costs one full rebuild.
 */
import type { Database } from 'better-sqlite3';
import { createHash, hash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { createLogger } from '../../common/logger';
import { IndexFormatError, SearchIndex, type IndexSnapshot } from './searchIndex';
import { openBytes, sealBytes, type Binding } from '../sealing';

const log = createLogger('notes.index');

/**
 * Bumped when the head or chunk layout changes: an older snapshot is then rebuilt, not read.
 * 2: the head is deflated JSON sealed as bytes (1 sealed the JSON itself, 2.5× the bytes to open).
 */
export const SNAPSHOT_FORMAT = 2;

/** How the snapshot's parts are sealed: under the vault's index key (and, in the benchmark's plaintext baseline only, not at all). */
export interface SnapshotCodec {
  sealBytes(binding: Binding, bytes: Uint8Array): Uint8Array;
  openBytes(binding: Binding, blob: Uint8Array): Uint8Array;
}

export function sealedCodec(key: Uint8Array): SnapshotCodec {
  return {
    sealBytes: (binding, bytes) => sealBytes(key, binding, bytes),
    openBytes: (binding, blob) => openBytes(key, binding, blob),
  };
}

/*
 * The head is deflated before it is sealed. Opening it is most of what sealing costs at open
 * (tweetnacl opens about 30–50 MB/s here), and its JSON of ids, dates and titles deflates to
 * about 40 %, while inflating costs a few milliseconds. What compressing adds to what the
 * file reveals: the sealed head's length now depends on how repetitive the list fields are,
 * not only on how many notes there are and how long their fields are (which the notes' own
 * ciphertexts already show). Guessing text through that length would need someone who both
 * plants chosen titles and reads the file after each snapshot; the snapshot is written at
 * close and after 100 changes, never per save. The postings chunks are not compressed
 * (varints and bitmaps gain little).
 */
function packHead(head: Head): Uint8Array {
  return deflateRawSync(JSON.stringify(head), { level: 6 });
}

function unpackHead(bytes: Uint8Array): unknown {
  return JSON.parse(inflateRawSync(bytes).toString('utf8')) as unknown;
}

/** A vault's identity for binding: a hash of its key-check record (random nonce, one per vault). */
export function vaultTag(keyCheck: Uint8Array): string {
  return createHash('sha256').update(keyCheck).digest('hex').slice(0, 32);
}

/**
 * The fingerprint of a sealed blob: 128 bits of its SHA-256. A write renews it (fresh nonce),
 * and so does any damage to the blob, so a note whose row was altered after the snapshot is
 * read (and found damaged) from its row rather than listed from the snapshot.
 */
export function fingerprint(sealed: Uint8Array): string {
  // One-shot hash(): open fingerprints every note's row, and a Hash object per row cost ~25 % more.
  return hash('sha256', sealed, 'base64').slice(0, 22);
}

/** One note's list fields as the snapshot holds them. */
export interface SnapshotNote {
  id: string;
  fp: string;
  title: string;
  clientRefs: string[];
  serviceDate: string;
  updatedAt: string;
}

/** The head, compact: notes as tuples of [note number, fp, title, clientRefs, serviceDate, updatedAt]. */
interface Head {
  format: number;
  ids: string[];
  firstTerms: string[];
  notes: [number, string, string, string[], string, string][];
}

const headBinding = (tag: string, generation: number): Binding => ({ kind: 'index', id: `${tag}:head`, version: generation });
const chunkBinding = (tag: string, i: number, generation: number): Binding => ({ kind: 'index', id: `${tag}:chunk:${i}`, version: generation });

/** Replaces the vault's snapshot with this one, in one transaction. */
export function writeSnapshot(db: Database, codec: SnapshotCodec, tag: string, notes: readonly SnapshotNote[], index: IndexSnapshot): void {
  const numbers = new Map(index.ids.map((id, n) => [id, n] as const).filter(([id]) => id !== ''));
  const head: Head = {
    format: SNAPSHOT_FORMAT,
    ids: index.ids,
    firstTerms: index.firstTerms,
    notes: notes.map((s) => {
      const n = numbers.get(s.id);
      if (n === undefined) throw new Error(`note ${s.id} is listed but not numbered in the index`);
      return [n, s.fp, s.title, s.clientRefs, s.serviceDate, s.updatedAt];
    }),
  };
  db.transaction(() => {
    const last = db.prepare('SELECT max(generation) AS g FROM index_snapshot').get() as { g: number | null };
    const generation = (last.g ?? 0) + 1;
    db.prepare('DELETE FROM index_snapshot').run();
    const insert = db.prepare('INSERT INTO index_snapshot (part, generation, sealed) VALUES (?, ?, ?)');
    insert.run(0, generation, codec.sealBytes(headBinding(tag, generation), packHead(head)));
    index.chunks.forEach((bytes, i) => insert.run(i + 1, generation, codec.sealBytes(chunkBinding(tag, i, generation), bytes)));
  })();
}

function isHead(value: unknown): value is Head {
  const h = value as Partial<Head> | null;
  return (
    typeof h === 'object' && h !== null && h.format === SNAPSHOT_FORMAT &&
    Array.isArray(h.ids) && Array.isArray(h.firstTerms) && Array.isArray(h.notes) &&
    h.notes.every((t) => Array.isArray(t) && t.length === 6 && typeof t[0] === 'number' && typeof h.ids![t[0]] === 'string' && h.ids![t[0]] !== '' && Array.isArray(t[3]))
  );
}

/**
 * The vault's snapshot: every note's list fields by id and an index whose chunks open on
 * demand. Null when there is none, or it is damaged, foreign or of another format (logged;
 * the caller rebuilds). A chunk found damaged later throws SealError or IndexFormatError
 * from the index's search; the caller rebuilds then.
 */
export function readSnapshot(db: Database, codec: SnapshotCodec, tag: string): { notes: Map<string, SnapshotNote>; index: SearchIndex } | null {
  const parts = db.prepare('SELECT part, generation FROM index_snapshot ORDER BY part').all() as { part: number; generation: number }[];
  if (parts.length === 0) return null;
  const generation = parts[0]!.generation;
  const headRow = db.prepare('SELECT sealed FROM index_snapshot WHERE part = 0').get() as { sealed: Buffer } | undefined;
  let head: unknown;
  try {
    if (!headRow) throw new IndexFormatError('the snapshot has no head');
    // SealError (damaged, foreign, or sealed as format 1's JSON), or inflate/JSON errors (not a head).
    head = unpackHead(codec.openBytes(headBinding(tag, generation), headRow.sealed));
  } catch (err) {
    log.warn('index.snapshot.unusable', { reason: err instanceof Error ? err.name : 'unknown' });
    return null;
  }
  if (!isHead(head) || parts.length !== head.firstTerms.length + 1 || parts.some((p, i) => p.part !== i || p.generation !== generation)) {
    log.warn('index.snapshot.unusable', { reason: 'format' });
    return null;
  }
  const chunk = db.prepare('SELECT generation, sealed FROM index_snapshot WHERE part = ?');
  const index = new SearchIndex({
    ids: head.ids,
    firstTerms: head.firstTerms,
    loadChunk: (i) => {
      const row = chunk.get(i + 1) as { generation: number; sealed: Buffer } | undefined;
      if (!row || row.generation !== generation) throw new IndexFormatError(`index chunk ${i} is missing`);
      return codec.openBytes(chunkBinding(tag, i, generation), row.sealed);
    },
  });
  const notes = new Map<string, SnapshotNote>();
  for (const [n, fp, title, clientRefs, serviceDate, updatedAt] of head.notes) {
    const id = head.ids[n]!;
    notes.set(id, { id, fp, title, clientRefs, serviceDate, updatedAt });
  }
  return { notes, index };
}

/** An index over a snapshot just written, its chunks already in memory. */
export function indexOf(snapshot: IndexSnapshot): SearchIndex {
  return new SearchIndex({ ids: snapshot.ids, firstTerms: snapshot.firstTerms, loadChunk: (i) => snapshot.chunks[i]!, source: snapshot });
}
