/**
 * The server's secrets on disk: the SQLite database (and its -wal and -shm) and the records
 * key file are created readable by their owner only (0600), and a file that other users can
 * read is refused at open with an error naming the file and the fix, unless its folder never
 * let them in (an older server's database): then it is tightened. The records key is decoded
 * into memory of its own, not a slice of Node's shared Buffer pool.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/server/config.js';
import { setLogLevel } from '../../src/common/logger.js';
import { loadRecordsKey } from '../../src/server/keys/recordsKey.js';
import { DATABASE_FILE, openStore } from '../../src/server/store/store.js';
import { expectOwnerOnlyWithJournal, modeOf } from '../support/fileModes.js';

setLogLevel('error');
const linux = process.platform !== 'win32';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'confidant-modes-'));
  dirs.push(d);
  return d;
}

/** A closed store in a new data directory, whose database an older server left readable by others (0644). */
async function closedStoreMade0644(): Promise<{ dir: string; file: string }> {
  const dir = tmp();
  await openStore(dir).close();
  const file = path.join(dir, DATABASE_FILE);
  chmodSync(file, 0o644);
  return { dir, file };
}

describe.runIf(linux)('the server database on disk', () => {
  it('is created 0600, with its -wal and -shm, whatever the umask lets through', async () => {
    const dir = tmp();
    // Open: the migrations have written, so the -wal and -shm exist beside it.
    const store = openStore(dir);
    const file = path.join(dir, DATABASE_FILE);
    expectOwnerOnlyWithJournal(file);
    await store.close();
  });

  it('that other users can read is refused at open, naming the file and the fix', async () => {
    const { dir, file } = await closedStoreMade0644();
    // A folder others can enter: they could have read the file.
    chmodSync(dir, 0o755);
    expect(() => openStore(dir)).toThrow(`chmod 600 ${file}`);
    expect(() => openStore(dir)).toThrow(/readable by other users/);
    chmodSync(file, 0o600);
    await openStore(dir).close();
  });

  it('whose -wal or -shm other users can read is refused too', async () => {
    const dir = tmp();
    const store = openStore(dir);
    const wal = path.join(dir, `${DATABASE_FILE}-wal`);
    // Left open, so the -wal stays (a crash leaves it the same way).
    chmodSync(wal, 0o640);
    chmodSync(dir, 0o750);
    expect(() => openStore(dir)).toThrow(`chmod 600 ${wal}`);
    await store.close();
  });

  it('made 0644 by an older server inside its private data directory is tightened to 0600, not refused', async () => {
    const { dir, file } = await closedStoreMade0644();
    chmodSync(dir, 0o700);
    await openStore(dir).close();
    expect(modeOf(file)).toBe('600');
  });
});

function config(dataDir: string, keyFile: string) {
  return parseConfig({ dataDir, recordsKeyFile: keyFile });
}

describe.runIf(linux)('the records key file', () => {
  it('that other users can read is refused, naming the file and the fix', () => {
    const root = tmp();
    const file = path.join(root, 'records.key');
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o644 });
    chmodSync(file, 0o644);
    chmodSync(root, 0o755);
    expect(() => loadRecordsKey(config(path.join(root, 'data'), file))).toThrow(ConfigError);
    expect(() => loadRecordsKey(config(path.join(root, 'data'), file))).toThrow(`chmod 600 ${file}`);
    chmodSync(file, 0o600);
    expect(loadRecordsKey(config(path.join(root, 'data'), file))).toHaveLength(32);
  });

  it('is created 0600 with a fresh key when missing and there is no database yet', () => {
    const root = tmp();
    const file = path.join(root, 'keys', 'records.key');
    mkdirSync(path.dirname(file));
    const key = loadRecordsKey(config(path.join(root, 'data'), file));
    expect(modeOf(file)).toBe('600');
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(key)).toBe(true);
    // Read back as the same key on the next start.
    expect(loadRecordsKey(config(path.join(root, 'data'), file)).equals(key)).toBe(true);
  });

  it('missing beside an existing database is refused: a new key would not open its records', async () => {
    const root = tmp();
    const dataDir = path.join(root, 'data');
    mkdirSync(dataDir);
    await openStore(dataDir).close();
    const file = path.join(root, 'records.key');
    expect(() => loadRecordsKey(config(dataDir, file))).toThrow(/does not exist/);
    expect(existsSync(file)).toBe(false);
  });
});

describe('the records key in memory', () => {
  it('is decoded into memory of its own, leaving no copy in the shared Buffer pool', () => {
    const root = tmp();
    const file = path.join(root, 'records.key');
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => 250 - i);
    writeFileSync(file, Buffer.from(bytes.buffer, 0, 32).toString('base64'), { mode: 0o600 });
    const key = loadRecordsKey(config(path.join(root, 'data'), file));
    expect(Array.from(key)).toEqual(Array.from(bytes));
    expect(key.byteOffset).toBe(0);
    expect(key.buffer.byteLength).toBe(32);
    const pool = Buffer.from(Buffer.allocUnsafe(1).buffer);
    expect(pool.indexOf(Buffer.from(bytes.buffer, 0, 32))).toBe(-1);
  });
});
