/**
 * The sync engine against the real session server (in process, demo-seeded, signed in with
 * password and TOTP through the console's own ServerSession) and the real vault (in-memory
 * key store, files in a temporary directory): idempotency when an answer is lost, retry with
 * backoff while the server cannot be reached, a draft edited on two workstations surfacing
 * as a conflict, and a supervisee's note co-signed through the supervisor's console.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/server/demo.js';
import { setLogLevel } from '../../src/common/logger.js';
import { createNoteSync, type NotesApi, type NoteSync } from '../../src/main/notes/sync';
import type { NoteVault, Signer } from '../../src/main/notes/types';
import { createMemoryKeyStore, openVault } from '../../src/main/notes/vault';
import { ServerSession } from '../../src/main/services/serverSession';
import { emptyBody, NoteList, PutNoteResponse, type NoteBody } from '../../src/shared/notes';
import { ProtocolError } from '../../src/shared/protocol';
import { freshTotp } from '../support/totpCodes.js';

setLogLevel('error');

let demo: RunningDemo;
let closedPortUrl: string;
const dirs: string[] = [];
const vaults: NoteVault[] = [];
const engines: NoteSync[] = [];

beforeAll(async () => {
  demo = await startDemo({ invitations: 0, workers: 1, participantDir: '/nonexistent-participant-dir' });
  // A port that was just free and is closed again: nothing answers there.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  closedPortUrl = `http://127.0.0.1:${port}`;
});
afterEach(() => {
  network.down = false;
  for (const e of engines.splice(0)) e.stop();
  for (const v of vaults.splice(0)) v.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
afterAll(async () => {
  await demo?.close();
});

type Who = 'facilitator' | 'supervisor';

interface Workstation {
  vault: NoteVault;
  signer: Signer;
  api: NotesApi;
}

/** While true, every request goes to a closed port instead of the server. */
const network = { down: false };
const fetchVia: typeof fetch = (input, init) => {
  if (!network.down) return fetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  return fetch(closedPortUrl + url.pathname + url.search, init);
};

/** One signed-in ServerSession per account (a TOTP code works once, so sign-ins are few). */
const sessions = new Map<Who, Promise<{ session: ServerSession; signer: Signer }>>();
function signedIn(who: Who): Promise<{ session: ServerSession; signer: Signer }> {
  let found = sessions.get(who);
  if (!found) {
    found = (async () => {
      const session = new ServerSession(fetchVia);
      const { username, password, totpSecret } = demo.info[who];
      const totp = await freshTotp(totpSecret!, `${demo.info.httpUrl}|${username}`);
      const { user } = await session.signIn({ serverUrl: demo.info.httpUrl, username, password, totp });
      return { session, signer: { id: user.id, name: user.displayName } };
    })();
    sessions.set(who, found);
  }
  return found;
}

/** A console signed in as `who`, with its own vault (its own directory and keychain). */
async function workstation(who: Who): Promise<Workstation> {
  const { session, signer } = await signedIn(who);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'confidant-sync-test-'));
  dirs.push(dir);
  const vault = await openVault({ dir, account: `${signer.id}@${demo.info.httpUrl}`, keyStore: createMemoryKeyStore() });
  vaults.push(vault);
  const api: NotesApi = {
    put: (req) => session.api('PUT', `/api/notes/${encodeURIComponent(req.note.id)}`, req, PutNoteResponse),
    list: (since) => session.api('GET', `/api/notes${since ? `?since=${encodeURIComponent(since)}` : ''}`, undefined, NoteList),
  };
  return { vault, signer, api };
}

function engine(ws: Workstation, options: Partial<Parameters<typeof createNoteSync>[0]> = {}): NoteSync {
  const sync = createNoteSync({ vault: ws.vault, api: ws.api, random: () => 0.5, backoff: { baseMs: 1000, maxMs: 8000 }, ...options });
  engines.push(sync);
  return sync;
}

