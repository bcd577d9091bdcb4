import { describe, expect, it } from 'vitest';
import { createIpcDispatcher, type IpcHandlers } from '../../src/main/ipc/dispatch';
import { captureProtectionFor, createHandlers } from '../../src/main/ipc/handlers';
import { consoleServices } from './support/consoleServices';
import { IPC_CHANNELS } from '../../src/shared/ipc';
import { ProtocolError } from '../../src/shared/protocol';

function handlers(overrides: Partial<IpcHandlers> = {}): IpcHandlers {
  return {
    ...createHandlers(consoleServices()),
    ...overrides,
  };
}

describe('IPC dispatcher', () => {
  it('has a handler for every channel of the contract', () => {
    expect(Object.keys(handlers()).sort()).toEqual([...IPC_CHANNELS].sort());
  });

  it('answers an unknown channel with BAD_REQUEST instead of throwing', async () => {
    const dispatch = createIpcDispatcher(handlers());
    await expect(dispatch('fs:readFile', {})).resolves.toEqual({
      ok: false,
      error: { code: 'BAD_REQUEST', message: 'unknown channel', reason: 'invalid-request' },
    });
    await expect(dispatch(42, {})).resolves.toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('rejects a payload that fails the channel schema before the handler runs', async () => {
    let ran = false;
    const dispatch = createIpcDispatcher(
      handlers({
        'auth:signIn': async () => {
          ran = true;
          throw new Error('unreachable');
        },
      }),
    );
    const result = await dispatch('auth:signIn', { serverUrl: 'file:///etc/passwd', username: 'a', password: 'b' });
    // The address's check names its reason, so the console says in its own words what is wrong.
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', reason: 'server-address-invalid' } });
    expect(result.ok === false && result.error.message).toContain('serverUrl');
    expect(ran).toBe(false);
    await expect(dispatch('app:info', { extra: true })).resolves.toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', reason: 'invalid-request' } });
  });

  it('turns a ProtocolError into its code and any other error into INTERNAL without internals', async () => {
    const dispatch = createIpcDispatcher(
      handlers({
        'sessions:list': async () => {
          throw new ProtocolError('UNAUTHENTICATED', 'Sign in first.', { reason: 'sign-in-first' });
        },
        'auth:current': async () => {
          throw new Error('SQLITE_CORRUPT at /home/x/secret.db');
        },
      }),
    );
    await expect(dispatch('sessions:list', {})).resolves.toEqual({
      ok: false,
      error: { code: 'UNAUTHENTICATED', message: 'Sign in first.', reason: 'sign-in-first' },
    });
    const internal = await dispatch('auth:current', {});
    expect(internal).toMatchObject({ ok: false, error: { code: 'INTERNAL', reason: 'console-failed' } });
    expect(JSON.stringify(internal)).not.toContain('secret.db');
  });

  it('wraps a handler result in the ok envelope', async () => {
    const dispatch = createIpcDispatcher(handlers());
    await expect(dispatch('app:info', {})).resolves.toEqual({
      ok: true,
      data: { platform: 'linux', version: 't', captureProtection: 'unavailable', defaultServerUrl: null },
    });
    await expect(dispatch('auth:current', undefined)).resolves.toEqual({ ok: true, data: null });
  });

  it('refuses session calls before sign-in', async () => {
    const dispatch = createIpcDispatcher(handlers());
    await expect(dispatch('sessions:connect', { sessionId: 's1' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
  });
});

describe('knock notifications', () => {
  it('count who is waiting and never carry a name', async () => {
    const shown: string[] = [];
    const dispatch = createIpcDispatcher({
      ...handlers(),
      ...createHandlers(consoleServices({ notifier: { show: (_title, body) => shown.push(body) } })),
    });
    await dispatch('app:notifyKnock', { waiting: 1 });
    await dispatch('app:notifyKnock', { waiting: 3 });
    expect(shown).toEqual(['Someone is waiting to be let in.', '3 people are waiting to be let in.']);
    await expect(dispatch('app:notifyKnock', { waiting: 1, name: 'Robin' })).resolves.toMatchObject({ ok: true });
    expect(shown.join(' ')).not.toContain('Robin');
    await expect(dispatch('app:notifyKnock', { waiting: 0 })).resolves.toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});

describe('capture protection', () => {
  it('is enforced on macOS and Windows and reported unavailable on Linux', () => {
    expect(captureProtectionFor('darwin')).toBe('enforced');
    expect(captureProtectionFor('win32')).toBe('enforced');
    expect(captureProtectionFor('linux')).toBe('unavailable');
  });
});
