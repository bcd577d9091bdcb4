/**
 * The note vault: save a 4 KB note (p50, p99) and open + full-text search over 10,000 notes,
 * each next to the same operations on plaintext SQLite in the same run: the same schema
 * (the vault's migrations: bodies in `note_docs`), WAL, synchronous=FULL, the same outbox
 * write in the same transaction, the same note texts, the same index design (searchIndex.ts
 * with its snapshot, indexSnapshot.ts, deflated head included), but JSON and raw bytes
 * instead of sealed blobs. So each ratio is what sealing costs. The key store is in memory
 * (this is not a benchmark of the keychain). Not a test: it prints figures and never fails on them.
 *
 * "Open + search" is from opening the vault file to the first search's result list: unlock,
 * read the sealed snapshot's head, check every note's row against it, open the index chunks
 * the query needs, filter and sort the list. The vault holds a current snapshot, as it does
 * after any close; the cost without one (a rebuild, once) and with notes saved since the
 * snapshot (a crash) are printed as `#` lines.
 */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fingerprint, readSnapshot, writeSnapshot, type SnapshotCodec, type SnapshotNote } from '../src/main/notes/indexSnapshot';
import { migrateVault } from '../src/main/notes/migrate';
import { vaultPath } from '../src/main/notes/noteVault';
import { searchableTexts, SearchIndex } from '../src/main/notes/searchIndex';
import { createMemoryKeyStore, openVault } from '../src/main/notes/vault';
import { emptyBody, type Note, type NoteBody } from '../src/shared/notes';

const NOTES = 10_000;
const SAVES = 1_000;
const WARMUP = 100;
const ACCOUNT = 'bench@http://127.0.0.1';
const author = { id: 'c-bench', name: 'Bench' };

// A vocabulary large enough that the index looks like a real one; deterministic.
let seed = 42;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'te', 'vo', 'zi', 'pa', 'de', 'gu', 'ho', 'ji', 'be', 'fo'];
const vocabulary = Array.from({ length: 3000 }, () => Array.from({ length: 2 + Math.floor(rand() * 3) }, () => syllables[Math.floor(rand() * syllables.length)]).join(''));
const words = (n: number): string => Array.from({ length: n }, () => vocabulary[Math.floor(rand() * vocabulary.length)]).join(' ');

