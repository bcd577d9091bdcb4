/**
 * The audit log's keyed hash chain over a real SQLite file: appends chain, verification names
 * the first broken entry after an alteration, a deletion in the middle or at the end, a
 * rewrite whose plain SHA-256 chain was recomputed, and the server itself cannot update or
 * delete (triggers), only append. `npm run admin -- audit verify` says the same from the
 * command line, with exit codes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalFields, GENESIS_HASH, keyedLink, legacyLink, verifyChain } from '../../src/server/audit/chain.js';
import { setLogLevel } from '../../src/common/logger.js';
import { deriveRecordsSubkey } from '../../src/server/store/recordKeys.js';
import { databaseOf, DATABASE_FILE, openStore, type Store } from '../../src/server/store/store.js';
import { runAdmin } from './support/adminCli.js';

setLogLevel('error');

let dir: string;
let store: Store;
let recordsKey: Buffer;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'confidant-audit-'));
  recordsKey = randomBytes(32);
  store = openStore(dir, recordsKey);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function appendSome(n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await store.audit.record({ at: new Date(Date.UTC(2026, 10, 23, 9, 0, i)), event: 'client.admitted', actorId: 'c-1', subjectId: `p-${i}`, sessionId: 's-1' });
  }
}

/** Someone with the file and sqlite3: drops the guards and edits rows behind the server's back. */
function tamper(sql: string): void {
  const raw = new Database(path.join(dir, DATABASE_FILE));
  raw.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  raw.exec(sql);
  raw.close();
}

