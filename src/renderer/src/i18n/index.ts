/**
 * The console's words (issue 23): English only for now, from one catalogue (en.ts), so a
 * translation is a second catalogue of the same type and a choice here, not a search through
 * components.
 */
import { en, type ConsoleCatalogue } from './en';

export type { ConsoleCatalogue };

export const CONSOLE_CATALOGUES = { en } as const satisfies Record<string, ConsoleCatalogue>;

/** The console's words. */
export const t: ConsoleCatalogue = en;
