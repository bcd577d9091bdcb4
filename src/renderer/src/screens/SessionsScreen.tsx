import { useEffect, useState } from 'react';
import type { SessionSummary } from '../../../shared/protocol';
import { messageOf } from '../bridge';
import { refreshSessions } from '../services/account';
import { openSession } from '../services/room';
import { useConsole } from '../store';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });

function isToday(iso: string, now = new Date()): boolean {
  const d = new Date(iso);
  return d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
}

const stateLabel: Record<SessionSummary['state'], string> = {
  scheduled: 'Scheduled',
  open: 'Waiting room open',
  live: 'Live',
  ended: 'Ended',
};

export function SessionsScreen() {
  const sessions = useConsole((s) => s.sessions);
  const loading = useConsole((s) => s.sessionsLoading);
  const roomError = useConsole((s) => s.roomError);
  const roomStatus = useConsole((s) => s.roomStatus);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    refreshSessions().catch((err: unknown) => setError(messageOf(err)));
  }, []);

  const today = sessions.filter((s) => isToday(s.startsAt)).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  return (
    <section aria-labelledby="today-title" className="sessions">
      <div className="section-head">
        <div>
          <h1 id="today-title">Today&apos;s sessions</h1>
          <p className="muted">{dayFormat.format(new Date())}</p>
        </div>
        <button type="button" className="button quiet" onClick={() => void refreshSessions().catch((e: unknown) => setError(messageOf(e)))}>
          Refresh
        </button>
      </div>
      {error && (
        <p className="banner error" role="alert">
          {error}
        </p>
      )}
      {!error && roomError && (
        <p className={`banner ${roomStatus === 'failed' ? 'error' : 'info'}`} role={roomStatus === 'failed' ? 'alert' : 'status'}>
          {roomError}
        </p>
      )}
      {loading && today.length === 0 && <p className="muted">Loading…</p>}
      {!loading && today.length === 0 && <p className="empty">No sessions today.</p>}
      <ul className="session-list">
        {today.map((s) => (
          <li key={s.id} className="session-card">
            <div>
              <h2>{s.title}</h2>
              <p className="muted">
                {timeFormat.format(new Date(s.startsAt))} – {timeFormat.format(new Date(s.endsAt))}
                <span className={`pill state-${s.state}`}>{stateLabel[s.state]}</span>
              </p>
            </div>
            <button
              type="button"
              className="button primary"
              disabled={s.state === 'ended'}
              onClick={() => void openSession(s.id)}
              aria-label={`Open ${s.title}`}
            >
              Open session
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
