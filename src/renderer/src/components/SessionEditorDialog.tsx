import { ErrorBanner } from './Banner';
import { useEffect, useState, type FormEvent } from 'react';
import type { Colleague, RejoinPolicy, SessionSummary } from '../../../shared/protocol';
import { call, messageOf } from '../bridge';
import { refreshSessions } from '../services/account';
import { sessionTimes } from '../sessionTimes';
import { useConsole } from '../store';
import { CheckboxList } from './CheckboxList';
import { Dialog } from './Dialog';
import { t } from '../i18n';

const pad = (n: number) => String(n).padStart(2, '0');
const dateValue = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const timeValue = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;


/** Schedules a new group session, or edits one (title, time, co-facilitators). */
export function SessionEditorDialog({ session, onClose }: { session?: SessionSummary; onClose: () => void }) {
  const me = useConsole((s) => s.account?.user.id);
  const start = session ? new Date(session.startsAt) : nextHalfHour();
  const end = session ? new Date(session.endsAt) : new Date(start.getTime() + 90 * 60_000);
  const [title, setTitle] = useState(session?.title ?? '');
  const [date, setDate] = useState(dateValue(start));
  const [from, setFrom] = useState(timeValue(start));
  const [to, setTo] = useState(timeValue(end));
  const [coIds, setCoIds] = useState<string[]>(session?.coFacilitatorIds ?? []);
  const [rejoinPolicy, setRejoinPolicy] = useState<RejoinPolicy>(session?.rejoinPolicy ?? 'readmit');
  const [colleagues, setColleagues] = useState<Colleague[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = sessionTimes(date, from, to);
  const endsNextDay = typeof shown === 'object' && shown.endsNextDay;

  useEffect(() => {
    call('clinicians:list', {})
      .then((list) => setColleagues(list.filter((c) => c.roles.includes('facilitator') && c.id !== (session?.facilitatorId ?? me))))
      .catch((err: unknown) => setError(messageOf(err)));
  }, [me, session?.facilitatorId]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const times = sessionTimes(date, from, to);
    if (times === 'incomplete') return setError(t.sessionEditor.incomplete);
    if (times === 'same time') return setError(t.sessionEditor.sameTime);
    const { startsAt, endsAt } = times;
    setBusy(true);
    setError(null);
    try {
      if (session) {
        await call('sessions:update', { id: session.id, changes: { title, startsAt, endsAt, coFacilitatorIds: coIds, rejoinPolicy } });
      } else {
        await call('sessions:create', { title, startsAt, endsAt, coFacilitatorIds: coIds, rejoinPolicy });
      }
      await refreshSessions();
      onClose();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={session ? t.sessionEditor.editTitle(session.title) : t.sessionEditor.scheduleTitle}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            {t.sessionEditor.cancel}
          </button>
          <button type="submit" form="session-form" className="button primary" disabled={busy}>
            {session ? t.sessionEditor.save : t.sessionEditor.schedule}
          </button>
        </>
      }
    >
      <form id="session-form" className="form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          {t.sessionEditor.title}
          <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={120} autoFocus placeholder={t.sessionEditor.titlePlaceholder} />
        </label>
        <div className="field-row">
          <label className="field">
            {t.sessionEditor.date}
            <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
          </label>
          <label className="field">
            {t.sessionEditor.starts}
            <input type="time" value={from} onChange={(e) => setFrom(e.target.value)} required />
          </label>
          <label className="field">
            {t.sessionEditor.ends}
            <input type="time" value={to} onChange={(e) => setTo(e.target.value)} required aria-describedby="ends-next-day" />
          </label>
        </div>
        {endsNextDay && (
          <p id="ends-next-day" className="muted small">
            {t.sessionEditor.nextDay}
          </p>
        )}
        <CheckboxList
          legend={t.sessionEditor.coFacilitators}
          options={colleagues.map((c) => ({ id: c.id, label: c.displayName }))}
          selected={coIds}
          onChange={setCoIds}
          empty={t.sessionEditor.noOthers}
        />
        <fieldset className="field">
          <legend>{t.sessionEditor.restart}</legend>
          <label className="check">
            <input type="radio" name="rejoin" checked={rejoinPolicy === 'readmit'} onChange={() => setRejoinPolicy('readmit')} />
            {t.sessionEditor.readmit}
          </label>
          <label className="check">
            <input
              type="radio"
              name="rejoin"
              checked={rejoinPolicy === 'waiting-room'}
              onChange={() => setRejoinPolicy('waiting-room')}
            />
            {t.sessionEditor.waitingRoom}
          </label>
          <p className="muted small">{t.sessionEditor.dropped}</p>
        </fieldset>
        <ErrorBanner message={error} />
      </form>
    </Dialog>
  );
}

function nextHalfHour(): Date {
  const d = new Date();
  d.setSeconds(0, 0);
  d.setMinutes(d.getMinutes() < 30 ? 30 : 60);
  return d;
}
