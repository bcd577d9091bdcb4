/** What the preload exposes to the page: the IPC contract and main's events, nothing else. */
import { describe, expect, it } from 'vitest';
import { buildBridge, type BridgeIpc } from '../../src/preload/bridge';
import { IPC_CHANNELS } from '../../src/shared/ipcChannels';

/** A typed fake of ipcRenderer that records invocations and can deliver main's events. */
class FakeIpcRenderer implements BridgeIpc {
  readonly invoked: [string, unknown][] = [];
  readonly listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  async invoke(channel: string, payload: unknown): Promise<unknown> {
    this.invoked.push([channel, payload]);
    return { ok: true, data: {} };
  }
  on(channel: string, listener: (event: unknown, payload: unknown) => void): this {
    this.listeners.set(channel, (this.listeners.get(channel) ?? new Set()).add(listener));
    return this;
  }
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  /** Main sends an event, with the IpcRendererEvent Electron would pass first. */
  send(channel: string, payload: unknown): void {
    const event = { sender: this, senderId: 0 };
    this.listeners.get(channel)?.forEach((l) => l(event, payload));
  }
}

describe('the preload bridge', () => {
  it('is one function per IPC channel plus `on`, frozen', () => {
    const bridge = buildBridge(new FakeIpcRenderer());
    expect(Object.keys(bridge).sort()).toEqual([...IPC_CHANNELS, 'on'].sort());
    expect(Object.values(bridge).every((v) => typeof v === 'function')).toBe(true);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('invokes exactly the channel it is named after', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = buildBridge(ipc);
    await bridge['auth:unlock']({ password: 'pw', totp: '123456' });
    expect(ipc.invoked).toEqual([['auth:unlock', { password: 'pw', totp: '123456' }]]);
  });

  it('hands a listener main\'s payload and never the IPC event (whose sender is ipcRenderer)', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = buildBridge(ipc);
    const heard: unknown[][] = [];
    const stop = bridge.on('lock:changed', (...args: unknown[]) => heard.push(args));
    const state = { locked: true, reason: 'idle', idleMinutes: 10 };
    ipc.send('lock:changed', state);
    expect(heard).toEqual([[state]]);
    stop();
    ipc.send('lock:changed', { ...state, locked: false });
    expect(heard).toHaveLength(1);
  });

  it('listens to main\'s events only, never to an arbitrary channel', () => {
    const ipc = new FakeIpcRenderer();
    const on = buildBridge(ipc).on as (event: string, listener: unknown) => unknown;
    expect(() => on('auth:signIn', () => undefined)).toThrow(/unknown event/);
    expect(() => on('lock:changed', 'not a function')).toThrow(/unknown event/);
    expect(ipc.listeners.size).toBe(0);
  });
});
