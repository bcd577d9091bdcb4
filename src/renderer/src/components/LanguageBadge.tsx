import type { Language } from '../../../shared/protocol';
import { LANGUAGE_NAMES } from '../../../shared/languageNames';
import { t } from '../i18n';

/**
 * The language a client reads the page in, and accepted the agreement in (issue 23), beside the
 * knock and their name: shown for any language but the console's own (English), by its name in
 * itself, as the client chose it.
 */
export function LanguageBadge({ participantId, language }: { participantId: string; language: Language | undefined }) {
  if (!language || language === 'en') return null;
  return (
    <span className="badge language" lang={language} title={t.language.badgeTitle(t.language.names[language])} data-testid={`language-${participantId}`}>
      {LANGUAGE_NAMES[language]}
    </span>
  );
}
