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
import { t } from '../i18n';

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

export const rosterStatusLabel: Record<RosterEntry['status'], string> = t.roster.status;

/** A recap is read days after the session: the date too. */
const openedFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

function at(iso: string | null): string {
  return iso ? time.format(new Date(iso)) : '';
}

/** "18:02 · Dr. Ana Demo", or a dash when it did not happen. */
function Happened({ when, by, extra }: { when: string | null; by?: string | null; extra?: string | null }) {
  if (!when) return <span className="muted" aria-label={t.roster.notRecorded}>—</span>;
  return (
    <>
      <time dateTime={when}>{at(when)}</time>
      {by && <span className="roster-by"> · {by}</span>}
      {extra && <span className="roster-extra">{extra}</span>}
    </>
  );
}

/** Which agreement the client accepted, in which language, and when, if not at the knock shown beside it. */
function agreementLine(e: RosterEntry): string | null {
  if (!e.agreementVersion) return null;
  const later = e.agreementAcceptedAt && e.agreementAcceptedAt !== e.knockedAt ? at(e.agreementAcceptedAt) : null;
  return t.roster.agreement(e.agreementVersion, e.agreementLanguage ? t.language.names[e.agreementLanguage] : null, later);
}

/** The roster's one-line summary: the figures a supervisor looks for first. */
export function rosterSummaryLine(roster: SessionRoster): string {
  const { entries } = roster;
  const attended = entries.filter((e) => e.admittedAt !== null).length;
  const removed = entries.filter((e) => e.removedAt !== null).length;
  const minutes = entries.reduce((sum, e) => sum + e.minutesPresent, 0);
  return [
    t.roster.attended(attended, entries.length),
    ...(removed > 0 ? [t.roster.removedCount(removed)] : []),
    t.roster.presentInTotal(formatMinutes(minutes)),
  ].join(' · ');
}

export function RosterHeader({ roster }: { roster: SessionRoster }) {
  const { session, facilitatorName } = roster;
  const starts = new Date(session.startsAt);
  return (
    <div className="roster-header">
      <h2 id="roster-title">{session.title}</h2>
      <p className="muted">
        {day.format(starts)}, {time.format(starts)}–{time.format(new Date(session.endsAt))}
        {t.roster.ledBy(facilitatorName)}
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
          {t.roster.caption(session.title, day.format(new Date(session.startsAt)))}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t.roster.columns.client}</th>
            <th scope="col">{t.roster.columns.name}</th>
            <th scope="col">{t.roster.columns.knocked}</th>
            <th scope="col">{t.roster.columns.admittedBy}</th>
            <th scope="col">{t.roster.columns.verifiedBy}</th>
            <th scope="col">{t.roster.columns.left}</th>
            <th scope="col">{t.roster.columns.removedBy}</th>
            <th scope="col" className="num">
              {t.roster.columns.minutes}
            </th>
            <th scope="col" className="num">
              {t.roster.columns.reconnects}
            </th>
            <th scope="col">{t.roster.columns.status}</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td colSpan={10} className="muted">
                {t.roster.nobodyInvited}
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
                  aria-label={t.roster.overWeeks(e.participantRef)}
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
                    {t.roster.saidToday(ratingText(e.checkInRating))}
                  </span>
                )}
              </td>
              <td>
                <Happened when={e.admittedAt} by={e.admittedBy} />
                {e.returnsToWaiting > 0 && (
                  <span className="roster-extra">
                    {t.roster.sentBack(e.returnsToWaiting)}
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
                  <Happened when={e.deniedAt} extra={t.roster.notAdmitted} />
                ) : (
                  <span className="muted" aria-label={t.roster.notRemoved}>—</span>
                )}
              </td>
              <td className="num">{formatMinutes(e.minutesPresent)}</td>
              <td className="num">{e.reconnects}</td>
              <td>
                <span className={`pill roster-${e.status}`}>{rosterStatusLabel[e.status]}</span>
                {e.recapOpenedAt && (
                  <span className="roster-extra" data-testid={`recap-opened-${e.participantRef}`}>
                    {t.roster.readRecap(openedFormat.format(new Date(e.recapOpenedAt)))}
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
