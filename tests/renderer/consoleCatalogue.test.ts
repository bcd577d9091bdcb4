/**
 * The console's words (issue 23): one catalogue per language (English shipped), each with every
 * word English has and none empty, so a translation added later is checked as the participant
 * page's are (tests/participant/i18n.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { CONSOLE_CATALOGUES } from '../../src/renderer/src/i18n';
import { en } from '../../src/renderer/src/i18n/en';

function leaves(value: unknown, path = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) for (const [p, leaf] of leaves(inner, path ? `${path}.${key}` : key)) out.set(p, leaf);
  } else {
    out.set(path, value);
  }
  return out;
}

const english = leaves(en);

describe('the console’s catalogues', () => {
  it('hold the words moved so far', () => {
    expect(english.size).toBeGreaterThan(50);
  });

  for (const [language, catalogue] of Object.entries(CONSOLE_CATALOGUES)) {
    it(`${language}: has every word English has, none empty, each taking what English's takes`, () => {
      const words = leaves(catalogue);
      expect([...words.keys()].sort()).toEqual([...english.keys()].sort());
      for (const [path, value] of words) {
        const model = english.get(path);
        expect(typeof value, path).toBe(typeof model);
        if (typeof value === 'string') expect(value.trim(), path).not.toBe('');
        if (typeof value === 'function') expect(value.length, path).toBe((model as (...a: unknown[]) => unknown).length);
      }
    });
  }
});
