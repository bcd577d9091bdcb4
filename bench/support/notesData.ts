/**
 * The notes of bench/notes.ts: about 4 KB of text each over the DAP sections, from a fixed
 * vocabulary. Note i's text depends only on i, so the sealed and the plaintext side, each in a
 * process of its own, write exactly the same notes and both searches find the same ones.
 */
import { emptyBody, type NoteBody } from '../../src/shared/notes';

export const NOTES = 10_000;
export const ACCOUNT_HOST = 'http://127.0.0.1';
export const author = { id: 'c-bench', name: 'Bench' };

/** A small deterministic generator (an LCG), seeded. */
function generator(seed: number): () => number {
  let s = seed & 0x7fffffff;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

// A vocabulary large enough that the index looks like a real one.
const vocabularyRand = generator(42);
const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'te', 'vo', 'zi', 'pa', 'de', 'gu', 'ho', 'ji', 'be', 'fo'];
export const vocabulary = Array.from({ length: 3000 }, () =>
  Array.from({ length: 2 + Math.floor(vocabularyRand() * 3) }, () => syllables[Math.floor(vocabularyRand() * syllables.length)]).join(''),
);

/** The word every open + search looks for. */
export const QUERY = vocabulary[7]!;

/** About 4 KB of note text over the DAP sections; the same for the same i in every process. */
export function body4k(i: number): NoteBody {
  const rand = generator(1 + i * 7919);
  const words = (n: number): string => Array.from({ length: n }, () => vocabulary[Math.floor(rand() * vocabulary.length)]).join(' ');
  return { ...emptyBody('dap'), title: `Session ${i} ${words(3)}`, clientRefs: [`IOP-${i % 300}`], sections: { data: words(350), assessment: words(150), plan: words(100) } };
}

/** The bodies a save cycles through (the same on both sides). */
export const SAVE_BODIES = 64;
