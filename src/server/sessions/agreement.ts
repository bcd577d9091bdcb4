/**
 * The group confidentiality agreement clients accept at check-in, one file per language
 * (issue 23). Each file carries its version in a front-matter line (`version: 2026-11`) and,
 * but for the English one, its language (`language: es`); check-in must quote the exact
 * version and language it was shown, so a client never accepts a text other than the one it
 * read. The files are known by language here: a client's language picks one of them, it never
 * names a path.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LANGUAGES, Language, type Agreement } from '../../shared/protocol.js';

/** Every language's agreement, each with its `language` set. */
export type Agreements = Readonly<Record<Language, Agreement & { language: Language }>>;

const AGREEMENTS_DIR = new URL('../../../resources/agreements/', import.meta.url);

export const AGREEMENT_FILES: Readonly<Record<Language, string>> = {
  en: fileURLToPath(new URL('group-confidentiality.md', AGREEMENTS_DIR)),
  es: fileURLToPath(new URL('group-confidentiality.es.md', AGREEMENTS_DIR)),
};

export const DEFAULT_AGREEMENT_FILE = AGREEMENT_FILES.en;

export class AgreementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgreementError';
  }
}

/** One file's agreement; a file without a `language:` line is English. */
export function parseAgreement(source: string): Agreement & { language: Language } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(source);
  if (!match) throw new AgreementError('the agreement file needs a front matter with its version');
  const front = match[1] ?? '';
  const version = /^version:\s*(\S+)\s*$/m.exec(front)?.[1];
  if (!version) throw new AgreementError('the agreement front matter has no version');
  const named = /^language:\s*(\S+)\s*$/m.exec(front)?.[1] ?? 'en';
  const language = Language.safeParse(named);
  if (!language.success) throw new AgreementError(`the agreement front matter names a language not offered: ${named}`);
  const text = (match[2] ?? '').trim();
  if (text === '') throw new AgreementError('the agreement text is empty');
  return { version, text, language: language.data };
}

export function loadAgreement(file: string = DEFAULT_AGREEMENT_FILE): Agreement & { language: Language } {
  return parseAgreement(readFileSync(file, 'utf8'));
}

/** Every language's agreement, read once at start; a file that says another language than its own is refused. */
export function loadAgreements(files: Readonly<Record<Language, string>> = AGREEMENT_FILES): Agreements {
  const entries = LANGUAGES.map((language) => {
    const agreement = loadAgreement(files[language]);
    if (agreement.language !== language) {
      throw new AgreementError(`the ${language} agreement file says it is in ${agreement.language}`);
    }
    return [language, agreement] as const;
  });
  return Object.fromEntries(entries) as Record<Language, Agreement & { language: Language }>;
}

/** The agreement in a client's language; a client that named none reads English. */
export function agreementIn(agreements: Agreements, language: Language | undefined): Agreement & { language: Language } {
  return agreements[language ?? 'en'];
}
