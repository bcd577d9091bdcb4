/**
 * Checkpoints of the audit chain: the head signed with the Ed25519 audit signing key, kept
 * outside the database. Someone holding the records key too can re-chain a rewritten or
 * shortened history that verifies on its own, but not against a checkpoint taken before;
 * a checkpoint whose signature does not verify under this server's key is refused.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditCheckpoint, checkpointSignatureValid, keyedLink, signCheckpoint, type ChainedEntry } from '../../src/server/audit/chain.js';
import { loadAuditSigningKey } from '../../src/server/audit/signingKey.js';
import { parseConfig } from '../../src/server/config.js';
import { setLogLevel } from '../../src/common/logger.js';
import { deriveRecordsSubkey } from '../../src/server/store/recordKeys.js';
import { DATABASE_FILE, openStore, type Store } from '../../src/server/store/store.js';
import { runAdmin } from './support/adminCli.js';

setLogLevel('error');

let dir: string;
let keyDir: string;
let recordsKey: Buffer;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'confidant-checkpoint-'));
  keyDir = mkdtempSync(path.join(os.tmpdir(), 'confidant-checkpoint-keys-'));
  recordsKey = randomBytes(32);
  writeFileSync(path.join(keyDir, 'records.key'), recordsKey.toString('base64'), { mode: 0o600 });
  store = openStore(dir, recordsKey);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(keyDir, { recursive: true, force: true });
});

const config = () => parseConfig({ dataDir: dir, recordsKeyFile: path.join(keyDir, 'records.key') });

async function appendSome(from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) {
    await store.audit.record({ at: new Date(Date.UTC(2026, 10, 23, 9, 0, i)), event: 'client.admitted', actorId: 'c-1', subjectId: `p-${i}`, sessionId: 's-1' });
  }
}

/** Entries 1 to `upTo` appended and the head signed with this server's key, as an auditor would take a checkpoint. */
async function checkpointAfter(upTo: number) {
  const key = loadAuditSigningKey(config());
  await appendSome(1, upTo);
  return { key, checkpoint: signCheckpoint(key.privateKey, await store.audit.head(), new Date()) };
}

/**
 * The strongest tamperer short of the signing key: holds the file and the records key, so
 * after rewriting (or dropping) entries re-chains everything after them and moves the head.
 */
async function rechainWithTheRecordsKey(change: (entries: ChainedEntry[]) => ChainedEntry[]): Promise<void> {
  const link = keyedLink(deriveRecordsSubkey(recordsKey, 'audit-chain'));
  const kept = change(await store.audit.list());
  const raw = new Database(path.join(dir, DATABASE_FILE));
  raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log;');
  let prevHash = '0'.repeat(64);
  const insert = raw.prepare(
    `INSERT INTO audit_log (seq, at, event, actor_id, subject_id, session_id, address, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  kept.forEach((e, i) => {
    const entry = { ...e, seq: i + 1 };
    const hash = link(prevHash, entry);
    insert.run(entry.seq, entry.at, entry.event, entry.actorId, entry.subjectId, entry.sessionId, entry.address, entry.detail, prevHash, hash);
    prevHash = hash;
  });
  raw.prepare(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`).run(kept.length, prevHash);
  raw.close();
}

describe('a checkpoint', () => {
  it('signed by the audit signing key verifies, and so does the chain against it as it grows', async () => {
    const { key, checkpoint } = await checkpointAfter(4);
    expect(AuditCheckpoint.parse(JSON.parse(JSON.stringify(checkpoint)))).toEqual(checkpoint);
    expect(checkpointSignatureValid(key.publicKey, checkpoint)).toBe(true);
    await appendSome(5, 6);
    expect(await store.audit.verify(checkpoint)).toEqual({ ok: true, entries: 6 });
  });

  it('its key is made 0600 beside the records key, outside the data directory, and kept', () => {
    const first = loadAuditSigningKey(config());
    expect(first.file).toBe(path.join(keyDir, 'audit-signing.pem'));
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    const again = loadAuditSigningKey(config());
    expect(again.publicKey.export({ format: 'der', type: 'spki' }).equals(first.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
    expect(() => loadAuditSigningKey(parseConfig({ dataDir: dir, auditSigningKeyFile: path.join(dir, 'k.pem') }))).toThrow(
      /auditSigningKeyFile \(CONFIDANT_AUDIT_SIGNING_KEY_FILE\): must be outside the data directory/,
    );
  });

  it('a history rewritten before it and re-chained with the records key verifies alone, but not against it', async () => {
    const { checkpoint } = await checkpointAfter(6);
    await rechainWithTheRecordsKey((entries) => entries.map((e) => (e.seq === 2 ? { ...e, subjectId: 'p-someone-else' } : e)));
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 6 });
    expect(await store.audit.verify(checkpoint)).toMatchObject({ ok: false, brokenAt: 6 });
  });

  it('a history cut short behind it fails against it, naming the first missing entry', async () => {
    const { checkpoint } = await checkpointAfter(6);
    await rechainWithTheRecordsKey((entries) => entries.slice(0, 3));
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 3 });
    expect(await store.audit.verify(checkpoint)).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('with a forged signature, or an altered seq or hash, does not verify', async () => {
    const { key, checkpoint: real } = await checkpointAfter(3);
    const forged = signCheckpoint(generateKeyPairSync('ed25519').privateKey, await store.audit.head(), new Date());
    expect(checkpointSignatureValid(key.publicKey, forged)).toBe(false);
    expect(checkpointSignatureValid(key.publicKey, { ...real, seq: 2 })).toBe(false);
    expect(checkpointSignatureValid(key.publicKey, { ...real, hash: 'f'.repeat(64) })).toBe(false);
    expect(checkpointSignatureValid(key.publicKey, { ...real, signature: 'not base64 at all' })).toBe(false);
  });
});

const admin = (args: string[]) => runAdmin(args, { dataDir: dir, recordsKeyFile: path.join(keyDir, 'records.key') });

describe('npm run admin -- audit checkpoint / verify --checkpoint', () => {
  it('exports a signed checkpoint, verifies against it, refuses a forged one and names a rewrite', async () => {
    await appendSome(1, 4);
    await store.close();
    const file = path.join(keyDir, 'checkpoint.json');
    const made = await admin(['audit', 'checkpoint', '--out', file]);
    expect(made.code).toBe(0);
    const checkpoint = AuditCheckpoint.parse(JSON.parse(readFileSync(file, 'utf8')));
    // Its own entry is on the log, and covered by it.
    expect(checkpoint.seq).toBe(5);

    const intact = await admin(['audit', 'verify', '--checkpoint', file]);
    expect(intact.stdout).toContain('audit log intact: 5 entries');
    expect(intact.stdout).toContain('holds the checkpoint of entry 5');
    expect(intact.code).toBe(0);

    const forgedFile = path.join(keyDir, 'forged.json');
    writeFileSync(forgedFile, JSON.stringify(signCheckpoint(generateKeyPairSync('ed25519').privateKey, checkpoint, new Date())));
    const forged = await admin(['audit', 'verify', '--checkpoint', forgedFile]);
    expect(forged.stderr).toContain("the checkpoint's signature does not verify with this server's audit signing key: refused");
    expect(forged.code).toBe(1);

    store = openStore(dir, recordsKey);
    await rechainWithTheRecordsKey((entries) => entries.filter((e) => e.seq !== 2));
    const rewritten = await admin(['audit', 'verify', '--checkpoint', file]);
    expect(rewritten.stderr).toContain('audit log broken at entry 5');
    expect(rewritten.code).toBe(1);
  }, 60_000);
});
