import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { END_COPY } from '../copy';
import { HeartIcon, InfoIcon, LockIcon, PhoneIcon } from '../components/icons';

export function EndedScreen() {
  const service = useService();
  const reason = useParticipantStore((s) => s.endReason) ?? 'connectionLost';
  const retrying = useParticipantStore((s) => s.retrying);
  const note = useParticipantStore((s) => s.formError);
  const heading = useFocusHeading<HTMLHeadingElement>();
  const copy = END_COPY[reason];

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
          {retrying ? 'Checking…' : copy.retry}
        </button>
      ) : null}
    </section>
  );
}
