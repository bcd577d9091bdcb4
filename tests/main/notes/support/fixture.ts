/** Shared set-up for vault tests: a temporary directory, an in-memory key store, sample notes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { emptyBody, Note, type NoteBody } from '../../../../src/shared/notes';
import { createMemoryKeyStore, openVault, vaultPath, type KeyStore } from '../../../../src/main/notes/vault';
import type { NewNote, NoteVault, Signer } from '../../../../src/main/notes/types';
import { indexWorkerFromSource } from '../../../support/indexWorkerFromSource';

export const ACCOUNT = 'c-ana@http://127.0.0.1:8443';
export const ana: Signer = { id: 'c-ana', name: 'Ana Ortiz' };
export const sam: Signer = { id: 'c-sam', name: 'Sam Lee (supervisor)' };

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'confidant-vault-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The vault's SQLite file opened directly, as anyone holding the file could (the caller closes it). */
export function rawVaultDb(dir: string, account = ACCOUNT): BetterSqlite3.Database {
  return new BetterSqlite3(vaultPath(dir, account));
}

export function body(over: Partial<NoteBody> = {}): NoteBody {
  return { ...emptyBody('dap'), title: 'Weekly check-in', clientRefs: ['IOP-1'], sections: { data: 'Reported better sleep.', assessment: 'Improving.', plan: 'Continue.' }, ...over };
}

export function newNote(over: Partial<NewNote> = {}): NewNote {
  return { template: 'dap', sessionId: 's-1', serviceDate: '2026-11-02', body: body(), ...over };
}

export async function withVault(keyStore: KeyStore = createMemoryKeyStore()): Promise<{ vault: NoteVault; dir: string; keyStore: KeyStore; reopen: () => Promise<NoteVault>; cleanup: () => void }> {
  const { dir, cleanup } = tempDir();
  let current = await openVault({ dir, account: ACCOUNT, keyStore, indexWorker: indexWorkerFromSource });
  return {
    get vault() {
      return current;
    },
    dir,
    keyStore,
    reopen: async () => {
      current.close();
      current = await openVault({ dir, account: ACCOUNT, keyStore, indexWorker: indexWorkerFromSource });
      return current;
    },
    cleanup: () => {
      current.close();
      cleanup();
    },
  };
}

/**
 * The i-th of a set of drafts as an older console stored them (tests that write old vault
 * files): service dates, sessions and times vary with `i`; `data` is the searchable text.
 */
export function storedDraft(i: number, version: number, title: string, data: string): Note {
  const at = new Date(Date.UTC(2026, 10, 1, 9, i)).toISOString();
  return Note.parse({
    id: randomUUID(),
    version,
    template: 'dap',
    authorId: 'c-ana',
    sessionId: i % 2 ? 's-1' : null,
    serviceDate: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}`,
    status: 'draft',
    body: { ...emptyBody('dap'), title, clientRefs: [`IOP-${i}`], sections: { data, assessment: '', plan: '' } },
    signature: null,
    cosignature: null,
    returnComment: null,
    addenda: [],
    createdAt: at,
    updatedAt: at,
  });
}
