/**
 * Falling back to audio on a poor link (src/client/videoFallback.ts): the camera is held back
 * when the link turns poor, comes back once the link has stayed good for the wait, waits
 * longer after a relapse, and never overrides what the person chose.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECOVER_AFTER_MS, VideoFallback } from '../../src/client/videoFallback';

function fallback(sending = true) {
  const acts: string[] = [];
  const state = { sending };
  const f = new VideoFallback({
    sendingVideo: () => state.sending,
    holdBack: async () => {
      acts.push('hold');
      state.sending = false;
    },
    bringBack: async () => {
      acts.push('back');
      state.sending = true;
    },
  });
  return { f, acts, state };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('falling back to audio', () => {
  it('takes a level said again as no news: a good link’s wait keeps running', async () => {
    const { f, acts } = fallback();
    f.onQuality('poor');
    f.onQuality('poor');
    expect(acts).toEqual(['hold']);
    f.onQuality('good');
    await vi.advanceTimersByTimeAsync(RECOVER_AFTER_MS / 2);
    // The same level again (the other direction changed) does not start the wait over.
    f.onQuality('good');
    await vi.advanceTimersByTimeAsync(RECOVER_AFTER_MS / 2);
    expect(acts).toEqual(['hold', 'back']);
  });

  it('holds the camera back on a poor link, and brings it back after the link stays good', async () => {
    const { f, acts } = fallback();
    f.onQuality('good');
    f.onQuality('poor');
    expect(acts).toEqual(['hold']);
    expect(f.holding).toBe(true);
    f.onQuality('good');
    await vi.advanceTimersByTimeAsync(RECOVER_AFTER_MS - 1);
    expect(acts).toEqual(['hold']);
    await vi.advanceTimersByTimeAsync(1);
    expect(acts).toEqual(['hold', 'back']);
    expect(f.holding).toBe(false);
  });

  it('waits again if the link weakens before the wait is over', async () => {
    const { f, acts } = fallback();
    f.onQuality('poor');
    f.onQuality('good');
    await vi.advanceTimersByTimeAsync(RECOVER_AFTER_MS / 2);
    f.onQuality('weak');
    await vi.advanceTimersByTimeAsync(RECOVER_AFTER_MS * 2);
    expect(acts).toEqual(['hold']);
    f.onQuality('good');
    await vi.advanceTimersByTimeAsync(RECOVER_AFTER_MS);
    expect(acts).toEqual(['hold', 'back']);
  });

  it('waits twice as long after a relapse soon after coming back', async () => {
    const { f, acts } = fallback();
    f.onQuality('poor');
    f.onQuality('good');
    await vi.advanceTimersByTimeAsync(RECOVER_AFTER_MS);
    f.onQuality('poor');
    f.onQuality('good');
    await vi.advanceTimersByTimeAsync(RECOVER_AFTER_MS);
    expect(acts).toEqual(['hold', 'back', 'hold']);
    await vi.advanceTimersByTimeAsync(RECOVER_AFTER_MS);
    expect(acts).toEqual(['hold', 'back', 'hold', 'back']);
  });

  it('does nothing without a camera being sent, and never overrides the person', async () => {
    const off = fallback(false);
    off.f.onQuality('poor');
    expect(off.acts).toEqual([]);
    const { f, acts } = fallback();
    f.onQuality('poor');
    // They turned the camera off (or on) themselves while it was held: no coming back by itself.
    f.personChose();
    f.onQuality('good');
    await vi.advanceTimersByTimeAsync(RECOVER_AFTER_MS * 4);
    expect(acts).toEqual(['hold']);
    expect(f.holding).toBe(false);
  });
});
