/** The agreement files (issue 23): one per language, each with its version and language, read at start. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgreementError, loadAgreements, parseAgreement } from '../../src/server/sessions/agreement.js';

/** Every folder a test made, removed after it (a test may make more than one). */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function files(en: string, es: string) {
  const dir = mkdtempSync(join(tmpdir(), 'confidant-agreement-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'en.md'), en);
  writeFileSync(join(dir, 'es.md'), es);
  return { en: join(dir, 'en.md'), es: join(dir, 'es.md') };
}

describe('the agreement files', () => {
  it('ships English and Spanish, each with its own version and language', () => {
    const agreements = loadAgreements();
    expect(agreements.en).toMatchObject({ language: 'en', text: expect.stringContaining('stays in group') });
    expect(agreements.es).toMatchObject({ language: 'es', text: expect.stringContaining('se queda en el grupo') });
    expect(agreements.es.version).toMatch(/^\S+$/);
  });

  it('takes a file without a language line as English, and refuses one in a language not offered', () => {
    expect(parseAgreement('---\nversion: 3\n---\nBe kind.\n')).toEqual({ version: '3', text: 'Be kind.', language: 'en' });
    expect(parseAgreement('---\nversion: 4\nlanguage: es\n---\nSé amable.\n')).toEqual({ version: '4', text: 'Sé amable.', language: 'es' });
    expect(() => parseAgreement('---\nversion: 4\nlanguage: fr\n---\nSoyez gentils.\n')).toThrow(AgreementError);
  });

  it('refuses a language file that says it is in another language', () => {
    const mixedUp = files('---\nversion: 1\n---\nBe kind.\n', '---\nversion: 1\n---\nBe kind.\n');
    expect(() => loadAgreements(mixedUp)).toThrow(/the es agreement file says it is in en/);
    const right = files('---\nversion: 1\n---\nBe kind.\n', '---\nversion: 2\nlanguage: es\n---\nSé amable.\n');
    expect(loadAgreements(right).es).toEqual({ version: '2', text: 'Sé amable.', language: 'es' });
  });
});
