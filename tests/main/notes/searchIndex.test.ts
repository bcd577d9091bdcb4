import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexOf } from '../../../src/main/notes/indexSnapshot';
import { IndexFormatError, SearchIndex, tokenize, type IndexSnapshot } from '../../../src/main/notes/searchIndex';

/** What search must answer, computed the slow obvious way from the texts themselves. */
function expected(docs: Map<string, string[]>, query: string): string[] {
  const words = tokenize(query);
  return [...docs]
    .filter(([, texts]) => {
      const tokens = texts.flatMap(tokenize);
      return words.every((w, i) => tokens.some((t) => (i === words.length - 1 ? t.startsWith(w) : t === w)));
    })
    .map(([id]) => id)
    .sort();
}

const sorted = (s: Set<string>) => [...s].sort();

// A small alphabet so words share prefixes and postings run across chunk boundaries.
const word = fc.stringMatching(/^[abc][abc0-9]{0,5}$/);
const text = fc.array(word, { maxLength: 12 }).map((ws) => ws.join(' '));
const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), doc: fc.integer({ min: 0, max: 30 }), texts: fc.array(text, { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('remove' as const), doc: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('snapshot' as const), chunkBytes: fc.integer({ min: 8, max: 400 }) }),
);

describe('tokenize', () => {
  it('folds case and accents and splits on anything that is not a letter or digit, the same with and without its ASCII fast path', () => {
    expect(tokenize('Box-breathing, 4×4; IOP-12!')).toEqual(['box', 'breathing', '4', '4', 'iop', '12']);
    expect(tokenize('Café  NAÏVE  ünïcødé')).toEqual(['cafe', 'naive', 'unicøde']);
    expect(tokenize('  \n\t ')).toEqual([]);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'aZ09 -_.,\n\t!é'.split('')), maxLength: 40 }), (s) => {
        const ascii = s.replace(/é/g, 'e');
        const viaUnicode = ascii.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
        expect(tokenize(ascii)).toEqual(viaUnicode);
        expect(tokenize(s)).toEqual(tokenize(ascii));
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});

describe('search index with snapshots', () => {
  it('answers like a scan of the texts after any mix of saves, removals and snapshots, whatever the chunk size', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(text, { minLength: 1, maxLength: 6 }), (ops, queries) => {
        const docs = new Map<string, string[]>();
        let index = new SearchIndex();
        for (const o of ops) {
          if (o.kind === 'set') {
            docs.set(`n${o.doc}`, o.texts);
            index.set(`n${o.doc}`, o.texts);
          } else if (o.kind === 'remove') {
            docs.delete(`n${o.doc}`);
            index.remove(`n${o.doc}`);
          } else {
            index = indexOf(index.snapshot(o.chunkBytes));
          }
        }
        for (const q of [...queries, 'a', 'b', 'c', 'ab', '']) {
          expect(sorted(index.search(q)), `query "${q}"`).toEqual(q.trim() ? expected(docs, q) : [...docs.keys()].sort());
        }
      }),
      { seed: 1105, numRuns: 250 },
    );
  });

  it('opens only the chunks a search needs', () => {
    const index = new SearchIndex();
    for (let i = 0; i < 200; i++) index.set(`n${i}`, [`alpha${i} beta${i % 7} gamma`]);
    const snapshot = index.snapshot(64);
    expect(snapshot.chunks.length).toBeGreaterThan(10);
    const opened: number[] = [];
    const lazy = new SearchIndex({ ids: snapshot.ids, firstTerms: snapshot.firstTerms, loadChunk: (i) => (opened.push(i), snapshot.chunks[i]!) });
    expect(sorted(lazy.search('gamma beta3'))).toEqual(Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 7 === 3).map((i) => `n${i}`).sort());
    expect(opened.length).toBeLessThanOrEqual(3);
  });

  it('a chunk that does not decode is an IndexFormatError, never a wrong answer', () => {
    const index = new SearchIndex();
    index.set('a', ['hello world']);
    const snapshot: IndexSnapshot = index.snapshot();
    const truncated = snapshot.chunks[0]!.subarray(0, snapshot.chunks[0]!.length - 1);
    const broken = new SearchIndex({ ids: snapshot.ids, firstTerms: snapshot.firstTerms, loadChunk: () => truncated });
    expect(() => broken.search('hello')).toThrow(IndexFormatError);
  });
});
