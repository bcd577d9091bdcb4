/**
 * The records key a server reads from its file is its own: once the server closes, the
 * buffer it held is all zeros, so the key does not outlive the process's use of it in memory
 * that is later reused. A key passed in by the caller (demo mode, restart tests) is left alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/server/config.js';
import { setLogLevel } from '../../src/common/logger.js';
import { startServer } from '../../src/server/server.js';

setLogLevel('error');

// The real loader, watched: every key it hands the server is kept here to look at afterwards.
const loaded = vi.hoisted(() => [] as Buffer[]);
vi.mock('../../src/server/keys/recordsKey.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/server/keys/recordsKey.js')>();
  return {
    ...real,
    loadRecordsKey: (...args: Parameters<typeof real.loadRecordsKey>) => {
      const key = real.loadRecordsKey(...args);
      loaded.push(key);
      return key;
    },
  };
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  loaded.splice(0);
});

function keyFileIn(root: string): string {
  const file = path.join(root, 'records.key');
  writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return file;
}

describe('the records key in a running server', () => {
  it('is wiped when the server closes, once it was read from its file', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'confidant-keywipe-'));
    dirs.push(root);
    const file = keyFileIn(root);
    const server = await startServer(
      parseConfig({ dataDir: path.join(root, 'data'), recordsKeyFile: file, port: 0, rtcPort: 0, workers: 1, participantDir: '/nonexistent' }),
    );
    expect(loaded).toHaveLength(1);
    const key = loaded[0]!;
    expect(key.some((b) => b !== 0)).toBe(true);
    await server.close();
    expect([...key].every((b) => b === 0)).toBe(true);
  });

  it('is left as it was when the caller passed it in', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'confidant-keywipe-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'data'), { mode: 0o700 });
    const key = randomBytes(32);
    const copy = Buffer.from(key);
    const server = await startServer(parseConfig({ dataDir: path.join(root, 'data'), port: 0, rtcPort: 0, workers: 1, participantDir: '/nonexistent' }), {
      recordsKey: key,
    });
    await server.close();
    expect(loaded).toHaveLength(0);
    expect(key.equals(copy)).toBe(true);
  });
});
