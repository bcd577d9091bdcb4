import type { Participant, PrivacyCheck } from '../../../shared/protocol';
import { admit, admitAll, deny } from '../services/room';
import { useConsole } from '../store';
import { RatingBadge } from './CheckInRating';
import { TextOnlyBadge } from './ParticipantList';

const since = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

export function WaitingRoom({ canModerate }: { canModerate: boolean }) {
  const waiting = useConsole((s) => s.waiting);
  const pending = useConsole((s) => s.pending);
  const list = Object.values(waiting).sort((a, b) => (a.knockedAt ?? '').localeCompare(b.knockedAt ?? ''));
  return (
    <section className="panel" aria-labelledby="waiting-title">
      <div className="panel-head">
        <h2 id="waiting-title">
          Waiting room <span className="count">{list.length}</span>
        </h2>
        {canModerate && list.length > 1 && (
          <button type="button" className="button quiet small" onClick={() => void admitAll()}>
            Admit all
          </button>
        )}
      </div>
      <div aria-live="polite">
        {list.length === 0 ? (
          <p className="muted small">Nobody is waiting.</p>
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
const PRIVACY_ITEMS: readonly [keyof PrivacyCheck, string][] = [
  ['privateSpace', 'private space'],
  ['headphones', 'headphones'],
  ['notificationsOff', 'notifications off'],
  ['nobodyInView', 'nobody else in view'],
];

/** What the client ticked before knocking: all of it at a glance, and what was not ticked by name. */
function PrivacySummary({ participantId, privacy }: { participantId: string; privacy: PrivacyCheck }) {
  const missing = PRIVACY_ITEMS.filter(([key]) => !privacy[key]).map(([, label]) => label);
  const all = PRIVACY_ITEMS.length;
  return (
    <span className={`privacy-check ${missing.length === 0 ? 'all' : 'some'}`} data-testid={`privacy-${participantId}`}>
      {missing.length === 0
        ? `Privacy check: all ${all} ticked`
        : `Privacy check: ${all - missing.length} of ${all} ticked · not ticked: ${missing.join(', ')}`}
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
          {person.knockedAt && ` · waiting since ${since.format(new Date(person.knockedAt))}`}
          {` · camera ${person.media.video ? 'on' : 'off'}`}
        </span>
      </div>
      {canModerate && (
        <div className="person-actions">
          <button
            type="button"
            className="button primary small"
            disabled={busy !== undefined}
            onClick={() => void admit(person.participantId)}
            aria-label={`Admit ${person.displayName}`}
          >
            {busy === 'admit' ? 'Admitting…' : 'Admit'}
          </button>
          <button
            type="button"
            className="button quiet small"
            disabled={busy !== undefined}
            onClick={() => void deny(person.participantId)}
            aria-label={`Deny ${person.displayName}`}
          >
            Deny
          </button>
        </div>
      )}
      {person.textOnly && <TextOnlyBadge participantId={person.participantId} />}
      {person.rating && <RatingBadge participantId={person.participantId} rating={person.rating} />}
      {person.privacy && <PrivacySummary participantId={person.participantId} privacy={person.privacy} />}
    </li>
  );
}
