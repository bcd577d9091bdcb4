/**
 * The page's languages (issue 23): one catalogue per language (en.ts, es.ts), the language
 * chosen from the browser's and kept on this device once the client picks one, and the words
 * in it for the service's parts (`words()`) and for components (`useWords()`). The language
 * lives in the page's store, so every screen reads the same one and changes with it.
 */
import { keepChoice, keptChoice } from '../../client/keptChoice';
import { LANGUAGES, type Language } from '../../shared/protocol';
import { pageState, setPageState, useParticipantStore } from '../store';
import { en, type Catalogue } from './en';
import { es } from './es';

export type { Catalogue, EndCopy, MediaAccessReason } from './en';
export { LANGUAGES, type Language };

export const CATALOGUES: Readonly<Record<Language, Catalogue>> = { en, es };

export { LANGUAGE_NAMES } from '../../shared/languageNames';

/** Where the client's choice is kept on this device (nothing else is kept with it). */
export const LANGUAGE_KEY = 'confidant.language';

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The language to show: the one chosen earlier on this device, else the first of the browser's
 * languages the page speaks (`es-MX` is Spanish), else English.
 */
export function pickLanguage(stored: string | null, browser: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/** The page's words and `<html lang>` in `language`. */
function show(language: Language): void {
  setPageState({ language });
  if (typeof document !== 'undefined') {
    document.documentElement.lang = language;
    document.title = CATALOGUES[language].page.documentTitle;
  }
}

/** At start: the language from this device's earlier choice or the browser's. */
export function startLanguage(browser: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages): Language {
  const language = pickLanguage(keptChoice(LANGUAGE_KEY), browser);
  show(language);
  return language;
}

/** The client's own choice, from the switch: shown at once and remembered on this device. */
export function chooseLanguage(language: Language): void {
  keepChoice(LANGUAGE_KEY, language);
  show(language);
}

/** The words in the page's language now, for the service's parts. */
export function words(): Catalogue {
  return CATALOGUES[pageState().language];
}

/** The words in the page's language, for components: they redraw when it changes. */
export function useWords(): Catalogue {
  return CATALOGUES[useParticipantStore((s) => s.language)];
}

/** The locale for dates and times: the browser's own when it is in the page's language, else the language. */
export function localeFor(language: Language): string {
  const browser = typeof navigator === 'undefined' ? [] : navigator.languages;
  return browser.find((tag) => tag.toLowerCase().split('-')[0] === language) ?? language;
}

/**
 * Before the waiting room opens the server answers FORBIDDEN with the opening time as a value
 * (reason `waiting-room-not-open`, `params.at`; an older server only in its message, "the
 * waiting room opens at 2026-11-24T18:45:00.000Z"); said in local time, in the page's language.
 */
export function notOpenYet(refusal: { message: string; params?: Record<string, string | number> | undefined }): string {
  const language = pageState().language;
  // The opening time as a value (`waiting-room-not-open`'s `at`), or, from a server older than reasons, out of its message.
  const given = refusal.params?.['at'];
  const iso = typeof given === 'string' ? given : /\d{4}-\d{2}-\d{2}T[\d:.]+Z/.exec(refusal.message)?.[0];
  const at = iso ? new Date(iso) : null;
  const time =
    at && !Number.isNaN(at.getTime())
      ? new Intl.DateTimeFormat(localeFor(language), { weekday: 'long', hour: 'numeric', minute: '2-digit' }).format(at)
      : null;
  return CATALOGUES[language].errors.notOpenYet(time);
}

/** A time of day as the page's language writes it ("6:45 PM", "18:45"). */
export function timeOfDay(at: Date): string {
  return at.toLocaleTimeString(localeFor(pageState().language), { hour: 'numeric', minute: '2-digit' });
}
