/**
 * The roster cache's file on disk: created readable by its owner only (0600, with its -wal
 * and -shm), and a cache file other users can read is refused at open, naming the file and
 * the fix (the console then works online only: see rostersService.ts).
 */
import { chmodSync } from 'node:fs';
import nacl from 'tweetnacl';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createMemoryKeyStore } from '../../src/main/notes/vault';
import { RosterCache, rosterCachePath } from '../../src/main/rosters/rosterCache';
import { tempDir } from './notes/support/fixture';
import { expectOwnerOnlyWithJournal } from '../support/fileModes';

const ACCOUNT = 'c-sam@http://127.0.0.1:8443';

describe.runIf(process.platform !== 'win32')('the roster cache file on disk', () => {
  it('is created 0600, with its -wal and -shm', async () => {
    const t = tempDir();
    onTestFinished(t.cleanup);
    const cache = await RosterCache.open({ dir: t.dir, account: ACCOUNT, keyStore: createMemoryKeyStore({ [ACCOUNT]: nacl.randomBytes(32) }) });
    onTestFinished(() => cache?.close());
    cache!.put('roster\ns-1', { data: { n: 1 }, fetchedAt: '2026-11-03T18:00:00.000Z' });
    expectOwnerOnlyWithJournal(rosterCachePath(t.dir, ACCOUNT));
  });

  it('that other users can read is refused at open, naming the file and the fix', async () => {
    const t = tempDir();
    onTestFinished(t.cleanup);
    const keyStore = createMemoryKeyStore({ [ACCOUNT]: nacl.randomBytes(32) });
    (await RosterCache.open({ dir: t.dir, account: ACCOUNT, keyStore }))!.close();
    const file = rosterCachePath(t.dir, ACCOUNT);
    chmodSync(file, 0o604);
    chmodSync(t.dir, 0o711);
    await expect(RosterCache.open({ dir: t.dir, account: ACCOUNT, keyStore })).rejects.toThrow(`chmod 600 ${file}`);
  });
});
