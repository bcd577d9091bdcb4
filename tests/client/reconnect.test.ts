import { describe, expect, it } from 'vitest';
import { DELIBERATE_CLOSES, reconnectDelay, RECONNECT_WINDOW_MS } from '../../src/client/reconnect';

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
