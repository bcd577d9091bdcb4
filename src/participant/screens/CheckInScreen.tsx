import { useId, useState, type FormEvent } from 'react';
import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { MediaSwitches } from '../components/MediaSwitches';
import { SelfPreview } from '../components/SelfPreview';
import { InfoIcon } from '../components/icons';
import { AgreementText } from '../components/AgreementText';
import type { CheckInRating, PrivacyCheck } from '../../shared/protocol';

const NAME_MAX = 40;

/** The privacy check, in the order it is shown (and shown to the therapist). */
const PRIVACY_ITEMS: readonly { key: keyof PrivacyCheck; label: string }[] = [
  { key: 'privateSpace', label: 'I am in a private space where I can talk freely' },
  { key: 'headphones', label: 'I am wearing headphones, so others nearby cannot hear the group' },
  { key: 'notificationsOff', label: 'Notifications on this device are turned off' },
  { key: 'nobodyInView', label: 'Nobody else is in view of my camera or screen' },
];

/** The check-in rating's scale, 0 (very bad) to 10 (very good); and its word's length. */
const SCORES = Array.from({ length: 11 }, (_, i) => i);
const WORD_MAX = 40;

const NOTHING_TICKED: PrivacyCheck = { privateSpace: false, headphones: false, notificationsOff: false, nobodyInView: false };

interface FieldErrors {
  name?: string;
  agreed?: string;
}

export function CheckInScreen() {
  const service = useService();
  const agreement = useParticipantStore((s) => s.agreement);
  const busy = useParticipantStore((s) => s.busy);
  const formError = useParticipantStore((s) => s.formError);
  const mediaError = useParticipantStore((s) => s.mediaError);
  const heading = useFocusHeading<HTMLHeadingElement>();

  const [name, setName] = useState('');
  const [agreed, setAgreed] = useState(false);
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
    if (!name.trim()) next.name = 'Please enter a first name or pseudonym.';
    if (!agreed) next.agreed = 'Please tick the box to agree before you continue.';
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
        <p className="eyebrow">Step 2 of 3 · Check in</p>
        <h1 id="checkin-title" ref={heading} tabIndex={-1}>
          Get ready to join the group
        </h1>
        <p className="lead">This takes a minute. Your therapist will let you in when the session is ready.</p>
      </header>

      <form className="checkin__grid" onSubmit={submit} noValidate>
        <div className="checkin__main">
          <fieldset className="panel">
            <legend className="panel__title">How the group will see you</legend>
            <div className="field">
              <label htmlFor={ids.name}>First name or pseudonym</label>
              <p id={ids.nameHint} className="hint">
                Use a first name or a pseudonym — you don't need to share your full name.
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
                  {errors.name}
                </p>
              ) : null}
            </div>
          </fieldset>

          <fieldset className="panel">
            <legend className="panel__title">Group agreement</legend>
            <p className="hint">Everyone in the group agrees to this before joining. Please read it in full.</p>
            <div className="agreement" id={ids.agreement} tabIndex={0} aria-label="Group confidentiality agreement">
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
              <label htmlFor={ids.agreed}>I agree to keep what is shared in this group confidential</label>
            </div>
            {errors.agreed ? (
              <p id={ids.agreedError} className="error">
                {errors.agreed}
              </p>
            ) : null}
          </fieldset>

          <fieldset className="panel" aria-describedby={ids.privacyHint}>
            <legend className="panel__title">
              Before you join <span className="optional">(optional)</span>
            </legend>
            <p id={ids.privacyHint} className="hint">
              A quick check that the group stays private where you are. Tick what is true for you; your therapist sees
              what you ticked, nobody else does.
            </p>
            <div className="checklist">
              {PRIVACY_ITEMS.map(({ key, label }) => (
                <div className="check" key={key}>
                  <input
                    id={`${ids.privacy}-${key}`}
                    name={key}
                    type="checkbox"
                    checked={privacy[key]}
                    onChange={(e) => setPrivacy((p) => ({ ...p, [key]: e.target.checked }))}
                  />
                  <label htmlFor={`${ids.privacy}-${key}`}>{label}</label>
                </div>
              ))}
            </div>
          </fieldset>

          <fieldset className="panel" aria-describedby={ids.ratingHint} data-testid="checkin-rating">
            <legend className="panel__title">
              How are you today? <span className="optional">(optional)</span>
            </legend>
            <p id={ids.ratingHint} className="hint">
              From 0 (very bad) to 10 (very good). Only your therapist sees this, never the group.
            </p>
            <div className="scale" role="radiogroup" aria-label="How you are today, from 0 (very bad) to 10 (very good)">
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
              <span>very bad</span>
              <span>very good</span>
            </div>
            {score !== null ? (
              <>
                <div className="field">
                  <label htmlFor={ids.word}>A word for it, if you like</label>
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
                  Clear my answer
                </button>
              </>
            ) : null}
          </fieldset>

          <fieldset className="panel" aria-describedby={ids.safetyHint}>
            <legend className="panel__title">
              For your safety <span className="optional">(optional)</span>
            </legend>
            <p id={ids.safetyHint} className="note">
              <InfoIcon />
              <span>
                Only your therapist can see this, and only uses it if there is an emergency during the session. It is
                never shown to the group.
              </span>
            </p>
            <div className="field">
              <label htmlFor={ids.location}>Where are you right now?</label>
              <input
                id={ids.location}
                name="location"
                className="input"
                type="text"
                autoComplete="off"
                maxLength={500}
                placeholder="For example, a town or an address"
                value={location}
                onChange={(e) => setLocation(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={ids.contact}>Emergency contact</label>
              <input
                id={ids.contact}
                name="emergencyContact"
                className="input"
                type="text"
                autoComplete="off"
                maxLength={500}
                placeholder="A name and phone number"
                value={emergencyContact}
                onChange={(e) => setEmergencyContact(e.target.value)}
              />
            </div>
          </fieldset>
        </div>

        <aside className="checkin__side">
          <div className="panel panel--sticky">
            <h2 className="panel__title">Camera and microphone</h2>
            <SelfPreview />
            <MediaSwitches textOnlyChoice />
            {mediaError ? (
              <p className="error" role="alert">
                {mediaError}
              </p>
            ) : (
              <p className="hint">You can change these at any time during the session.</p>
            )}
          </div>
          {formError ? (
            <p className="error error--block" role="alert">
              {formError}
            </p>
          ) : null}
          <button type="submit" className="button button--primary button--block" disabled={busy}>
            {busy ? 'Checking in…' : 'Check in and wait to be admitted'}
          </button>
        </aside>
      </form>
    </section>
  );
}
