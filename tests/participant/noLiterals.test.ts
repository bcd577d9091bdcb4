/**
 * No words left in the participant page's components (issue 23): every word a client sees or
 * hears comes from a catalogue (src/participant/i18n/), so a Spanish page never shows English.
 * Walks every .tsx file of the page with the TypeScript compiler and fails on a word written
 * in JSX text, in a user-facing attribute (aria-label, title, placeholder, alt…), in a
 * component's property that reads as a phrase, or as a literal a JSX expression shows
 * (`{busy ? 'Checking…' : 'Continue'}`).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsxFiles, wordsInJsx } from '../support/jsxWords';

const ROOT = join(__dirname, '../../src/participant');

describe('the participant page’s components', () => {
  const files = tsxFiles(ROOT);

  it('are all checked', () => {
    expect(files.length).toBeGreaterThan(15);
  });

  it('write no words of their own: every word comes from a catalogue', () => {
    expect(files.flatMap((file) => wordsInJsx(ROOT, file))).toEqual([]);
  });

  it('would notice a word written in any of those places', () => {
    const sample = `
      export const A = () => (
        <section aria-label="People here">
          <h1>Welcome</h1>
          <p>{busy ? 'Checking…' : t.ok}</p>
          <Caption caption="Only you can see this" />
          <input placeholder={\`For \${x}\`} className="input" />
          <span className="brand">Confidant</span> · {t.words}
        </section>
      );`;
    expect(wordsInJsx(ROOT, join(ROOT, 'Sample.tsx'), sample).map((f) => f.replace(/^Sample\.tsx:\d+: /, ''))).toEqual([
      'aria-label="People here"',
      'Welcome',
      'Checking…',
      'caption="Only you can see this"',
      'placeholder="For "',
    ]);
  });
});