describe('the chain', () => {
  it('hashes the previous hash and the canonical JSON of the entry, keys sorted, under a key', () => {
    const fields = { seq: 1, at: '2026-11-23T09:00:00.000Z', event: 'login.ok', actorId: null, subjectId: 'c-1', sessionId: null, address: '127.0.0.1', detail: null };
    expect(canonicalFields(fields)).toBe(
      '{"actorId":null,"address":"127.0.0.1","at":"2026-11-23T09:00:00.000Z","detail":null,"event":"login.ok","seq":1,"sessionId":null,"subjectId":"c-1"}',
    );
    const link = keyedLink(randomBytes(32));
    expect(link(GENESIS_HASH, fields)).toMatch(/^[0-9a-f]{64}$/);
    expect(link(GENESIS_HASH, { ...fields, detail: 'x' })).not.toBe(link(GENESIS_HASH, fields));
    // Another key, another chain; and neither is the plain SHA-256 anyone could recompute.
    expect(keyedLink(randomBytes(32))(GENESIS_HASH, fields)).not.toBe(link(GENESIS_HASH, fields));
    expect(legacyLink(GENESIS_HASH, fields)).not.toBe(link(GENESIS_HASH, fields));
  });

  it('chains the console workstation where there is one, and an entry without one hashes as before it was kept', async () => {
    const fields = { seq: 1, at: '2026-11-23T09:00:00.000Z', event: 'login.ok', actorId: null, subjectId: 'c-1', sessionId: null, address: '127.0.0.1', detail: null };
    expect(canonicalFields({ ...fields, deviceId: null })).toBe(canonicalFields(fields));
    expect(canonicalFields({ ...fields, deviceId: 'dev-AAAAAAAAAAAAAAAA' })).toBe(
      '{"actorId":null,"address":"127.0.0.1","at":"2026-11-23T09:00:00.000Z","detail":null,"deviceId":"dev-AAAAAAAAAAAAAAAA","event":"login.ok","seq":1,"sessionId":null,"subjectId":"c-1"}',
    );
    // Over a real file: entries with and without one verify together; changing the device breaks the chain there.
    await appendSome(2);
    await store.audit.record({ at: new Date(Date.UTC(2026, 10, 23, 9, 1)), event: 'roster.viewed', actorId: 'c-1', subjectId: 's-1', sessionId: 's-1', deviceId: 'ws-front-desk-0001' });
    await appendSome(1);
    const entries = await store.audit.list();
    expect(entries.map((e) => e.deviceId ?? null)).toEqual([null, null, 'ws-front-desk-0001', null]);
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 4 });
    tamper(`UPDATE audit_log SET device_id = 'ws-somewhere-else01' WHERE seq = 3`);
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('links each appended entry to the one before and verifies', async () => {
    await appendSome(5);
    const entries = await store.audit.list();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 5 });
  });

  it('an empty log verifies', async () => {
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 0 });
    expect(verifyChain([], undefined, legacyLink)).toEqual({ ok: true, entries: 0 });
  });

  it('the server cannot update or delete entries: the triggers refuse', async () => {
    await appendSome(2);
    expect(() => databaseOf(store).prepare(`UPDATE audit_log SET detail = 'x' WHERE seq = 1`).run()).toThrow(/append-only/);
    expect(() => databaseOf(store).prepare(`DELETE FROM audit_log WHERE seq = 2`).run()).toThrow(/append-only/);
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 2 });
  });

  it('names the altered entry', async () => {
    await appendSome(6);
    tamper(`UPDATE audit_log SET subject_id = 'p-someone-else' WHERE seq = 4`);
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('names an entry whose hash was recomputed to hide an alteration: the next one no longer follows it', async () => {
    await appendSome(6);
    const e3 = (await store.audit.list()).find((e) => e.seq === 3)!;
    // Even with the chain key: the next entry's prevHash still names the old hash.
    const forged = keyedLink(deriveRecordsSubkey(recordsKey, 'audit-chain'))(e3.prevHash, { ...e3, event: 'client.denied' });
    tamper(`UPDATE audit_log SET event = 'client.denied', hash = '${forged}' WHERE seq = 3`);
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('a row rewritten with the whole plain SHA-256 chain and head recomputed after it no longer verifies', async () => {
    await appendSome(6);
    const entries = await store.audit.list();
    // Someone with the file but not the records key: rewrites entry 3, then recomputes every
    // link from there on, and the head, the way an unkeyed chain would have let them.
    let prevHash = entries[1]!.hash;
    const raw = new Database(path.join(dir, DATABASE_FILE));
    raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    for (const e of entries.slice(2)) {
      const rewritten = e.seq === 3 ? { ...e, subjectId: 'p-someone-else' } : e;
      const hash = legacyLink(prevHash, rewritten);
      raw.prepare(`UPDATE audit_log SET subject_id = ?, prev_hash = ?, hash = ? WHERE seq = ?`).run(rewritten.subjectId, prevHash, hash, e.seq);
      prevHash = hash;
    }
    raw.prepare(`UPDATE audit_head SET hash = ? WHERE id = 1`).run(prevHash);
    raw.close();
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAt: 3, reason: 'entry 3 was altered' });
  });

  it('names a deleted entry by its missing number', async () => {
    await appendSome(6);
    tamper(`DELETE FROM audit_log WHERE seq = 2`);
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAt: 2, reason: 'entry 2 is missing' });
  });

  it('notices the newest entries deleted: the head says where the log ended', async () => {
    await appendSome(6);
    tamper(`DELETE FROM audit_log WHERE seq >= 5`);
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAt: 5 });
  });

  it('keeps chaining across reopening the file under the same records key', async () => {
    await appendSome(3);
    await store.close();
    store = openStore(dir, recordsKey);
    await appendSome(2);
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 5 });
  });

  it('under another records key the chain does not verify', async () => {
    await appendSome(3);
    await store.close();
    store = openStore(dir, randomBytes(32));
    expect(await store.audit.verify()).toMatchObject({ ok: false, brokenAt: 1 });
  });
});

describe('npm run admin -- audit verify', () => {
  it('says the log is intact (exit 0), then names the altered entry (exit 1)', async () => {
    // The records key must live outside the data directory (the server refuses otherwise).
    const keyDir = mkdtempSync(path.join(os.tmpdir(), 'confidant-audit-key-'));
    const keyFile = path.join(keyDir, 'records.key');
    writeFileSync(keyFile, recordsKey.toString('base64'), { mode: 0o600 });
    const admin = (args: string[]) => runAdmin(args, { dataDir: dir, recordsKeyFile: keyFile });
    await appendSome(4);
    const intact = await admin(['audit', 'verify']);
    expect(intact.stdout).toContain('audit log intact: 4 entries');
    expect(intact.code).toBe(0);

    const listed = await admin(['audit', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as { seq: number }[]).map((e) => e.seq)).toEqual([1, 2, 3, 4]);

    tamper(`UPDATE audit_log SET actor_id = 'c-2' WHERE seq = 3`);
    const broken = await admin(['audit', 'verify']);
    expect(broken.stderr).toContain('audit log broken at entry 3');
    expect(broken.code).toBe(1);
    rmSync(keyDir, { recursive: true, force: true });
  });
});
