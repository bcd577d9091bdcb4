import { ErrorBanner } from '../components/Banner';
import { useEffect, useState } from 'react';
import type { SessionSummary } from '../../../shared/protocol';
import { messageOf } from '../bridge';
import { InvitationsDialog } from '../components/InvitationsDialog';
import { SessionEditorDialog } from '../components/SessionEditorDialog';
import { refreshSessions, showWeek } from '../services/account';
import { openSession } from '../services/room';
import { useConsole } from '../store';
import { t } from '../i18n';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const rangeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

const stateLabel: Record<SessionSummary['state'], string> = t.week.states;

const DAY_MS = 24 * 60 * 60 * 1000;

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

type Dialog = { kind: 'schedule' } | { kind: 'edit'; session: SessionSummary } | { kind: 'invitations'; session: SessionSummary } | null;

export function SessionsScreen() {
  const sessions = useConsole((s) => s.sessions);
  const loading = useConsole((s) => s.sessionsLoading);
  const roomError = useConsole((s) => s.roomError);
  const roomStatus = useConsole((s) => s.roomStatus);
  const weekStart = useConsole((s) => s.weekStart);
  const user = useConsole((s) => s.account?.user);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);

  const load = (p: Promise<void>) => {
    setError(null);
    p.catch((err: unknown) => setError(messageOf(err)));
  };
  useEffect(() => load(refreshSessions()), []);

  const today = new Date();
  const days = Array.from({ length: 7 }, (_, i) => {
    const start = new Date(weekStart);
    return new Date(start.getFullYear(), start.getMonth(), start.getDate() + i);
  });
  const isThisWeek = days.some((d) => sameDay(d, today));
  const roles = user?.roles ?? [];
  const canSchedule = roles.includes('facilitator') || roles.includes('admin');
  const facilitates = (s: SessionSummary) => s.facilitatorId === user?.id || s.coFacilitatorIds.includes(user?.id ?? '');
  const canEdit = (s: SessionSummary) => s.state !== 'ended' && (s.facilitatorId === user?.id || roles.includes('admin'));
  const canInvite = (s: SessionSummary) => s.state !== 'ended' && (facilitates(s) || roles.includes('admin'));

  return (
    <section aria-labelledby="week-title" className="sessions">
      <div className="section-head">
        <div>
          <h1 id="week-title">{isThisWeek ? t.week.thisWeek : t.week.week}</h1>
          <p className="muted">
            {rangeFormat.format(days[0])} – {rangeFormat.format(days[6])}
          </p>
        </div>
        <div className="controls">
          <button type="button" className="button quiet" onClick={() => load(showWeek(-1))} aria-label={t.week.previousLabel}>
            {t.week.previous}
          </button>
          {!isThisWeek && (
            <button type="button" className="button quiet" onClick={() => load(showWeek(0))}>
              {t.week.thisWeek}
            </button>
          )}
          <button type="button" className="button quiet" onClick={() => load(showWeek(1))} aria-label={t.week.nextLabel}>
            {t.week.next}
          </button>
          {canSchedule && (
            <button type="button" className="button primary" onClick={() => setDialog({ kind: 'schedule' })}>
              {t.week.schedule}
            </button>
          )}
        </div>
      </div>
      <ErrorBanner message={error} />
      {!error && roomError && (
        <p className={`banner ${roomStatus === 'failed' ? 'error' : 'info'}`} role={roomStatus === 'failed' ? 'alert' : 'status'}>
          {roomError}
        </p>
      )}
      {loading && sessions.length === 0 && <p className="muted">{t.week.loading}</p>}
      <ol className="week">
        {days.map((day) => {
          const mine = sessions
            .filter((s) => sameDay(new Date(s.startsAt), day))
            .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
          const isToday = sameDay(day, today);
          const past = day.getTime() + DAY_MS <= today.getTime();
          return (
            <li key={day.getTime()} className={`day${isToday ? ' today' : ''}${past ? ' past' : ''}`}>
              <h2 className="day-title">
                {dayFormat.format(day)}
                {isToday && <span className="pill today-pill">{t.week.today}</span>}
              </h2>
              {mine.length === 0 ? (
                <p className="muted small">{t.week.noSessions}</p>
              ) : (
                <ul className="session-list">
                  {mine.map((s) => (
                    <li key={s.id} className="session-card" data-testid={`session-${s.id}`}>
                      <div>
                        <h3>{s.title}</h3>
                        <p className="muted">
                          {timeFormat.format(new Date(s.startsAt))} – {timeFormat.format(new Date(s.endsAt))}
                          <span className={`pill state-${s.state}`}>{stateLabel[s.state]}</span>
                        </p>
                      </div>
                      <div className="controls">
                        {canInvite(s) && (
                          <button type="button" className="button quiet small" onClick={() => setDialog({ kind: 'invitations', session: s })}>
                            {t.week.invitations}
                          </button>
                        )}
                        {canEdit(s) && (
                          <button
                            type="button"
                            className="button quiet small"
                            onClick={() => setDialog({ kind: 'edit', session: s })}
                            aria-label={t.week.editLabel(s.title)}
                          >
                            {t.week.edit}
                          </button>
                        )}
                        {(s.state === 'open' || s.state === 'live') && (
                          <button
                            type="button"
                            className="button primary small"
                            onClick={() => void openSession(s.id)}
                            aria-label={t.week.openLabel(s.title)}
                          >
                            {t.week.open}
                          </button>
                        )}
                      </div>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
      {dialog?.kind === 'schedule' && <SessionEditorDialog onClose={() => setDialog(null)} />}
      {dialog?.kind === 'edit' && <SessionEditorDialog session={dialog.session} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'invitations' && <InvitationsDialog session={dialog.session} onClose={() => setDialog(null)} />}
    </section>
  );
}
