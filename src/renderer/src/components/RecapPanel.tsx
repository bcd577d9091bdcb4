/**
 * The written recap of a session that has ended (issue 20), beside its roster. Nothing of a
 * group is recorded, so its facilitator may write a short recap that each of its clients reads
 * on their own invitation page, after their passcode, for the days chosen here. It can start
 * from the session's group note, from its group-wide sections only: every client reads it, so
 * it must never carry one client's details.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { NOTE_TEMPLATES } from '../../../shared/notes';
import { RECAP_MAX_CHARS, type SessionRecap, type SessionSummary } from '../../../shared/protocol';
import { call, messageOf } from '../bridge';
import { ErrorBanner } from './Banner';
import { t } from '../i18n';

const DAY_CHOICES = [3, 7, 14, 30] as const;
const stamp = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The group note's group-wide sections (never a client's), as a recap's first draft. */
async function draftFromGroupNote(sessionId: string): Promise<string | null> {
  const notes = (await call('notes:list', { sessionId })).filter((n) => n.template === 'group');
  const latest = notes[0];
  if (!latest) return null;
  const { note } = await call('notes:get', { id: latest.id });
  const parts = NOTE_TEMPLATES.group.sections.map((s) => note.body.sections[s.key]?.trim()).filter((t): t is string => !!t);
  return parts.length > 0 ? parts.join('\n\n') : null;
}

export function RecapPanel({ session, myId }: { session: SessionSummary; myId: string | null }) {
  const ids = { text: useId(), days: useId(), hint: useId() };
  const [recap, setRecap] = useState<SessionRecap | null | undefined>(undefined);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [days, setDays] = useState<number>(7);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mayWrite = myId !== null && (session.facilitatorId === myId || session.coFacilitatorIds.includes(myId));

  useEffect(() => {
    setRecap(undefined);
    setEditing(false);
    call('recaps:get', { sessionId: session.id })
      .then(setRecap)
      .catch((err: unknown) => setError(messageOf(err)));
  }, [session.id]);

  const startWriting = () => {
    setText(recap?.text ?? '');
    setError(null);
    setEditing(true);
  };

  const fromNote = () => {
    setError(null);
    draftFromGroupNote(session.id)
      .then((draft) => (draft ? setText(draft) : setError(t.recap.noNote)))
      .catch((err: unknown) => setError(messageOf(err)));
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return setError(t.recap.empty);
    setBusy(true);
    setError(null);
    call('recaps:write', { sessionId: session.id, text, visibleDays: days })
      .then((saved) => {
        setRecap(saved);
        setEditing(false);
      })
      .catch((err: unknown) => setError(messageOf(err)))
      .finally(() => setBusy(false));
  };

  if (session.state !== 'ended') return null;
  return (
    <section className="panel recap-panel no-print" aria-labelledby="recap-panel-title" data-testid="recap-panel">
      <div className="panel-head">
        <h2 id="recap-panel-title">{t.recap.title}</h2>
        {!editing && mayWrite && recap !== undefined && (
          <button type="button" className="button quiet small" onClick={startWriting}>
            {recap ? t.recap.edit : t.recap.write}
          </button>
        )}
      </div>
      <ErrorBanner message={error} />
      {editing ? (
        <form onSubmit={save} className="recap-form">
          <p id={ids.hint} className="muted small">
            {t.recap.hint}
          </p>
          <label className="field" htmlFor={ids.text}>
            {t.recap.label}
          </label>
          <textarea
            id={ids.text}
            rows={6}
            maxLength={RECAP_MAX_CHARS}
            value={text}
            aria-describedby={ids.hint}
            onChange={(e) => setText(e.target.value)}
          />
          <span className="muted small">
            {t.recap.characters(text.length, RECAP_MAX_CHARS)}
          </span>
          <div className="field-row">
            <label className="field inline" htmlFor={ids.days}>
              {t.recap.shownFor}
              <select id={ids.days} value={days} onChange={(e) => setDays(Number(e.target.value))}>
                {DAY_CHOICES.map((d) => (
                  <option key={d} value={d}>
                    {t.recap.days(d)}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="button quiet small" onClick={fromNote} disabled={busy}>
              {t.recap.fromNote}
            </button>
          </div>
          <div className="field-row">
            <button type="submit" className="button primary small" disabled={busy}>
              {busy ? t.recap.saving : t.recap.save}
            </button>
            <button type="button" className="button quiet small" onClick={() => setEditing(false)} disabled={busy}>
              {t.recap.cancel}
            </button>
          </div>
        </form>
      ) : recap === undefined ? (
        <p className="muted small">{t.recap.loading}</p>
      ) : recap ? (
        <div data-testid="recap-current">
          <p className="recap-text">{recap.text}</p>
          <p className="muted small">
            {t.recap.written(recap.writtenBy, stamp.format(new Date(recap.writtenAt)), stamp.format(new Date(recap.visibleUntil)))}
          </p>
        </div>
      ) : (
        <p className="muted small">
          {t.recap.none} {mayWrite ? t.recap.why : ''}
        </p>
      )}
    </section>
  );
}
