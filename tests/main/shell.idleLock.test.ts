/**
 * The idle lock in main: its setting, the powerMonitor watcher, the lock itself, the IPC
 * calls it refuses while locked, and unlocking against a real session server.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createIpcDispatcher, type IpcHandlers } from '../../src/main/ipc/dispatch';
import { createHandlers } from '../../src/main/ipc/handlers';
import { ConsoleLock } from '../../src/main/lock/consoleLock';
import { watchIdle, type PowerSource } from '../../src/main/lock/idleWatcher';
import { CHANNELS_OPEN_WHILE_LOCKED, guardWhileLocked, LOCKED_MESSAGE } from '../../src/main/lock/lockGate';
import { DEFAULT_IDLE_LOCK_MINUTES, idleLockMinutes } from '../../src/main/lock/settings';
import { IPC_CHANNELS, type IpcChannel, type LockReason, type LockState } from '../../src/shared/ipc';
import { ProtocolError } from '../../src/shared/protocol';
import { startDemoServer, type DemoServer } from '../support/demoServer';
import { freshTotp } from '../support/totpCodes';
import { consoleServices } from './support/consoleServices';
import { EventEmitter } from 'node:events';

describe('the idle time setting', () => {
  it('defaults to 10 minutes and takes whole minutes from 1 to 60', () => {
    expect(idleLockMinutes({})).toBe(DEFAULT_IDLE_LOCK_MINUTES);
    expect(DEFAULT_IDLE_LOCK_MINUTES).toBe(10);
    expect(idleLockMinutes({ CONFIDANT_IDLE_LOCK_MINUTES: ' 5 ' })).toBe(5);
    expect(idleLockMinutes({ CONFIDANT_IDLE_LOCK_MINUTES: '60' })).toBe(60);
  });

  it('refuses anything else with a message that names the setting', () => {
    for (const bad of ['0', '61', '2.5', 'ten', '-1', '1e3']) {
      expect(() => idleLockMinutes({ CONFIDANT_IDLE_LOCK_MINUTES: bad })).toThrow(/CONFIDANT_IDLE_LOCK_MINUTES must be a whole number of minutes from 1 to 60/);
    }
  });
});

class FakePower extends EventEmitter implements PowerSource {
  idle = 0;
  getSystemIdleTime(): number {
    return this.idle;
  }
}

describe('the powerMonitor watcher', () => {
  it('locks once when the system has been idle for the set time, again only after new activity', () => {
    vi.useFakeTimers();
    try {
      const power = new FakePower();
      const locks: LockReason[] = [];
      const stop = watchIdle(power, { idleMinutes: 10, pollMs: 1000, onLock: (r) => locks.push(r) });
      power.idle = 599;
      vi.advanceTimersByTime(1000);
      expect(locks).toEqual([]);
      power.idle = 600;
      vi.advanceTimersByTime(5000);
      expect(locks).toEqual(['idle']);
      power.idle = 3; // someone typed
      vi.advanceTimersByTime(1000);
      power.idle = 700;
      vi.advanceTimersByTime(1000);
      expect(locks).toEqual(['idle', 'idle']);
      stop();
      power.idle = 0;
      vi.advanceTimersByTime(1000);
      power.idle = 900;
      vi.advanceTimersByTime(5000);
      expect(locks).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('locks at once when the screen locks or the machine sleeps, and stops listening when stopped', () => {
    const power = new FakePower();
    const locks: LockReason[] = [];
    const stop = watchIdle(power, { idleMinutes: 10, onLock: (r) => locks.push(r) });
    power.emit('lock-screen');
    power.emit('suspend');
    expect(locks).toEqual(['lock-screen', 'suspend']);
    stop();
    power.emit('suspend');
    expect(locks).toHaveLength(2);
    expect(power.listenerCount('suspend') + power.listenerCount('lock-screen')).toBe(0);
  });
});

describe('the console lock', () => {
  it('locks only while someone is signed in, keeps its first reason, and reports every change', () => {
    let signedIn = false;
    const lock = new ConsoleLock({ idleMinutes: 7, isSignedIn: () => signedIn });
    const heard: LockState[] = [];
    lock.onChange((s) => heard.push(s));
    expect(lock.lock('idle')).toBe(false);
    signedIn = true;
    expect(lock.lock('suspend')).toBe(true);
    expect(lock.lock('idle')).toBe(true);
    lock.unlock();
    expect(heard).toEqual([
      { locked: true, reason: 'suspend', idleMinutes: 7 },
      { locked: false, reason: null, idleMinutes: 7 },
    ]);
  });

  it('makes main refuse every call that could show names, notes or rosters', async () => {
    const lock = new ConsoleLock({ idleMinutes: 10, isSignedIn: () => true });
    const ran: IpcChannel[] = [];
    const recording = Object.fromEntries(IPC_CHANNELS.map((c) => [c, async () => void ran.push(c)])) as unknown as IpcHandlers;
    const guarded = guardWhileLocked(recording, lock);
    const call = (c: IpcChannel) => (guarded[c] as (r: never) => Promise<unknown>)({} as never);
    lock.lock('idle');
    for (const channel of IPC_CHANNELS) {
      if (CHANNELS_OPEN_WHILE_LOCKED.has(channel)) {
        await call(channel);
      } else {
        await expect(call(channel), channel).rejects.toEqual(new ProtocolError('FORBIDDEN', LOCKED_MESSAGE, { reason: 'console-locked' }));
      }
    }
    expect(ran.sort()).toEqual([...CHANNELS_OPEN_WHILE_LOCKED].sort());
    // What stays open carries nobody's details (and the lock's own calls).
    expect([...CHANNELS_OPEN_WHILE_LOCKED].sort()).toEqual(
      ['app:info', 'app:notifyKnock', 'auth:current', 'auth:lock', 'auth:signOut', 'auth:unlock', 'lock:status', 'notes:save', 'notes:status'].sort(),
    );
    lock.unlock();
    ran.length = 0;
    await call('notes:list');
    expect(ran).toEqual(['notes:list']);
  });
});

describe('locking and unlocking against a real session server', () => {
  let demo: DemoServer;
  beforeAll(async () => {
    demo = await startDemoServer();
  });
  afterAll(async () => {
    await demo?.stop();
  });

  function consoleMain() {
    const services = consoleServices();
    return { services, dispatch: createIpcDispatcher(createHandlers(services)) };
  }

  async function signIn(dispatch: ReturnType<typeof consoleMain>['dispatch'], who: 'facilitator' | 'supervisor') {
    const account = demo.info[who];
    const result = await dispatch('auth:signIn', {
      serverUrl: demo.info.httpUrl,
      username: account.username,
      password: account.password,
      totp: await freshTotp(account.totpSecret ?? '', `${demo.info.httpUrl}|${who}`),
    });
    expect(result).toMatchObject({ ok: true });
    return account;
  }

  it('unlocks only with the clinician\'s password and a fresh code, and refuses details until then', async () => {
    const { dispatch } = consoleMain();
    const me = await signIn(dispatch, 'facilitator');
    await expect(dispatch('auth:lock', {})).resolves.toEqual({ ok: true, data: { locked: true, reason: 'manual', idleMinutes: 10 } });
    await expect(dispatch('sessions:list', {})).resolves.toEqual({ ok: false, error: { code: 'FORBIDDEN', message: LOCKED_MESSAGE, reason: 'console-locked' } });
    await expect(dispatch('notes:list', {})).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    await expect(dispatch('auth:unlock', { password: 'not-my-password-at-all' })).resolves.toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'the password or code is not right', reason: 'unlock-wrong' },
    });
    await expect(dispatch('auth:unlock', { password: me.password })).resolves.toMatchObject({ ok: false, error: { message: /6-digit code/ } });
    // Still signed in, still locked.
    await expect(dispatch('lock:status', {})).resolves.toMatchObject({ ok: true, data: { locked: true } });
    await expect(dispatch('auth:current', {})).resolves.toMatchObject({ ok: true, data: { user: { username: me.username } } });

    const code = await freshTotp(me.totpSecret ?? '', `${demo.info.httpUrl}|facilitator`);
    await expect(dispatch('auth:unlock', { password: me.password, totp: code })).resolves.toMatchObject({ ok: true, data: { locked: false } });
    await expect(dispatch('sessions:list', {})).resolves.toMatchObject({ ok: true });
  });

  it('signs out, forgetting the token and the note keys, when wrong attempts lock the account', async () => {
    const { dispatch } = consoleMain();
    await signIn(dispatch, 'supervisor');
    await expect(dispatch('notes:status', {})).resolves.toMatchObject({ ok: true, data: { vault: { state: 'unlocked' } } });
    await dispatch('auth:lock', {});
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await dispatch('auth:unlock', { password: `wrong-password-${i}` }));
    expect(answers.slice(0, 4).map((a) => !a.ok && a.error.code)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(answers[4]).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: /signed out/ } });
    await expect(dispatch('auth:current', {})).resolves.toEqual({ ok: true, data: null });
    await expect(dispatch('lock:status', {})).resolves.toMatchObject({ ok: true, data: { locked: false } });
    await expect(dispatch('notes:status', {})).resolves.toMatchObject({ ok: true, data: { vault: { state: 'closed' } } });
  });

  it('forgets the token and the note keys at sign-out, and a signed-out console cannot be locked', async () => {
    const { dispatch, services } = consoleMain();
    await signIn(dispatch, 'facilitator');
    await dispatch('auth:lock', {});
    await expect(dispatch('auth:signOut', {})).resolves.toEqual({ ok: true, data: {} });
    expect(services.server.current()).toBeNull();
    await expect(dispatch('notes:status', {})).resolves.toMatchObject({ ok: true, data: { vault: { state: 'closed' } } });
    await expect(dispatch('auth:lock', {})).resolves.toMatchObject({ ok: true, data: { locked: false } });
    await expect(dispatch('sessions:connect', { sessionId: 's1' })).resolves.toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});
