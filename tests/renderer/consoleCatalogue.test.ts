/**
 * The console's words (issue 23): one catalogue per language (English shipped), each with every
 * word English has and none empty, so a translation added later is checked as the participant
 * page's are (tests/participant/i18n.test.ts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSOLE_CATALOGUES } from '../../src/renderer/src/i18n';
import { en } from '../../src/renderer/src/i18n/en';
import { expectEachWordLike, leaves } from '../support/catalogueWords';
import { tsxFiles, wordsInJsx } from '../support/jsxWords';

const ROOT = join(__dirname, '../../src/renderer/src');

/** The console's files whose words are not in the catalogue yet, and why (none now: the video tile moved last). */
const NOT_YET_MOVED = new Set<string>();

const english = leaves(en);

describe('the console’s catalogues', () => {
  it('hold the words moved so far', () => {
    expect(english.size).toBeGreaterThan(50);
  });

  for (const [language, catalogue] of Object.entries(CONSOLE_CATALOGUES)) {
    it(`${language}: has every word English has, none empty, each taking what English's takes`, () => {
      const words = leaves(catalogue);
      expect([...words.keys()].sort()).toEqual([...english.keys()].sort());
      expectEachWordLike(words, english);
    });
  }
});

describe('the console’s components', () => {
  it('write no words of their own outside the files not yet moved to the catalogue', () => {
    const files = tsxFiles(ROOT);
    expect(files.length).toBeGreaterThan(30);
    const found = files.flatMap((file) => wordsInJsx(ROOT, file)).filter((f) => !NOT_YET_MOVED.has(f.split(':')[0]!));
    expect(found).toEqual([]);
  });

  it('still have words to move in each file the list names (so the list shrinks as they move)', () => {
    for (const file of NOT_YET_MOVED) expect(wordsInJsx(ROOT, join(ROOT, file)).length, file).toBeGreaterThan(0);
  });
});
