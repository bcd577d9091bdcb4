import BetterSqlite3 from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { newKey } from '../../../src/main/sealing';
import { createMemoryKeyStore, openVault, vaultPath } from '../../../src/main/notes/vault';
import { ACCOUNT, tempDir } from './support/fixture';

const child = fileURLToPath(new URL('./support/vaultChild.ts', import.meta.url));
/** Runs the writer until it has acknowledged `saves` saves, then SIGKILLs it mid-stream. */
function killWriterAfter(dir: string, key: Uint8Array, saves: number): Promise<{ id: string; acked: Map<number, string> }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, 'writer', dir, ACCOUNT, Buffer.from(key).toString('hex')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<number, string>();
    let id = '';
    let buffered = '';
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [tag, a, ...rest] = line.split(' ');
        if (tag === 'ID') id = a ?? '';
        if (tag === 'ACK') acked.set(Number(a), rest.join(' '));
      }
      if (acked.size >= saves && !proc.killed) proc.kill('SIGKILL');
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ id, acked });
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

describe('crash safety', () => {
  it('after kill -9 during autosaves the vault opens, integrity_check is ok and every acknowledged save is intact', async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const key = newKey();
    const { id, acked } = await killWriterAfter(dir, key, 150);
    const last = Math.max(...acked.keys());
    expect(last).toBeGreaterThanOrEqual(150);

    const db = new BetterSqlite3(vaultPath(dir, ACCOUNT));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const vault = await openVault({ dir, account: ACCOUNT, keyStore: createMemoryKeyStore({ [ACCOUNT]: key }) });
    onTestFinished(() => vault.close());
    expect(vault.status()).toEqual({ state: 'unlocked' });
    const note = vault.get(id);
    // The newest acknowledged save is there (a save in flight when killed may also have landed).
    expect(note.version).toBeGreaterThanOrEqual(last);
    expect(note.version).toBeLessThanOrEqual(last + 1);
    if (note.version === last) expect(note.body.title).toBe(acked.get(last));
    expect(note.body.sections.data).toBe(`${note.body.title} `.repeat(300));
    expect(vault.list()).toMatchObject([{ id, version: note.version, damaged: false }]);
    expect(vault.outbox()).toMatchObject([{ id, version: note.version }]);
    // And it keeps working.
    expect(vault.saveDraft(id, { ...note.body, title: 'after the crash' }, note.version).version).toBe(note.version + 1);
  });
});
