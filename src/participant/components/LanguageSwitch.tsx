import { chooseLanguage, LANGUAGE_NAMES, LANGUAGES, useWords } from '../i18n';
import { useParticipantStore } from '../store';

/**
 * The page's language, on every screen (issue 23): each language named in itself, the one in
 * use pressed. A choice is remembered on this device.
 */
export function LanguageSwitch() {
  const t = useWords();
  const current = useParticipantStore((s) => s.language);
  return (
    <div className="language-switch" role="group" aria-label={t.page.languageSwitch} data-testid="language-switch">
      {LANGUAGES.map((language) => (
        <button
          key={language}
          type="button"
          lang={language}
          className={language === current ? 'language-switch__option language-switch__option--on' : 'language-switch__option'}
          aria-pressed={language === current}
          onClick={() => chooseLanguage(language)}
        >
          {LANGUAGE_NAMES[language]}
        </button>
      ))}
    </div>
  );
}
