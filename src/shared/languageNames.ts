/**
 * Each language the participant page is offered in, named in itself (issue 23): the page's
 * language switch shows these, and the console's badge beside a client shows theirs. Never
 * translated: a client looks for their own language's name.
 */
import type { Language } from './protocol';

export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', es: 'Español' };
