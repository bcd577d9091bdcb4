/**
 * The facilitator's blur choice is kept on the workstation (issue 21): turned on, the next
 * console starts with it on; a workstation whose storage refuses starts with it off, and
 * choosing still works for the session.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

/** A local storage as browsers give it, kept in a map. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
}

/** A console store as a fresh start makes it (the kept choice is read when the store is made). */
async function freshConsole() {
  vi.resetModules();
  return (await import('../../src/renderer/src/store')).useConsole;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the console's blur choice", () => {
  it('is off at first, and a choice is kept for the next start', async () => {
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    const first = await freshConsole();
    expect(first.getState().localBlur).toBe(false);
    first.getState().setLocalBlur(true);
    expect(storage.getItem('confidant.console.blur')).toBe('on');
    expect((await freshConsole()).getState().localBlur).toBe(true);
    (await freshConsole()).getState().setLocalBlur(false);
    expect((await freshConsole()).getState().localBlur).toBe(false);
  });

  it('still works for the session where storage is refused', async () => {
    vi.stubGlobal('localStorage', {
      getItem: () => {
        throw new Error('refused');
      },
      setItem: () => {
        throw new Error('refused');
      },
    });
    const store = await freshConsole();
    expect(store.getState().localBlur).toBe(false);
    store.getState().setLocalBlur(true);
    expect(store.getState().localBlur).toBe(true);
  });
});