function body(text: string): NoteBody {
  return { ...emptyBody('dap'), title: `Group follow-up ${text}`, clientRefs: ['IOP-7'], sections: { data: text, assessment: '', plan: '' } };
}

function newNote(ws: Workstation, text: string) {
  return ws.vault.create({ template: 'dap', sessionId: demo.info.sessionId, serviceDate: '2026-11-03', body: body(text) }, ws.signer);
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const onServer = (id: string) => demo.server.store.notes.byId(id);

describe('note sync', () => {
  it('pushes the outbox and is idempotent when an answer is lost on the way back', async () => {
    const ws = await workstation('facilitator');
    const note = newNote(ws, 'first');
    let loseNextAnswer = true;
    const lossy: NotesApi = {
      list: (since) => ws.api.list(since),
      put: async (req) => {
        const answer = await ws.api.put(req);
        if (loseNextAnswer) {
          loseNextAnswer = false;
          throw new TypeError('fetch failed'); // stored, but the console never heard
        }
        return answer;
      },
    };
    const sync = engine(ws, { api: lossy });
    await sync.syncNow();
    expect(await onServer(note.id)).toEqual(note);
    expect(sync.status()).toMatchObject({ online: false, pending: 1, syncing: false });
    expect(ws.vault.outbox()).toMatchObject([{ id: note.id, version: 1, attempts: 1 }]);

    // The same (id, version) again: the server answers 200 and nothing changes there.
    await sync.syncNow();
    expect(sync.status()).toMatchObject({ online: true, pending: 0, conflicts: 0, lastError: null });
    expect(ws.vault.outbox()).toEqual([]);
    expect(ws.vault.list()).toMatchObject([{ id: note.id, sync: 'synced' }]);
    expect((await demo.server.store.audit.list(note.id)).map((e) => e.event)).toEqual(['note.synced']);

    // Signing and an addendum go up as later versions of the same note.
    ws.vault.sign(note.id, ws.signer, false);
    const amended = ws.vault.addAddendum(note.id, 'Called the client next day.', ws.signer);
    await sync.syncNow();
    expect(await onServer(note.id)).toEqual(amended);
    expect(sync.status().lastSyncedAt).not.toBeNull();

    // An answer lost, then another save before the retry: still ours, not a conflict.
    loseNextAnswer = true;
    ws.vault.addAddendum(note.id, 'Second call.', ws.signer);
    await sync.syncNow();
    expect(sync.status()).toMatchObject({ online: false, pending: 1 });
    const latest = ws.vault.addAddendum(note.id, 'Third call.', ws.signer);
    await sync.syncNow();
    expect(sync.status()).toMatchObject({ online: true, pending: 0, conflicts: 0, lastError: null });
    expect(await onServer(note.id)).toEqual(latest);
  });

  it('retries with exponential backoff while the server cannot be reached, and never drops a note', async () => {
    const ws = await workstation('facilitator');
    let now = Date.now();
    const changes: boolean[] = [];
    const sync = engine(ws, { clock: () => now, intervalMs: 3_600_000, onChange: (s) => changes.push(s.online) });
    network.down = true;
    const note = newNote(ws, 'written on the train');
    ws.vault.sign(note.id, ws.signer, false);

    await sync.syncNow();
    expect(sync.status()).toMatchObject({ online: false, pending: 1, syncing: false });
    expect(sync.status().lastError).toMatch(/cannot be reached/);
    // attempts 0 → 1 s ceiling; equal jitter with random 0.5 → 750 ms.
    expect(ws.vault.outbox()).toMatchObject([{ id: note.id, version: 2, attempts: 1, notBefore: now + 750 }]);
    expect(changes).toContain(false);

    // The timer respects the backoff: too early, nothing is tried.
    sync.start();
    await until(() => !sync.status().syncing, 'the timer round');
    sync.stop();
    expect(ws.vault.outbox()).toMatchObject([{ attempts: 1, notBefore: now + 750 }]);

    // Later, tried again and failing again: the delay doubles.
    now += 1000;
    sync.start();
    await until(() => ws.vault.outbox()[0]?.attempts === 2, 'the second attempt');
    await until(() => !sync.status().syncing, 'the round to end');
    sync.stop();
    expect(ws.vault.outbox()).toMatchObject([{ attempts: 2, notBefore: now + 1500 }]);
    expect(await onServer(note.id)).toBeUndefined();

    // A server error is no reason to drop it either.
    network.down = false;
    const failing: NotesApi = { list: ws.api.list, put: () => Promise.reject(new ProtocolError('INTERNAL', 'The server answered 503.')) };
    const flaky = engine(ws, { api: failing, clock: () => now });
    await flaky.syncNow();
    expect(flaky.status()).toMatchObject({ online: true, pending: 1 });
    expect(flaky.status().lastError).toMatch(/503/);

    // Back online: it goes up, whole.
    await sync.syncNow();
    expect(sync.status()).toMatchObject({ online: true, pending: 0, lastError: null });
    expect(await onServer(note.id)).toEqual(ws.vault.get(note.id));
    expect((await onServer(note.id))?.status).toBe('signed');
  });

  it('surfaces a draft edited on two workstations as a conflict, never a silent overwrite', async () => {
    const a = await workstation('facilitator');
    const b = await workstation('facilitator');
    const syncA = engine(a);
    const syncB = engine(b);
    const v1 = newNote(a, 'started at the clinic');
    await syncA.syncNow();
    await syncB.syncNow();
    expect(b.vault.get(v1.id)).toEqual(v1);

    const fromA = a.vault.saveDraft(v1.id, body('finished at the clinic'), 1);
    const fromB = b.vault.saveDraft(v1.id, body('finished at home'), 1);
    await syncA.syncNow();
    await syncB.syncNow();
    expect(await onServer(v1.id)).toEqual(fromA);
    expect(syncB.status()).toMatchObject({ online: true, pending: 0, conflicts: 1 });
    expect(b.vault.conflictOf(v1.id)).toEqual(fromA);
    expect(b.vault.get(v1.id)).toEqual(fromB);
    // A conflicted note is not pushed again until the clinician chooses.
    await syncB.syncNow();
    expect(await onServer(v1.id)).toEqual(fromA);

    // B keeps its own text: it goes up as an edit of what the server holds, and A receives it.
    const kept = b.vault.resolveConflict(v1.id, 'mine');
    await syncB.syncNow();
    expect(syncB.status()).toMatchObject({ pending: 0, conflicts: 0 });
    expect(await onServer(v1.id)).toEqual(kept);
    await syncA.syncNow();
    expect(a.vault.get(v1.id)).toEqual(kept);
    expect(a.vault.get(v1.id).body.sections.data).toBe('finished at home');
  });

  it('brings a supervisee’s note to the supervisor, and the co-signature back to the author', async () => {
    const author = await workstation('facilitator');
    const supervisor = await workstation('supervisor');
    const syncAuthor = engine(author);
    const syncSupervisor = engine(supervisor);
    const note = newNote(author, 'needs co-signature');
    author.vault.sign(note.id, author.signer, true);
    await syncAuthor.syncNow();
    await syncSupervisor.syncNow();
    expect(supervisor.vault.get(note.id).status).toBe('awaiting-cosign');

    const cosigned = supervisor.vault.cosign(note.id, supervisor.signer);
    await syncSupervisor.syncNow();
    expect(syncSupervisor.status()).toMatchObject({ pending: 0, lastError: null });
    expect(await onServer(note.id)).toEqual(cosigned);
    await syncAuthor.syncNow();
    expect(author.vault.get(note.id)).toMatchObject({ status: 'cosigned', cosignature: { by: supervisor.signer.id } });
  });
});
