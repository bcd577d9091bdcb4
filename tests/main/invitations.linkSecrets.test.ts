/**
 * Invitation links carry their secret (main's own handlers, the real vault, a real server): the
 * link main hands the renderer ends in `#k=<secret>.<issuer>`, `invitations:linkSecrets` gives
 * the same secret back at call time from the server's list alone, a re-issue changes it, and
 * without a keychain key the link goes out plain (and says so) instead of failing. The key is
 * the note vault's, made only under the vault's rule: never over notes whose key is missing.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIpcDispatcher, type IpcDispatcher } from '../../src/main/ipc/dispatch';
import { createHandlers, type ConsoleServices } from '../../src/main/ipc/handlers';
import { NotesService } from '../../src/main/notes/notesService';
import { createMemoryKeyStore, KeychainUnavailableError, openVault, type KeyStore } from '../../src/main/notes/vault';
import { RostersService } from '../../src/main/rosters/rostersService';
import type { IpcResults } from '../../src/shared/ipc';
import type { Result } from '../../src/shared/protocol';
import { startRestartableServer, type RestartableServer } from '../support/restartableServer';
import { freshTotp } from '../support/totpCodes';
import { newNote, tempDir } from './notes/support/fixture';
import { consoleServices } from './support/consoleServices';

const FRAGMENT = /^#k=([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{11})$/;

let server: RestartableServer;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  server = await startRestartableServer(0);
});
afterAll(async () => {
  await server?.dispose();
  for (const c of cleanups) c();
});

/** The memory key store, which can be made to answer like a keychain that is not there. */
function switchableKeyStore(): KeyStore & { keys: Map<string, Uint8Array>; available: boolean } {
  const inner = createMemoryKeyStore();
  const store = {
    keys: inner.keys,
    available: true,
    get: async (account: string) => {
      if (!store.available) throw new KeychainUnavailableError('the OS keychain could not be read: no Secret Service');
      return inner.get(account);
    },
    set: async (account: string, key: Uint8Array) => {
      if (!store.available) throw new KeychainUnavailableError('the OS keychain could not store the key: no Secret Service');
      return inner.set(account, key);
    },
  };
  return store;
}

interface Console {
  dispatch: IpcDispatcher;
  services: ConsoleServices;
  baseDir: string;
}

