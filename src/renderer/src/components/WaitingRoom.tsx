import type { Participant, PrivacyCheck } from '../../../shared/protocol';
import { admit, admitAll, deny } from '../services/room';
import { useConsole } from '../store';
import { RatingBadge } from './CheckInRating';
import { TextOnlyBadge } from './ParticipantList';
import { LanguageBadge } from './LanguageBadge';
import { t } from '../i18n';

const since = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

export function WaitingRoom({ canModerate }: { canModerate: boolean }) {
  const waiting = useConsole((s) => s.waiting);
  const pending = useConsole((s) => s.pending);
  const list = Object.values(waiting).sort((a, b) => (a.knockedAt ?? '').localeCompare(b.knockedAt ?? ''));
  return (
    <section className="panel" aria-labelledby="waiting-title">
      <div className="panel-head">
        <h2 id="waiting-title">
          {t.waitingRoom.title} <span className="count">{list.length}</span>
        </h2>
        {canModerate && list.length > 1 && (
          <button type="button" className="button quiet small" onClick={() => void admitAll()}>
            {t.waitingRoom.admitAll}
          </button>
        )}
      </div>
      <div aria-live="polite">
        {list.length === 0 ? (
          <p className="muted small">{t.waitingRoom.nobody}</p>
        ) : (
          <ul className="people">
            {list.map((p) => (
              <WaitingPerson key={p.participantId} person={p} busy={pending[p.participantId]} canModerate={canModerate} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

/** The privacy check's items as the therapist reads them, in the page's order. */
const PRIVACY_ITEMS: readonly (keyof PrivacyCheck)[] = ['privateSpace', 'headphones', 'notificationsOff', 'nobodyInView'];

/** What the client ticked before knocking: all of it at a glance, and what was not ticked by name. */
function PrivacySummary({ participantId, privacy }: { participantId: string; privacy: PrivacyCheck }) {
  const missing = PRIVACY_ITEMS.filter((key) => !privacy[key]).map((key) => t.waitingRoom.privacy[key]);
  const all = PRIVACY_ITEMS.length;
  return (
    <span className={`privacy-check ${missing.length === 0 ? 'all' : 'some'}`} data-testid={`privacy-${participantId}`}>
      {missing.length === 0 ? t.waitingRoom.privacyAll(all) : t.waitingRoom.privacySome(all - missing.length, all, missing.join(', '))}
    </span>
  );
}

function WaitingPerson({ person, busy, canModerate }: { person: Participant; busy?: 'admit' | 'deny'; canModerate: boolean }) {
  return (
    <li className="person" data-testid={`waiting-${person.participantId}`}>
      <div className="person-main">
        <span className="person-name">{person.displayName}</span>
        <span className="muted small">
          {person.participantRef && <span className="ref">{person.participantRef}</span>}
          {person.knockedAt && t.waitingRoom.since(since.format(new Date(person.knockedAt)))}
          {t.waitingRoom.camera(person.media.video)}
        </span>
      </div>
      {canModerate && (
        <div className="person-actions">
          <button
            type="button"
            className="button primary small"
            disabled={busy !== undefined}
            onClick={() => void admit(person.participantId)}
            aria-label={t.waitingRoom.admitLabel(person.displayName)}
          >
            {busy === 'admit' ? t.waitingRoom.admitting : t.waitingRoom.admit}
          </button>
          <button
            type="button"
            className="button quiet small"
            disabled={busy !== undefined}
            onClick={() => void deny(person.participantId)}
            aria-label={t.waitingRoom.denyLabel(person.displayName)}
          >
            {t.waitingRoom.deny}
          </button>
        </div>
      )}
      <LanguageBadge participantId={person.participantId} language={person.language} />
      {person.textOnly && <TextOnlyBadge participantId={person.participantId} />}
      {person.rating && <RatingBadge participantId={person.participantId} rating={person.rating} />}
      {person.privacy && <PrivacySummary participantId={person.participantId} privacy={person.privacy} />}
    </li>
  );
}
