import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/shared/backoff';

describe('the one backoff rule', () => {
  it('doubles from the base up to the ceiling and holds there', () => {
    const rule = { baseMs: 250, maxMs: 5_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 100].map((a) => backoffDelay(a, rule))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
    expect(backoffDelay(-3, rule)).toBe(250);
  });

  it('with jitter, waits between half and all of that, as the random draw says', () => {
    const rule = { baseMs: 2_000, maxMs: 300_000, jitter: true };
    expect(backoffDelay(0, rule, () => 0)).toBe(1_000);
    expect(backoffDelay(0, rule, () => 0.5)).toBe(1_500);
    expect(backoffDelay(3, rule, () => 0.999_999)).toBe(16_000);
    expect(backoffDelay(40, rule, () => 0)).toBe(150_000);
  });
});