/** The console as main builds it: vault, roster cache and link secrets behind one key store. */
function consoleWith(keyStore: KeyStore): Console {
  const { dir: baseDir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const services = consoleServices();
  services.notes = new NotesService({ baseDir, keyStore, server: services.server, indexWorker: null });
  services.rosters = new RostersService({ baseDir, keyStore, server: services.server });
  services.keyStore = keyStore;
  cleanups.push(() => {
    services.notes.close();
    services.rosters.close();
  });
  return { dispatch: createIpcDispatcher(createHandlers(services)), services, baseDir };
}

async function signIn(c: Console, who: 'facilitator' | 'admin'): Promise<void> {
  const account = server.seed[who];
  const result = await c.dispatch('auth:signIn', {
    serverUrl: server.httpUrl,
    username: account.username,
    password: account.password,
    totp: await freshTotp(account.totpSecret),
  });
  expect(result.ok, JSON.stringify(result)).toBe(true);
}

function data<C extends keyof IpcResults>(_channel: C, result: Result<unknown>): IpcResults[C] {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.data as IpcResults[C];
}

/** The secret and issuer a link carries, or null when it carries none. */
function fragmentOf(url: string): { secret: string; issuer: string } | null {
  const hash = new URL(url).hash;
  if (hash === '') return null;
  const match = FRAGMENT.exec(hash);
  if (!match) throw new Error(`not a link secret fragment: ${hash}`);
  return { secret: match[1]!, issuer: match[2]! };
}

const sessionId = () => server.seed.sessionId;
const invite = (c: Console, participantRef: string) => c.dispatch('invitations:create', { sessionId: sessionId(), participantRef });
const secretsNow = async (c: Console) => data('invitations:linkSecrets', await c.dispatch('invitations:linkSecrets', { sessionId: sessionId() }));

describe('with the keychain', () => {
  it('a link carries its secret, recomputed later from the list; a re-issue gets another; a revoked one has none', async () => {
    const c = consoleWith(createMemoryKeyStore());
    await signIn(c, 'facilitator');

    const first = data('invitations:create', await invite(c, 'IOP-8001'));
    expect(first.linkSecret).toBe(true);
    expect(first.url.startsWith(`${server.httpUrl}/join/${first.token}#k=`)).toBe(true);
    const issuedFragment = fragmentOf(first.url)!;
    const other = data('invitations:create', await invite(c, 'IOP-8002'));
    expect(fragmentOf(other.url)!.secret).not.toBe(issuedFragment.secret);
    expect(fragmentOf(other.url)!.issuer).toBe(issuedFragment.issuer);

    // At call time: the same secret for that client, from the server's list and the keychain alone.
    const atCall = await secretsNow(c);
    expect(atCall.issuer).toBe(issuedFragment.issuer);
    expect(atCall.secrets[first.invitation.participantId]).toBe(issuedFragment.secret);
    expect(atCall.secrets[other.invitation.participantId]).toBe(fragmentOf(other.url)!.secret);

    const again = data('invitations:reissue', await c.dispatch('invitations:reissue', { invitationId: first.invitation.id }));
    expect(again.linkSecret).toBe(true);
    expect(again.invitation.participantId).toBe(first.invitation.participantId);
    const reissuedFragment = fragmentOf(again.url)!;
    expect(reissuedFragment.secret).not.toBe(issuedFragment.secret);
    expect(reissuedFragment.issuer).toBe(issuedFragment.issuer);
    expect((await secretsNow(c)).secrets[first.invitation.participantId]).toBe(reissuedFragment.secret);

    data('invitations:revoke', await c.dispatch('invitations:revoke', { invitationId: other.invitation.id }));
    expect(Object.keys((await secretsNow(c)).secrets)).not.toContain(other.invitation.participantId);

    // Another workstation of the same clinician has another keychain key: its tag says so,
    // and its secrets are not the link's.
    const elsewhere = consoleWith(createMemoryKeyStore());
    await signIn(elsewhere, 'facilitator');
    const theirs = await secretsNow(elsewhere);
    expect(theirs.issuer).toMatch(/^[A-Za-z0-9_-]{11}$/);
    expect(theirs.issuer).not.toBe(issuedFragment.issuer);
    expect(theirs.secrets[first.invitation.participantId]).not.toBe(reissuedFragment.secret);
  }, 60_000);
});

describe('without a keychain key', () => {
  it('keychain unavailable: the link goes out without a fragment and says so; no secrets and no issuer at call time', async () => {
    const keyStore = switchableKeyStore();
    keyStore.available = false;
    const c = consoleWith(keyStore);
    await signIn(c, 'admin');

    const issued = data('invitations:create', await invite(c, 'IOP-8101'));
    expect(issued.linkSecret).toBe(false);
    expect(issued.url).toBe(`${server.httpUrl}/join/${issued.token}`);
    expect(issued.passcode).toMatch(/^\d{6}$/);
    const reissued = data('invitations:reissue', await c.dispatch('invitations:reissue', { invitationId: issued.invitation.id }));
    expect(reissued.linkSecret).toBe(false);
    expect(fragmentOf(reissued.url)).toBeNull();
    expect(await secretsNow(c)).toEqual({ issuer: null, secrets: {} });
  }, 60_000);

  it('a keychain that comes back after sign-in: the vault makes the key then, and the link carries a secret', async () => {
    const keyStore = switchableKeyStore();
    keyStore.available = false;
    const c = consoleWith(keyStore);
    await signIn(c, 'admin');
    expect(data('notes:status', await c.dispatch('notes:status', {})).vault).toMatchObject({ state: 'locked', reason: 'no-keychain' });

    keyStore.available = true;
    const issued = data('invitations:create', await invite(c, 'IOP-8201'));
    expect(issued.linkSecret).toBe(true);
    expect(keyStore.keys.size).toBe(1);
    expect(data('notes:status', await c.dispatch('notes:status', {})).vault).toEqual({ state: 'unlocked' });
    expect((await secretsNow(c)).secrets[issued.invitation.participantId]).toBe(fragmentOf(issued.url)!.secret);
  }, 60_000);

  it('notes whose key is missing: no new key over them, the link goes out without a secret', async () => {
    const keyStore = switchableKeyStore();
    const c = consoleWith(keyStore);
    // A vault with a note in it, then its keychain entry lost.
    const account = `${server.seed.admin.id}@${server.httpUrl}`;
    const vault = await openVault({ dir: join(c.baseDir, 'vaults'), account, keyStore });
    vault.create(newNote(), { id: server.seed.admin.id, name: 'Admin' });
    vault.close();
    keyStore.keys.delete(account);

    await signIn(c, 'admin');
    expect(data('notes:status', await c.dispatch('notes:status', {})).vault).toMatchObject({ state: 'locked', reason: 'no-key' });
    const issued = data('invitations:create', await invite(c, 'IOP-8301'));
    expect(issued.linkSecret).toBe(false);
    expect(fragmentOf(issued.url)).toBeNull();
    expect(keyStore.keys.size).toBe(0);
    expect(await secretsNow(c)).toEqual({ issuer: null, secrets: {} });
  }, 60_000);
});
