/**
 * The words of a catalogue (the participant page's, src/participant/i18n; the console's,
 * src/renderer/src/i18n) by their paths, and the check every translation passes against English.
 */
import { expect } from 'vitest';

/** Every leaf of a catalogue by its path ("call.connection.weak.label"), strings and functions alike. */
export function leaves(value: unknown, path = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      for (const [p, leaf] of leaves(inner, path ? `${path}.${key}` : key)) out.set(p, leaf);
    }
  } else {
    out.set(path, value);
  }
  return out;
}

/** No word of `words` is empty, and each takes what its English word takes (a string, or a function of as many values). */
export function expectEachWordLike(words: Map<string, unknown>, english: Map<string, unknown>): void {
  for (const [path, value] of words) {
    const model = english.get(path);
    expect(typeof value, path).toBe(typeof model);
    if (typeof value === 'string') expect(value.trim(), path).not.toBe('');
    if (typeof value === 'function') expect(value.length, path).toBe((model as (...a: unknown[]) => unknown).length);
  }
}
