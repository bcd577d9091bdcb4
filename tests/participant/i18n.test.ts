/**
 * The participant page's words (issue 23): every catalogue has every English word, none is
 * empty, the language is chosen from this device's earlier choice or the browser's, and words
 * for situations the server reports by code read in the page's language.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOGUES, LANGUAGES, notOpenYet, pickLanguage, words } from '../../src/participant/i18n';
import { en } from '../../src/participant/i18n/en';
import { setPageState } from '../../src/participant/store';
import { expectEachWordLike, leaves } from '../support/catalogueWords';

const english = leaves(en);

afterEach(() => setPageState({ language: 'en' }));

describe('the catalogues', () => {
  it('has something to check: English has hundreds of words', () => {
    expect(english.size).toBeGreaterThan(150);
  });

  for (const language of LANGUAGES) {
    describe(language, () => {
      const catalogue = leaves(CATALOGUES[language]);

      it('has every word English has, and no other', () => {
        expect([...catalogue.keys()].sort()).toEqual([...english.keys()].sort());
      });

      it('leaves no word empty, and takes what each English word takes', () => {
        expectEachWordLike(catalogue, english);
      });

      it('says an ending calmly the same way English does (the tone of each screen)', () => {
        for (const [reason, copy] of Object.entries(CATALOGUES[language].ended.reasons)) {
          const model = en.ended.reasons[reason as keyof typeof en.ended.reasons];
          expect(copy.tone, reason).toBe(model.tone);
          expect(Boolean(copy.retry), reason).toBe(Boolean(model.retry));
          expect(Boolean(copy.support), reason).toBe(Boolean(model.support));
        }
      });
    });
  }

  it('keeps the Spanish apart from the English: none of its words is left in English', () => {
    const spanish = leaves(CATALOGUES.es);
    // An ending's tone is how it is drawn, not words.
    const same = [...english].filter(([path, value]) => typeof value === 'string' && !path.endsWith('.tone') && spanish.get(path) === value);
    expect(same).toEqual([]);
  });
});

describe('choosing the language', () => {
  it('keeps the choice made on this device, else takes the first language of the browser the page speaks', () => {
    expect(pickLanguage('es', ['en-US'])).toBe('es');
    expect(pickLanguage('en', ['es-MX'])).toBe('en');
    expect(pickLanguage(null, ['es-MX', 'en-US'])).toBe('es');
    expect(pickLanguage(null, ['fr-FR', 'es-ES', 'en'])).toBe('es');
    expect(pickLanguage(null, ['fr-FR', 'de'])).toBe('en');
    expect(pickLanguage('klingon', [])).toBe('en');
  });
});

describe('a session whose waiting room is not open yet', () => {
  it('tells the client when it opens, in their own time, or asks them to come back', () => {
    // The time as a value, and the same said by a server older than reasons, in its message only.
    const given = notOpenYet({ message: 'forbidden', params: { at: '2026-11-24T18:45:00.000Z' } });
    expect(given).toMatch(/isn't open yet\. It opens .+ — please come back then\./);
    expect(notOpenYet({ message: 'the waiting room opens at 2026-11-24T18:45:00.000Z' })).toBe(given);
    expect(notOpenYet({ message: 'not allowed' })).toMatch(/come back a little before your session starts/);
  });

  it('says it in Spanish on a page shown in Spanish', () => {
    setPageState({ language: 'es' });
    expect(words()).toBe(CATALOGUES.es);
    expect(notOpenYet({ message: 'forbidden', params: { at: '2026-11-24T18:45:00.000Z' } })).toMatch(/todavía no está abierta\. Se abre el .+; vuelve a esa hora/);
    expect(notOpenYet({ message: 'not allowed' })).toMatch(/Vuelve un poco antes de que empiece tu sesión/);
  });
});
