/**
 * A member without the group key announces again, with growing pauses, until the key comes
 * (src/client/e2ee/keyWait.ts); nothing is asked while it comes in time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyWait } from '../../src/client/e2ee/keyWait';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('waiting for a key', () => {
  it('asks again after each pause, the last pause repeated, until the key comes', async () => {
    const asked: number[] = [];
    const wait = new KeyWait(async () => void asked.push(Date.now()), [100, 200, 400]);
    const start = Date.now();
    wait.waiting();
    wait.waiting();
    await vi.advanceTimersByTimeAsync(99);
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(200);
    await vi.advanceTimersByTimeAsync(400);
    await vi.advanceTimersByTimeAsync(400);
    expect(asked.map((t) => t - start)).toEqual([100, 300, 700, 1100]);
    wait.settled();
    expect(wait.pending).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(asked).toHaveLength(4);
  });

  it('asks nothing when the key comes within the first pause, and starts over from the shortest pause', async () => {
    let asked = 0;
    const wait = new KeyWait(async () => void asked++, [100, 1000]);
    wait.waiting();
    await vi.advanceTimersByTimeAsync(50);
    wait.settled();
    await vi.advanceTimersByTimeAsync(500);
    expect(asked).toBe(0);
    wait.waiting();
    await vi.advanceTimersByTimeAsync(100);
    expect(asked).toBe(1);
    wait.settled();
    wait.waiting();
    await vi.advanceTimersByTimeAsync(100);
    expect(asked).toBe(2);
  });

  it('an announcement that fails (the socket closed) is tried again after the next pause', async () => {
    let tries = 0;
    const wait = new KeyWait(async () => {
      tries++;
      throw new Error('closed');
    }, [100, 100]);
    wait.waiting();
    await vi.advanceTimersByTimeAsync(250);
    expect(tries).toBe(2);
    wait.settled();
  });

  it('a key that comes while an announcement is on its way stops the next one', async () => {
    let answer: (() => void) | undefined;
    let asked = 0;
    const wait = new KeyWait(() => {
      asked++;
      return new Promise<void>((resolve) => (answer = resolve));
    }, [100]);
    wait.waiting();
    await vi.advanceTimersByTimeAsync(100);
    expect(asked).toBe(1);
    wait.settled();
    answer!();
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toBe(1);
    expect(wait.pending).toBe(false);
  });
});
