import { useId, useState, type FormEvent } from 'react';
import { agreementShown, useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { MediaSwitches } from '../components/MediaSwitches';
import { SelfPreview } from '../components/SelfPreview';
import { BackgroundChoice } from '../components/BackgroundChoice';
import { InfoIcon } from '../components/icons';
import { AgreementText } from '../components/AgreementText';
import type { CheckInRating, PrivacyCheck } from '../../shared/protocol';
import { useWords } from '../i18n';

const NAME_MAX = 40;

/** The privacy check, in the order it is shown (and shown to the therapist); its words are the catalogue's, by key. */
const PRIVACY_ITEMS: readonly (keyof PrivacyCheck)[] = ['privateSpace', 'headphones', 'notificationsOff', 'nobodyInView'];

/** The check-in rating's scale, 0 (very bad) to 10 (very good); and its word's length. */
const SCORES = Array.from({ length: 11 }, (_, i) => i);
const WORD_MAX = 40;

const NOTHING_TICKED: PrivacyCheck = { privateSpace: false, headphones: false, notificationsOff: false, nobodyInView: false };

/** Which of the form's own checks failed: said in the page's language as it is drawn. */
interface FieldErrors {
  name?: 'nameMissing';
  agreed?: 'agreeMissing';
}

export function CheckInScreen() {
  const service = useService();
  // In the page's language: a switch here shows (and has the client accept) that language's text.
  const agreement = useParticipantStore(agreementShown);
  const t = useWords();
  const busy = useParticipantStore((s) => s.busy);
  const formError = useParticipantStore((s) => s.formError);
  const mediaError = useParticipantStore((s) => s.mediaError);
  const heading = useFocusHeading<HTMLHeadingElement>();

  const [name, setName] = useState('');
  const [agreed, setAgreed] = useState(false);
  // A tick is for the text read: another text (another language) needs its own.
  const agreementKey = `${agreement?.language ?? ''}:${agreement?.version ?? ''}`;
  const [agreedTo, setAgreedTo] = useState(agreementKey);
  if (agreedTo !== agreementKey) {
    setAgreedTo(agreementKey);
    setAgreed(false);
  }
  const [location, setLocation] = useState('');
  const [emergencyContact, setEmergencyContact] = useState('');
  const [privacy, setPrivacy] = useState<PrivacyCheck>(NOTHING_TICKED);
  const [score, setScore] = useState<number | null>(null);
  const [word, setWord] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});

  const ids = {
    name: useId(),
    nameHint: useId(),
    nameError: useId(),
    agreement: useId(),
    agreed: useId(),
    agreedError: useId(),
    location: useId(),
    contact: useId(),
    safetyHint: useId(),
    privacyHint: useId(),
    privacy: useId(),
    ratingHint: useId(),
    score: useId(),
    word: useId(),
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: FieldErrors = {};
    if (!name.trim()) next.name = 'nameMissing';
    if (!agreed) next.agreed = 'agreeMissing';
    setErrors(next);
    if (next.name) document.getElementById(ids.name)?.focus();
    else if (next.agreed) document.getElementById(ids.agreed)?.focus();
    if (next.name || next.agreed) return;
    const rating: CheckInRating | undefined = score === null ? undefined : { score, ...(word.trim() ? { word: word.trim() } : {}) };
    void service.checkIn({ displayName: name, agreed, location, emergencyContact, privacy, ...(rating ? { rating } : {}) });
  };

  return (
    <section className="checkin" aria-labelledby="checkin-title" data-screen="check-in">
      <header className="screen-header">
        <p className="eyebrow">{t.checkIn.step}</p>
        <h1 id="checkin-title" ref={heading} tabIndex={-1}>
          {t.checkIn.title}
        </h1>
        <p className="lead">{t.checkIn.lead}</p>
      </header>

      <form className="checkin__grid" onSubmit={submit} noValidate>
        <div className="checkin__main">
          <fieldset className="panel">
            <legend className="panel__title">{t.checkIn.nameLegend}</legend>
            <div className="field">
              <label htmlFor={ids.name}>{t.checkIn.nameLabel}</label>
              <p id={ids.nameHint} className="hint">
                {t.checkIn.nameHint}
              </p>
              <input
                id={ids.name}
                name="displayName"
                className="input"
                type="text"
                autoComplete="given-name"
                maxLength={NAME_MAX}
                value={name}
                onChange={(e) => setName(e.target.value)}
                aria-invalid={errors.name ? true : undefined}
                aria-describedby={errors.name ? `${ids.nameHint} ${ids.nameError}` : ids.nameHint}
                required
              />
              {errors.name ? (
                <p id={ids.nameError} className="error">
                  {t.checkIn[errors.name]}
                </p>
              ) : null}
            </div>
          </fieldset>

          <fieldset className="panel">
            <legend className="panel__title">{t.checkIn.agreementLegend}</legend>
            <p className="hint">{t.checkIn.agreementHint}</p>
            <div
              className="agreement"
              id={ids.agreement}
              tabIndex={0}
              aria-label={t.checkIn.agreementLabel}
              lang={agreement?.language}
              data-testid="agreement"
              data-version={agreement?.version}
            >
              <AgreementText text={agreement?.text ?? ''} />
            </div>
            <div className={errors.agreed ? 'check check--invalid' : 'check'}>
              <input
                id={ids.agreed}
                name="agreed"
                type="checkbox"
                checked={agreed}
                onChange={(e) => setAgreed(e.target.checked)}
                aria-invalid={errors.agreed ? true : undefined}
                aria-describedby={errors.agreed ? ids.agreedError : undefined}
                required
              />
              <label htmlFor={ids.agreed}>{t.checkIn.agreeLabel}</label>
            </div>
            {errors.agreed ? (
              <p id={ids.agreedError} className="error">
                {t.checkIn[errors.agreed]}
              </p>
            ) : null}
          </fieldset>

          <fieldset className="panel" aria-describedby={ids.privacyHint}>
            <legend className="panel__title">
              {t.checkIn.privacyLegend} <span className="optional">{t.checkIn.optional}</span>
            </legend>
            <p id={ids.privacyHint} className="hint">
              {t.checkIn.privacyHint}
            </p>
            <div className="checklist">
              {PRIVACY_ITEMS.map((key) => (
                <div className="check" key={key}>
                  <input
                    id={`${ids.privacy}-${key}`}
                    name={key}
                    type="checkbox"
                    checked={privacy[key]}
                    onChange={(e) => setPrivacy((p) => ({ ...p, [key]: e.target.checked }))}
                  />
                  <label htmlFor={`${ids.privacy}-${key}`}>{t.checkIn[key]}</label>
                </div>
              ))}
            </div>
          </fieldset>

          <fieldset className="panel" aria-describedby={ids.ratingHint} data-testid="checkin-rating">
            <legend className="panel__title">
              {t.checkIn.ratingLegend} <span className="optional">{t.checkIn.optional}</span>
            </legend>
            <p id={ids.ratingHint} className="hint">
              {t.checkIn.ratingHint}
            </p>
            <div className="scale" role="radiogroup" aria-label={t.checkIn.ratingLabel}>
              {SCORES.map((n) => (
                <span className="scale__step" key={n}>
                  <input
                    id={`${ids.score}-${n}`}
                    type="radio"
                    name="rating"
                    value={n}
                    checked={score === n}
                    onChange={() => setScore(n)}
                  />
                  <label htmlFor={`${ids.score}-${n}`}>{n}</label>
                </span>
              ))}
            </div>
            <div className="scale__ends" aria-hidden="true">
              <span>{t.checkIn.ratingLow}</span>
              <span>{t.checkIn.ratingHigh}</span>
            </div>
            {score !== null ? (
              <>
                <div className="field">
                  <label htmlFor={ids.word}>{t.checkIn.ratingWord}</label>
                  <input
                    id={ids.word}
                    name="rating-word"
                    className="input"
                    maxLength={WORD_MAX}
                    autoComplete="off"
                    value={word}
                    onChange={(e) => setWord(e.target.value)}
                  />
                </div>
                <button
                  type="button"
                  className="button button--quiet scale__clear"
                  onClick={() => {
                    setScore(null);
                    setWord('');
                  }}
                >
                  {t.checkIn.ratingClear}
                </button>
              </>
            ) : null}
          </fieldset>

          <fieldset className="panel" aria-describedby={ids.safetyHint}>
            <legend className="panel__title">
              {t.checkIn.safetyLegend} <span className="optional">{t.checkIn.optional}</span>
            </legend>
            <p id={ids.safetyHint} className="note">
              <InfoIcon />
              <span>{t.checkIn.safetyHint}</span>
            </p>
            <div className="field">
              <label htmlFor={ids.location}>{t.checkIn.locationLabel}</label>
              <input
                id={ids.location}
                name="location"
                className="input"
                type="text"
                autoComplete="off"
                maxLength={500}
                placeholder={t.checkIn.locationPlaceholder}
                value={location}
                onChange={(e) => setLocation(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={ids.contact}>{t.checkIn.contactLabel}</label>
              <input
                id={ids.contact}
                name="emergencyContact"
                className="input"
                type="text"
                autoComplete="off"
                maxLength={500}
                placeholder={t.checkIn.contactPlaceholder}
                value={emergencyContact}
                onChange={(e) => setEmergencyContact(e.target.value)}
              />
            </div>
          </fieldset>
        </div>

        <aside className="checkin__side">
          <div className="panel panel--sticky">
            <h2 className="panel__title">{t.checkIn.mediaTitle}</h2>
            <SelfPreview />
            <MediaSwitches textOnlyChoice />
            <BackgroundChoice />
            {mediaError ? (
              <p className="error" role="alert">
                {mediaError}
              </p>
            ) : (
              <p className="hint">{t.checkIn.mediaHint}</p>
            )}
          </div>
          {formError ? (
            <p className="error error--block" role="alert">
              {formError}
            </p>
          ) : null}
          <button type="submit" className="button button--primary button--block" disabled={busy}>
            {busy ? t.checkIn.checkingIn : t.checkIn.submit}
          </button>
        </aside>
      </form>
    </section>
  );
}
