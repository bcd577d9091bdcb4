import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DELIBERATE_CLOSES, getBackIn, reconnectDelay, RECONNECT_WINDOW_MS } from '../../src/client/reconnect';

describe('getting back in after a drop (the page and the console alike)', () => {
  it('waits a quarter second first, then longer, and every 5 s from the sixth try on', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(reconnectDelay)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
    expect(reconnectDelay(-1)).toBe(250);
  });

  it('keeps trying past the server’s 60 s grace period, so a place held that long is found', () => {
    let elapsed = 0;
    let tries = 0;
    while (elapsed < 60_000) elapsed += reconnectDelay(tries++);
    expect(RECONNECT_WINDOW_MS).toBeGreaterThan(elapsed);
  });

  it('never comes back by itself after a close the server made on purpose', () => {
    expect([...DELIBERATE_CLOSES].sort()).toEqual([1000, 1008, 1009]);
    // A dropped connection (1006) or a server going away (1001) is worth another try.
    expect(DELIBERATE_CLOSES.has(1006)).toBe(false);
    expect(DELIBERATE_CLOSES.has(1001)).toBe(false);
  });
});

describe('getBackIn: the one loop that tries again', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const transient = () => new Error('connection refused');
  const refusal = () => new Error('session ended');
  const isFinal = (err: unknown) => err instanceof Error && err.message === 'session ended';

  it('stops at a final refusal at once, without waiting or trying again', async () => {
    const attempt = vi.fn(() => Promise.reject(refusal()));
    const result = await getBackIn({ attempt, isFinal, cancelled: () => false });
    expect(result).toEqual({ outcome: 'refused', error: refusal() });
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('tries again after a transient failure, waiting the backoff between tries', async () => {
    const attempt = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(transient())
      .mockRejectedValueOnce(transient())
      .mockResolvedValue('hello');
    const running = getBackIn({ attempt, isFinal, cancelled: () => false });
    await vi.advanceTimersByTimeAsync(0);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(reconnectDelay(0) - 1);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempt).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(reconnectDelay(1) - 1);
    expect(attempt).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempt).toHaveBeenCalledTimes(3);
    await expect(running).resolves.toEqual({ outcome: 'in', value: 'hello' });
  });

  it('gives up once RECONNECT_WINDOW_MS has passed, with the last failure, and tries no more', async () => {
    let tries = 0;
    const attempt = vi.fn(() => Promise.reject(new Error(`try ${++tries}`)));
    const running = getBackIn({ attempt, isFinal, cancelled: () => false });
    let settled = false;
    void running.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(RECONNECT_WINDOW_MS - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(reconnectDelay(50));
    const result = await running;
    expect(result).toEqual({ outcome: 'timedOut', error: new Error(`try ${tries}`) });
    const made = attempt.mock.calls.length;
    // The waits add up to the window: no tighter loop than the backoff, no try past it.
    let waited = 0;
    for (let i = 0; i < made - 1; i++) waited += reconnectDelay(i);
    expect(waited).toBeGreaterThanOrEqual(RECONNECT_WINDOW_MS);
    expect(waited - reconnectDelay(made - 2)).toBeLessThan(RECONNECT_WINDOW_MS);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempt).toHaveBeenCalledTimes(made);
  });

  it('stops when cancelled while waiting, before another try', async () => {
    let cancelled = false;
    const attempt = vi.fn(() => Promise.reject(transient()));
    const running = getBackIn({ attempt, isFinal, cancelled: () => cancelled });
    await vi.advanceTimersByTimeAsync(0);
    cancelled = true;
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(running).resolves.toEqual({ outcome: 'cancelled' });
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('does not act on an answer that came after a cancel, whether it let them in or refused', async () => {
    for (const answer of [() => Promise.resolve('hello'), () => Promise.reject(refusal()), () => Promise.reject(transient())]) {
      let cancelled = false;
      const attempt = vi.fn(() => {
        cancelled = true;
        return answer();
      });
      await expect(getBackIn({ attempt, isFinal, cancelled: () => cancelled })).resolves.toEqual({ outcome: 'cancelled' });
      expect(attempt).toHaveBeenCalledTimes(1);
    }
  });

  it('makes no try at all when already cancelled', async () => {
    const attempt = vi.fn(() => Promise.resolve('hello'));
    await expect(getBackIn({ attempt, isFinal, cancelled: () => true })).resolves.toEqual({ outcome: 'cancelled' });
    expect(attempt).not.toHaveBeenCalled();
  });
});
