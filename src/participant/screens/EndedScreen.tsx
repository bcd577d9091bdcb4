import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { localeFor, useWords } from '../i18n';
import { HeartIcon, InfoIcon, LockIcon, PhoneIcon } from '../components/icons';

export function EndedScreen() {
  const service = useService();
  const reason = useParticipantStore((s) => s.endReason) ?? 'connectionLost';
  const retrying = useParticipantStore((s) => s.retrying);
  const note = useParticipantStore((s) => s.formError);
  const recap = useParticipantStore((s) => s.recap);
  const heading = useFocusHeading<HTMLHeadingElement>();
  const t = useWords();
  const language = useParticipantStore((s) => s.language);
  const copy = t.ended.reasons[reason];

  return (
    <section className={`card card--narrow card--${copy.tone}`} aria-labelledby="ended-title" data-screen={`ended-${reason}`}>
      <div className="card__icon" aria-hidden="true">
        {copy.tone === 'calm' ? <HeartIcon /> : reason === 'roomLocked' ? <LockIcon /> : <InfoIcon />}
      </div>
      <h1 id="ended-title" ref={heading} tabIndex={-1}>
        {copy.title}
      </h1>
      <p className="lead">{copy.body}</p>
      {copy.support ? (
        <p className="support-line">
          <PhoneIcon />
          <span>{copy.support}</span>
        </p>
      ) : null}
      {reason === 'sessionEnded' && recap ? (
        <section className="recap" aria-labelledby="recap-title" data-testid="recap">
          <h2 id="recap-title">{t.ended.recapTitle}</h2>
          <p className="recap__meta">
            {t.ended.recapMeta(recap.sessionTitle, new Intl.DateTimeFormat(localeFor(language), { dateStyle: 'long' }).format(new Date(recap.writtenAt)))}
          </p>
          <p className="recap__text">{recap.text}</p>
          <p className="recap__private">{t.ended.recapPrivate}</p>
        </section>
      ) : null}
      {note ? (
        // Announced through the page's status region; shown here for everyone.
        <p className="quiet-status" data-testid="ending-status">
          {note}
        </p>
      ) : null}
      {copy.retry ? (
        <button
          type="button"
          className="button button--secondary"
          onClick={() => void service.retry()}
          disabled={retrying}
        >
          {retrying ? t.ended.checking : copy.retry}
        </button>
      ) : null}
    </section>
  );
}
