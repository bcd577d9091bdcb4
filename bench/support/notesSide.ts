/**
 * One side of bench/notes.ts in a process of its own, driven over IPC: `sealed` (the note
 * vault, its key held by keytar in the OS keychain, as the console has it) or `plain` (the
 * plaintext store of notesPlain.ts). The driver sends the same requests to both, in
 * alternating order, and only one side works at a time.
 */
import type { Database } from 'better-sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { indexWorkerFromSource } from '../../tests/support/indexWorkerFromSource';
import { createKeytarKeyStore, openVault, vaultPath } from '../../src/main/notes/vault';
import type { NoteVault } from '../../src/main/notes/types';
import type { Note } from '../../src/shared/notes';
import { author, body4k, NOTES, SAVE_BODIES } from './notesData';
import type { DriverToSide, Side, SideToDriver } from './notesMessages';
import { openPlain, plainNote, plainOpenAndSearch, plainStore, plainWriteSnapshot } from './notesPlain';

const side = process.argv[2] as Side;
if (side !== 'sealed' && side !== 'plain') throw new Error(`usage: notesSide.ts sealed|plain (got ${String(side)})`);

const send = (m: SideToDriver): void => {
  process.send?.(m);
};
const keyStore = createKeytarKeyStore();
const bodies = Array.from({ length: SAVE_BODIES }, (_, i) => body4k(i));

async function openUnlocked(dir: string, account: string): Promise<NoteVault> {
  const vault = await openVault({ dir, account, keyStore, indexWorker: indexWorkerFromSource });
  const state = vault.status();
  if (state.state !== 'unlocked') {
    vault.close();
    throw new Error(`the vault is locked (${state.message}); run the bench under scripts/with-keyring.sh (npm run bench does)`);
  }
  return vault;
}