/** About 4 KB of note text over the DAP sections. */
function body4k(i: number): NoteBody {
  return { ...emptyBody('dap'), title: `Session ${i} ${words(3)}`, clientRefs: [`IOP-${i % 300}`], sections: { data: words(350), assessment: words(150), plan: words(100) } };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function timeEach(n: number, fn: (i: number) => void): number[] {
  for (let i = 0; i < WARMUP; i++) fn(i);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn(i);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

function bench(name: string, value: number, baseline: number): void {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  console.log(`BENCH ${JSON.stringify({ name, value: r(value), unit: 'ms', baseline: r(baseline), ratio: r(value / baseline) })}`);
}

// ---- the plaintext baseline: the vault's schema and transactions, without sealing -----------

function openPlain(path: string, synchronous: 'FULL' | 'NORMAL'): Database {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  migrateVault(db);
  return db;
}

function plainStore(db: Database) {
  // The vault's layout (migration 3): list fields in `notes`, the body in `note_docs`.
  const insert = db.prepare(`INSERT INTO notes (id, version, status, template, author_id, session_id, synced_version, meta_sealed) VALUES (?, ?, ?, ?, ?, ?, 0, ?)`);
  const select = db.prepare('SELECT n.*, d.doc_sealed FROM notes n LEFT JOIN note_docs d ON d.id = n.id WHERE n.id = ?');
  const update = db.prepare('UPDATE notes SET version = ?, meta_sealed = ? WHERE id = ?');
  const putDoc = db.prepare('INSERT INTO note_docs (id, doc_sealed) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc_sealed = excluded.doc_sealed');
  const outbox = db.prepare(`INSERT INTO outbox (id, version, base_version) VALUES (?, ?, 0) ON CONFLICT(id) DO UPDATE SET version = excluded.version, attempts = 0, not_before = 0`);
  const meta = (n: Note) => Buffer.from(JSON.stringify({ title: n.body.title, clientRefs: n.body.clientRefs, serviceDate: n.serviceDate, createdAt: n.createdAt, updatedAt: n.updatedAt }));
  return {
    create: db.transaction((n: Note) => {
      insert.run(n.id, n.version, n.status, n.template, n.authorId, n.sessionId, meta(n));
      putDoc.run(n.id, Buffer.from(JSON.stringify(n)));
      outbox.run(n.id, n.version);
    }),
    save: db.transaction((id: string, body: NoteBody) => {
      const row = select.get(id) as { doc_sealed: Buffer };
      const n = JSON.parse(row.doc_sealed.toString()) as Note;
      const next = { ...n, body, version: n.version + 1, updatedAt: new Date().toISOString() };
      update.run(next.version, meta(next), id);
      putDoc.run(id, Buffer.from(JSON.stringify(next)));
      outbox.run(id, next.version);
    }),
  };
}

function plainNote(body: NoteBody): Note {
  const at = new Date().toISOString();
  return { id: randomUUID(), version: 1, template: 'dap', authorId: author.id, sessionId: null, serviceDate: '2026-11-02', status: 'draft', body, signature: null, cosignature: null, returnComment: null, addenda: [], createdAt: at, updatedAt: at };
}

/** The snapshot's parts in the clear: the baseline's only difference from the vault's. */
const plainCodec: SnapshotCodec = {
  sealBytes: (_b, bytes) => bytes,
  openBytes: (_b, blob) => blob,
};
type PlainMeta = { title: string; clientRefs: string[]; serviceDate: string; updatedAt: string };

/** What closing the vault does: every note indexed, the snapshot written. */
function plainWriteSnapshot(path: string): void {
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
function plainOpenAndSearch(path: string, query: string): { ms: number; hits: number } {
  const t = performance.now();
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  migrateVault(db);
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'confidant-bench-notes-'));
  try {
    const keyStore = createMemoryKeyStore();
    const bodies = Array.from({ length: 64 }, (_, i) => body4k(i));
    console.log(`# a note body is ${Buffer.byteLength(JSON.stringify(bodies[0]))} bytes of JSON`);

    // -- save a 4 KB draft -------------------------------------------------------------
    const vault = await openVault({ dir: join(dir, 'sealed'), account: ACCOUNT, keyStore });
    let note = vault.create({ template: 'dap', sessionId: null, serviceDate: '2026-11-02', body: bodies[0]! }, author);
    const sealedSaves = timeEach(SAVES, (i) => {
      note = vault.saveDraft(note.id, bodies[i % bodies.length]!, note.version);
    });
    const plainDb = openPlain(join(dir, 'plain.sqlite'), 'FULL');
    const plain = plainStore(plainDb);
    const p = plainNote(bodies[0]!);
    plain.create(p);
    const plainSaves = timeEach(SAVES, (i) => plain.save(p.id, bodies[i % bodies.length]!));
    bench('note_save_p50', percentile(sealedSaves, 50), percentile(plainSaves, 50));
    bench('note_save_p99', percentile(sealedSaves, 99), percentile(plainSaves, 99));

    // What synchronous=FULL costs over NORMAL, on the plaintext store (DESIGN: measure both).
    const normalDb = openPlain(join(dir, 'plain-normal.sqlite'), 'NORMAL');
    const normal = plainStore(normalDb);
    const q = plainNote(bodies[0]!);
    normal.create(q);
    const normalSaves = timeEach(SAVES, (i) => normal.save(q.id, bodies[i % bodies.length]!));
    console.log(`# plaintext save with synchronous=NORMAL: p50 ${percentile(normalSaves, 50).toFixed(3)} ms, p99 ${percentile(normalSaves, 99).toFixed(3)} ms (FULL: ${percentile(plainSaves, 50).toFixed(3)} / ${percentile(plainSaves, 99).toFixed(3)} ms)`);
    normalDb.close();

    // -- open + full-text search over 10,000 notes --------------------------------------
    const seedStart = performance.now();
    for (let i = 1; i < NOTES; i++) {
      // The same text in both stores, so both searches find the same notes.
      const b = body4k(i);
      vault.create({ template: 'dap', sessionId: null, serviceDate: '2026-11-02', body: b }, author);
      plain.create(plainNote(b));
    }
    console.log(`# seeded ${NOTES} notes in each store in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    let t0 = performance.now();
    vault.close(); // writes the sealed snapshot (tokenizing the notes written since it was opened)
    console.log(`# closing the vault after seeding (index ${NOTES} notes, seal and write the snapshot): ${(performance.now() - t0).toFixed(0)} ms`);
    plainDb.close();
    plainWriteSnapshot(join(dir, 'plain.sqlite'));

    const query = vocabulary[7]!;
    // Alternating runs, median of 9: on a shared machine single runs swing several-fold.
    const runs = 9;
    const sealedRuns: number[] = [];
    const plainRuns: number[] = [];
    // This process's CPU time per run, beside the wall time: it moves far less with other load.
    const sealedCpu: number[] = [];
    const plainCpu: number[] = [];
    const cpuMs = (since: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(since);
      return (used.user + used.system) / 1000;
    };
    let sealedHits = 0;
    let plainHits = 0;
    for (let r = 0; r < runs; r++) {
      let cpu = process.cpuUsage();
      const t = performance.now();
      const v = await openVault({ dir: join(dir, 'sealed'), account: ACCOUNT, keyStore });
      sealedHits = v.list({ query }).length;
      sealedRuns.push(performance.now() - t);
      sealedCpu.push(cpuMs(cpu));
      v.close();
      cpu = process.cpuUsage();
      const b = plainOpenAndSearch(join(dir, 'plain.sqlite'), query);
      plainCpu.push(cpuMs(cpu));
      plainRuns.push(b.ms);
      plainHits = b.hits;
    }
    console.log(`# query "${query}": ${sealedHits} notes (plaintext: ${plainHits}); runs sealed ${sealedRuns.map((x) => x.toFixed(0)).join('/')} ms, plain ${plainRuns.map((x) => x.toFixed(0)).join('/')} ms`);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`# open + search CPU time (median of ${runs}): sealed ${median(sealedCpu).toFixed(0)} ms, plain ${median(plainCpu).toFixed(0)} ms, ratio ${(median(sealedCpu) / median(plainCpu)).toFixed(2)}`);
    bench('notes_open_and_search_10k', median(sealedRuns), median(plainRuns));

    // Notes saved since the snapshot (say the console was killed): each is read from its row.
    const STALE = 200;
    // A crash image: the files as they are on disk after 200 acknowledged saves and before the
    // close that would have written a new snapshot.
    const writer = await openVault({ dir: join(dir, 'sealed'), account: ACCOUNT, keyStore });
    for (const s of writer.list().slice(0, STALE)) writer.saveDraft(s.id, body4k(NOTES + 1), s.version);
    const crashed = join(dir, 'crashed');
    mkdirSync(crashed);
    for (const suffix of ['', '-wal']) copyFileSync(vaultPath(join(dir, 'sealed'), ACCOUNT) + suffix, vaultPath(crashed, ACCOUNT) + suffix);
    writer.close();
    t0 = performance.now();
    const stale = await openVault({ dir: crashed, account: ACCOUNT, keyStore });
    const staleHits = stale.list({ query }).length;
    console.log(`# open + search with ${STALE} notes saved since the snapshot (a crash image): ${(performance.now() - t0).toFixed(0)} ms, ${staleHits} notes`);
    stale.close();

    // No snapshot at all (a vault from before it existed, or one found damaged): rebuilt once,
    // by the index worker. A search at once waits for it.
    const sealedPath = vaultPath(join(dir, 'sealed'), ACCOUNT);
    const dropSnapshot = () => {
      const raw = new BetterSqlite3(sealedPath);
      raw.prepare('DELETE FROM index_snapshot').run();
      raw.close();
    };
    dropSnapshot();
    t0 = performance.now();
    const cold = await openVault({ dir: join(dir, 'sealed'), account: ACCOUNT, keyStore });
    const opened = performance.now() - t0;
    const coldHits = cold.list({ query }).length;
    console.log(`# without a snapshot: open ${opened.toFixed(0)} ms, then a search at once (waits for the index worker to decrypt and index every note) ${(performance.now() - t0 - opened).toFixed(0)} ms, ${coldHits} notes`);
    cold.close();
    // The same with no search: how long main's event loop is held while the worker rebuilds
    // and main then writes the new snapshot.
    dropSnapshot();
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    t0 = performance.now();
    const background = await openVault({ dir: join(dir, 'sealed'), account: ACCOUNT, keyStore });
    const watcher = new BetterSqlite3(sealedPath, { readonly: true });
    const parts = watcher.prepare('SELECT count(*) AS n FROM index_snapshot');
    while ((parts.get() as { n: number }).n === 0) await new Promise((r) => setTimeout(r, 20));
    const ready = performance.now() - t0;
    stalls.disable();
    watcher.close();
    const t1 = performance.now();
    const warmHits = background.list({ query }).length;
    console.log(`# without a snapshot, no search meanwhile: new snapshot written ${(ready / 1000).toFixed(1)} s after open; main's longest event-loop stall meanwhile ${(stalls.max / 1e6).toFixed(0)} ms; then a search ${(performance.now() - t1).toFixed(0)} ms, ${warmHits} notes`);
    background.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
