import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { END_COPY } from '../copy';
import { HeartIcon, InfoIcon } from '../components/icons';

export function EndedScreen() {
  const service = useService();
  const reason = useParticipantStore((s) => s.endReason) ?? 'connectionLost';
  const heading = useFocusHeading<HTMLHeadingElement>();
  const copy = END_COPY[reason];

  return (
    <section className={`card card--narrow card--${copy.tone}`} aria-labelledby="ended-title" data-screen={`ended-${reason}`}>
      <div className="card__icon" aria-hidden="true">
        {copy.tone === 'calm' ? <HeartIcon /> : <InfoIcon />}
      </div>
      <h1 id="ended-title" ref={heading} tabIndex={-1}>
        {copy.title}
      </h1>
      <p className="lead">{copy.body}</p>
      {copy.retry ? (
        <button type="button" className="button button--secondary" onClick={() => service.restart()}>
          {copy.retry}
        </button>
      ) : null}
    </section>
  );
}