function timeEach(n: number, fn: (i: number) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

// The save stores: on the sealed side a vault, on the plaintext side one with FULL and one with NORMAL.
let vault: NoteVault | null = null;
let note: Note | null = null;
let plainSaves: Record<'FULL' | 'NORMAL', { db: Database; save: (id: string, b: Note['body']) => void; id: string }> | null = null;
let saved = 0;

async function handle(m: DriverToSide): Promise<SideToDriver | null> {
  switch (m.type) {
    case 'prepareSaves': {
      if (side === 'sealed') {
        vault = await openUnlocked(m.dir, m.account);
        note = vault.create({ template: 'dap', sessionId: null, serviceDate: '2026-11-02', body: bodies[0]! }, author);
      } else {
        mkdirSync(m.dir, { recursive: true });
        const make = (sync: 'FULL' | 'NORMAL') => {
          const db = openPlain(join(m.dir, `plain-${sync.toLowerCase()}.sqlite`), sync);
          const store = plainStore(db);
          const n = plainNote(bodies[0]!);
          store.create(n);
          return { db, save: store.save, id: n.id };
        };
        plainSaves = { FULL: make('FULL'), NORMAL: make('NORMAL') };
      }
      return { type: 'prepared', bodyBytes: Buffer.byteLength(JSON.stringify(bodies[0])) };
    }
    case 'saves': {
      const next = () => bodies[saved++ % bodies.length]!;
      if (side === 'sealed') {
        if (!vault || !note) throw new Error('saves before prepareSaves');
        const v = vault;
        return { type: 'saved', ms: timeEach(m.n, () => (note = v.saveDraft(note!.id, next(), note!.version))) };
      }
      if (!plainSaves) throw new Error('saves before prepareSaves');
      const s = plainSaves[m.synchronous];
      return { type: 'saved', ms: timeEach(m.n, () => s.save(s.id, next())) };
    }
    case 'seed': {
      const start = performance.now();
      if (side === 'sealed') {
        const v = await openUnlocked(m.dir, m.account);
        for (let i = 0; i < m.notes; i++) v.create({ template: 'dap', sessionId: null, serviceDate: '2026-11-02', body: body4k(i) }, author);
        const seedMs = performance.now() - start;
        const t = performance.now();
        v.close(); // writes the sealed snapshot (tokenizing the notes written since it was opened)
        return { type: 'seeded', seedMs, closeMs: performance.now() - t };
      }
      mkdirSync(m.dir, { recursive: true });
      const path = join(m.dir, 'plain.sqlite');
      const db = openPlain(path, 'FULL');
      const store = plainStore(db);
      for (let i = 0; i < m.notes; i++) store.create(plainNote(body4k(i)));
      const seedMs = performance.now() - start;
      const t = performance.now();
      db.close();
      plainWriteSnapshot(path);
      return { type: 'seeded', seedMs, closeMs: performance.now() - t };
    }
    case 'openSearch': {
      const cpu = process.cpuUsage();
      if (side === 'sealed') {
        const t = performance.now();
        const v = await openUnlocked(m.dir, m.account);
        const hits = v.list({ query: m.query }).length;
        const ms = performance.now() - t;
        const used = cpuMs(cpu);
        v.close();
        return { type: 'searched', ms, cpuMs: used, hits };
      }
      const r = plainOpenAndSearch(join(m.dir, 'plain.sqlite'), m.query);
      return { type: 'searched', ms: r.ms, cpuMs: cpuMs(cpu), hits: r.hits };
    }
    case 'extras':
      if (side !== 'sealed') throw new Error('extras are the sealed side only');
      return { type: 'extras', lines: await extras(m.dir, m.account, m.query) };
    case 'exit':
      vault?.close();
      if (plainSaves) for (const s of Object.values(plainSaves)) s.db.close();
      process.exit(0);
  }
}

/** The vault's slower opens, once each: a crash image, and no snapshot at all. */
async function extras(dir: string, account: string, query: string): Promise<string[]> {
  const lines: string[] = [];
  // Notes saved since the snapshot (say the console was killed): each is read from its row.
  const STALE = 200;
  // A crash image: the files as they are on disk after 200 acknowledged saves and before the
  // close that would have written a new snapshot.
  const writer = await openUnlocked(dir, account);
  for (const s of writer.list().slice(0, STALE)) writer.saveDraft(s.id, body4k(NOTES + 1), s.version);
  const crashed = join(dir, '..', 'crashed');
  mkdirSync(crashed);
  for (const suffix of ['', '-wal']) copyFileSync(vaultPath(dir, account) + suffix, vaultPath(crashed, account) + suffix);
  writer.close();
  let t0 = performance.now();
  const stale = await openUnlocked(crashed, account);
  const staleHits = stale.list({ query }).length;
  lines.push(`# open + search with ${STALE} notes saved since the snapshot (a crash image): ${(performance.now() - t0).toFixed(0)} ms, ${staleHits} notes`);
  stale.close();

  // No snapshot at all (a vault from before it existed, or one found damaged): rebuilt once,
  // by the index worker. A search at once waits for it.
  const sealedPath = vaultPath(dir, account);
  const dropSnapshot = () => {
    const raw = new BetterSqlite3(sealedPath);
    raw.prepare('DELETE FROM index_snapshot').run();
    raw.close();
  };
  dropSnapshot();
  t0 = performance.now();
  const cold = await openUnlocked(dir, account);
  const opened = performance.now() - t0;
  const coldHits = cold.list({ query }).length;
  lines.push(`# without a snapshot: open ${opened.toFixed(0)} ms, then a search at once (waits for the index worker to decrypt and index every note) ${(performance.now() - t0 - opened).toFixed(0)} ms, ${coldHits} notes`);
  cold.close();
  // The same with no search: how long main's event loop is held while the worker rebuilds
  // and main then writes the new snapshot.
  dropSnapshot();
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  t0 = performance.now();
  const background = await openUnlocked(dir, account);
  const watcher = new BetterSqlite3(sealedPath, { readonly: true });
  const parts = watcher.prepare('SELECT count(*) AS n FROM index_snapshot');
  while ((parts.get() as { n: number }).n === 0) await new Promise((r) => setTimeout(r, 20));
  const ready = performance.now() - t0;
  stalls.disable();
  watcher.close();
  const t1 = performance.now();
  const warmHits = background.list({ query }).length;
  lines.push(`# without a snapshot, no search meanwhile: new snapshot written ${(ready / 1000).toFixed(1)} s after open; main's longest event-loop stall meanwhile ${(stalls.max / 1e6).toFixed(0)} ms; then a search ${(performance.now() - t1).toFixed(0)} ms, ${warmHits} notes`);
  background.close();
  return lines;
}

// One request at a time, in the order they came.
let queue: Promise<void> = Promise.resolve();
process.on('message', (raw) => {
  queue = queue.then(async () => {
    try {
      const answer = await handle(raw as DriverToSide);
      if (answer) send(answer);
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
