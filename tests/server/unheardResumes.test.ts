/**
 * UnheardResumes (signaling/unheardResumes.ts): a spent resume token stands in for its
 * successor once, only within its window, not after its connection was heard from, and the
 * book never grows past its cap.
 */
import { describe, expect, it } from 'vitest';
import { MAX_UNHEARD_RESUMES, UnheardResumes } from '../../src/server/signaling/unheardResumes.js';

describe('resumes not heard from since their answer', () => {
  it('lets a spent token stand in for its successor once', () => {
    const book = new UnheardResumes(5_000, () => 0);
    book.answered('spent', 'next');
    expect(book.take('spent')).toBe('next');
    expect(book.take('spent')).toBeUndefined();
    expect(book.take('next')).toBeUndefined();
  });

  it('forgets it once the connection is heard from', () => {
    const book = new UnheardResumes(5_000, () => 0);
    book.answered('spent', 'next');
    book.heard('spent', 'next');
    expect(book.take('spent')).toBeUndefined();
    expect(book.size).toBe(0);
  });

  it('only within its window (the grace period)', () => {
    let now = 0;
    const book = new UnheardResumes(5_000, () => now);
    book.answered('a', 'a2');
    book.answered('b', 'b2');
    now = 4_999;
    expect(book.take('a')).toBe('a2');
    now = 5_000;
    expect(book.take('b')).toBeUndefined();
  });

  it('a second answer for the same spent token replaces the first (the latest next token is the row’s)', () => {
    const book = new UnheardResumes(5_000, () => 0);
    book.answered('spent', 'next1');
    book.answered('spent', 'next2');
    expect(book.size).toBe(1);
    expect(book.take('spent')).toBe('next2');
  });

  it('a connection heard from late does not take away the entry of a resume that stood in since', () => {
    const book = new UnheardResumes(5_000, () => 0);
    book.answered('spent', 'next1');
    book.answered('spent', 'next2');
    book.heard('spent', 'next1');
    expect(book.take('spent')).toBe('next2');
  });

  it('drops expired entries as new ones come, and never holds more than its cap', () => {
    let now = 0;
    const book = new UnheardResumes(1_000, () => now);
    for (let i = 0; i < 10; i++) book.answered(`old${i}`, `n${i}`);
    now = 2_000;
    book.answered('fresh', 'n');
    expect(book.size).toBe(1);
    for (let i = 0; i < MAX_UNHEARD_RESUMES + 5; i++) book.answered(`t${i}`, `n${i}`);
    expect(book.size).toBe(MAX_UNHEARD_RESUMES);
    // The oldest went first.
    expect(book.take('fresh')).toBeUndefined();
    expect(book.take(`t${MAX_UNHEARD_RESUMES + 4}`)).toBe(`n${MAX_UNHEARD_RESUMES + 4}`);
  });
});
