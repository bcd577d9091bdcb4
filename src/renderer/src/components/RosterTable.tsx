/**
 * One session's roster: who knocked, who let them in, who verified them and how, when they
 * left or who removed them and why, and minutes present. The client reference opens the
 * client's attendance over weeks.
 */
import type { RosterEntry } from '../../../shared/protocol';
import type { SessionRoster } from '../store/rostersSlice';
import { formatMinutes } from './chartMath';
import { verificationLabel } from './ParticipantList';
import { ratingText } from './CheckInRating';

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

export const rosterStatusLabel: Record<RosterEntry['status'], string> = {
  present: 'In the group',
  waiting: 'Waiting',
  left: 'Left',
  removed: 'Removed',
  denied: 'Not admitted',
  absent: 'Did not come',
};

/** A recap is read days after the session: the date too. */
const openedFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

function at(iso: string | null): string {
  return iso ? time.format(new Date(iso)) : '';
}

/** "18:02 · Dr. Ana Demo", or a dash when it did not happen. */
function Happened({ when, by, extra }: { when: string | null; by?: string | null; extra?: string | null }) {
  if (!when) return <span className="muted" aria-label="not recorded">—</span>;
  return (
    <>
      <time dateTime={when}>{at(when)}</time>
      {by && <span className="roster-by"> · {by}</span>}
      {extra && <span className="roster-extra">{extra}</span>}
    </>
  );
}

/** Which agreement the client accepted, and when, if not at the knock shown beside it. */
function agreementLine(e: RosterEntry): string | null {
  if (!e.agreementVersion) return null;
  const later = e.agreementAcceptedAt && e.agreementAcceptedAt !== e.knockedAt ? ` at ${at(e.agreementAcceptedAt)}` : '';
  return `accepted agreement ${e.agreementVersion}${later}`;
}

/** The roster's one-line summary: the figures a supervisor looks for first. */
export function rosterSummaryLine(roster: SessionRoster): string {
  const { entries } = roster;
  const attended = entries.filter((e) => e.admittedAt !== null).length;
  const removed = entries.filter((e) => e.removedAt !== null).length;
  const minutes = entries.reduce((sum, e) => sum + e.minutesPresent, 0);
  return [
    `${attended} of ${entries.length} attended`,
    ...(removed > 0 ? [`${removed} removed`] : []),
    `${formatMinutes(minutes)} present in total`,
  ].join(' · ');
}

export function RosterHeader({ roster }: { roster: SessionRoster }) {
  const { session, facilitatorName } = roster;
  const starts = new Date(session.startsAt);
  return (
    <div className="roster-header">
      <h2 id="roster-title">{session.title}</h2>
      <p className="muted">
        {day.format(starts)}, {time.format(starts)}–{time.format(new Date(session.endsAt))} · led by {facilitatorName}
      </p>
      <p className="roster-figures">{rosterSummaryLine(roster)}</p>
    </div>
  );
}

export function RosterTable({
  roster,
  openClientRef,
  onOpenClient,
}: {
  roster: SessionRoster;
  openClientRef: string | null;
  onOpenClient: (participantRef: string) => void;
}) {
  const { entries, session } = roster;
  return (
    <div className="table-scroll">
      <table className="table roster-table" data-testid="roster-table" aria-describedby="roster-title">
        <caption className="visually-hidden">
          Roster of {session.title} on {day.format(new Date(session.startsAt))}: one row per invited client
        </caption>
        <thead>
          <tr>
            <th scope="col">Client</th>
            <th scope="col">Name</th>
            <th scope="col">Knocked · agreement</th>
            <th scope="col">Admitted by</th>
            <th scope="col">Verified by</th>
            <th scope="col">Left</th>
            <th scope="col">Removed by</th>
            <th scope="col" className="num">Minutes present</th>
            <th scope="col" className="num">Reconnects</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td colSpan={10} className="muted">
                No one was invited to this session.
              </td>
            </tr>
          )}
          {entries.map((e) => (
            <tr key={e.participantId} className={openClientRef === e.participantRef ? 'current' : undefined}>
              <th scope="row">
                <button
                  type="button"
                  className="link-button ref"
                  aria-pressed={openClientRef === e.participantRef}
                  aria-label={`${e.participantRef}: attendance over weeks`}
                  onClick={() => onOpenClient(e.participantRef)}
                >
                  {e.participantRef}
                </button>
              </th>
              <td>{e.displayName ?? <span className="muted">—</span>}</td>
              <td>
                <Happened when={e.knockedAt} extra={agreementLine(e)} />
                {e.checkInRating && (
                  <span className="roster-extra" data-testid={`roster-rating-${e.participantRef}`}>
                    said today: {ratingText(e.checkInRating)}
                  </span>
                )}
              </td>
              <td>
                <Happened when={e.admittedAt} by={e.admittedBy} />
                {e.returnsToWaiting > 0 && (
                  <span className="roster-extra">
                    sent back to waiting {e.returnsToWaiting === 1 ? 'once' : `${e.returnsToWaiting} times`}
                  </span>
                )}
              </td>
              <td>
                <Happened
                  when={e.verifiedAt}
                  by={e.verifiedBy}
                  extra={e.verificationMethod ? verificationLabel[e.verificationMethod] : null}
                />
              </td>
              <td>
                <Happened when={e.leftAt} />
              </td>
              <td>
                {e.removedAt ? (
                  <Happened when={e.removedAt} by={e.removedBy} extra={e.removalReason ? `“${e.removalReason}”` : null} />
                ) : e.deniedAt ? (
                  <Happened when={e.deniedAt} extra="not admitted" />
                ) : (
                  <span className="muted" aria-label="not removed">—</span>
                )}
              </td>
              <td className="num">{formatMinutes(e.minutesPresent)}</td>
              <td className="num">{e.reconnects}</td>
              <td>
                <span className={`pill roster-${e.status}`}>{rosterStatusLabel[e.status]}</span>
                {e.recapOpenedAt && (
                  <span className="roster-extra" data-testid={`recap-opened-${e.participantRef}`}>
                    read the recap {openedFormat.format(new Date(e.recapOpenedAt))}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
