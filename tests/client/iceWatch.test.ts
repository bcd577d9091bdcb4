/** When a stalled or failed transport asks for an ICE restart, and how often. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchIce } from '../../src/client/iceWatch';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  let calls = 0;
  let finish: () => void = () => undefined;
  const restart = () => {
    calls += 1;
    return new Promise<void>((r) => (finish = r));
  };
  return { watch: watchIce(restart, 3000), calls: () => calls, answer: () => finish() };
}

describe('watchIce', () => {
  it('a short blink recovers by itself: no restart', () => {
    const s = setup();
    s.watch.onState('connected');
    s.watch.onState('disconnected');
    vi.advanceTimersByTime(2500);
    s.watch.onState('connected');
    vi.advanceTimersByTime(10_000);
    expect(s.calls()).toBe(0);
  });

  it('a stall that lasts asks for one restart, and another if it is still stalled after that', async () => {
    const s = setup();
    s.watch.onState('connected');
    s.watch.onState('disconnected');
    vi.advanceTimersByTime(3000);
    expect(s.calls()).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(s.calls()).toBe(1); // one at a time: the first has not answered
    s.answer();
    await vi.runAllTicks();
    await Promise.resolve();
    vi.advanceTimersByTime(3000);
    expect(s.calls()).toBe(2);
    s.answer();
    await Promise.resolve();
    s.watch.onState('connected');
    vi.advanceTimersByTime(10_000);
    expect(s.calls()).toBe(2);
  });

  it('a failure asks at once; stopping cancels a pending restart', () => {
    const s = setup();
    s.watch.onState('failed');
    expect(s.calls()).toBe(1);
    const t = setup();
    t.watch.onState('disconnected');
    t.watch.stop();
    vi.advanceTimersByTime(10_000);
    expect(t.calls()).toBe(0);
  });
});
