import { useId, useState, type FormEvent } from 'react';
import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { LockIcon } from '../components/icons';
import { useWords } from '../i18n';

export function PasscodeScreen() {
  const service = useService();
  const busy = useParticipantStore((s) => s.busy);
  const error = useParticipantStore((s) => s.formError);
  const t = useWords();
  const [passcode, setPasscode] = useState('');
  const heading = useFocusHeading<HTMLHeadingElement>();
  const inputId = useId();
  const errorId = useId();
  const hintId = useId();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void service.submitPasscode(passcode);
  };

  return (
    <section className="card card--narrow" aria-labelledby="passcode-title" data-screen="passcode">
      <div className="card__icon" aria-hidden="true">
        <LockIcon />
      </div>
      <p className="eyebrow">{t.passcode.step}</p>
      <h1 id="passcode-title" ref={heading} tabIndex={-1}>
        {t.passcode.title}
      </h1>
      <p className="lead">{t.passcode.lead}</p>
      <form onSubmit={submit} noValidate className="form">
        <div className="field">
          <label htmlFor={inputId}>{t.passcode.label}</label>
          <p id={hintId} className="hint">
            {t.passcode.hint}
          </p>
          <input
            id={inputId}
            name="passcode"
            className="input input--code"
            type="text"
            inputMode="text"
            autoComplete="one-time-code"
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            maxLength={128}
            value={passcode}
            onChange={(e) => setPasscode(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${hintId} ${errorId}` : hintId}
            autoFocus
          />
          {error ? (
            <p id={errorId} className="error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {busy ? t.passcode.checking : t.passcode.submit}
        </button>
      </form>
    </section>
  );
}
