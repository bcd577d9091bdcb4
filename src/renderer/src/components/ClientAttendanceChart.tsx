/**
 * A client's attendance week by week against their weekly target, with the target editable
 * in place (by the clinicians the server lets set it; anyone else gets its refusal shown).
 */
import { useState, type FormEvent } from 'react';
import type { Fetched } from '../../../shared/ipc';
import type { AttendanceHistory } from '../../../shared/protocol';
import { messageOf } from '../bridge';
import { setClientTarget } from '../services/rosters';
import { ErrorBanner } from './Banner';
import { BarChart } from './BarChart';
import { fillWeeks, formatHours, weeklyRatings } from './chartMath';

const weekLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

export function ClientAttendanceChart({
  participantRef,
  history,
  from,
  to,
  onClose,
}: {
  participantRef: string;
  history: Fetched<AttendanceHistory> | null;
  from: Date;
  to: Date;
  onClose: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const target = history?.data.targetHoursPerWeek ?? null;

  const startEditing = () => {
    setDraft(target === null ? '' : String(target));
    setError(null);
    setEditing(true);
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    const text = draft.trim();
    const hours = text === '' ? null : Number(text.replace(',', '.'));
    if (hours !== null && (!Number.isFinite(hours) || hours < 0 || hours > 60)) {
      setError('A weekly target is a number of hours from 0 to 60, or empty for none.');
      return;
    }
    setSaving(true);
    setError(null);
    setClientTarget(participantRef, hours)
      .then(() => setEditing(false))
      .catch((err: unknown) => setError(messageOf(err)))
      .finally(() => setSaving(false));
  };

  const weeks = history ? fillWeeks(history.data, from, to) : [];
  const bars = weeks.map((w) => {
    const hours = w.minutesPresent / 60;
    const label = weekLabel.format(new Date(w.weekStart));
    const sessions = w.sessions.length === 1 ? '1 session' : `${w.sessions.length} sessions`;
    return {
      key: w.weekStart,
      label,
      value: hours,
      low: target !== null && hours < target,
      describe: `Week of ${label}: ${formatHours(hours)} in ${sessions}${target !== null ? ` (target ${formatHours(target)})` : ''}`,
    };
  });
  const metWeeks = target === null ? null : bars.filter((b) => !b.low).length;
  // How they said they were, week by week: only clinical readers are sent ratings at all.
  const ratings = weeklyRatings(weeks);
  const rated = ratings.filter((r) => r.mean !== null);
  const ratingBars = ratings.map((r) => {
    const label = weekLabel.format(new Date(r.weekStart));
    const words = r.words.length > 0 ? ` (${r.words.map((w) => `“${w}”`).join(', ')})` : '';
    return {
      key: r.weekStart,
      label,
      value: r.mean ?? 0,
      missing: r.mean === null,
      low: r.mean !== null && r.mean <= 3,
      describe:
        r.mean === null
          ? `Week of ${label}: no check-in rating`
          : `Week of ${label}: ${r.mean} of 10${r.count > 1 ? ` on average over ${r.count} check-ins` : ''}${words}`,
    };
  });

  return (
    <section className="panel roster-chart" aria-labelledby="client-chart-title" data-testid="client-chart">
      <div className="panel-head">
        <h2 id="client-chart-title">{participantRef}: hours per week</h2>
        <button type="button" className="button quiet small no-print" onClick={onClose}>
          Close
        </button>
      </div>
      <div className="target-row">
        {editing ? (
          <form className="target-form" onSubmit={save} onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}>
            <label className="field inline">
              Weekly target
              <input
                type="number"
                inputMode="decimal"
                min={0}
                max={60}
                step="any"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                aria-describedby="target-hint"
                autoFocus
              />
              hours
            </label>
            <button type="submit" className="button primary small" disabled={saving}>
              Save target
            </button>
            <button type="button" className="button quiet small" onClick={() => setEditing(false)} disabled={saving}>
              Cancel
            </button>
            <span id="target-hint" className="muted small">
              Leave empty for no target.
            </span>
          </form>
        ) : (
          <>
            <span data-testid="client-target">
              Weekly target: <strong>{target === null ? 'none set' : formatHours(target)}</strong>
              {metWeeks !== null && bars.length > 0 && (
                <span className="muted">
                  {' '}
                  · met in {metWeeks} of {bars.length} weeks
                </span>
              )}
            </span>
            <button type="button" className="button quiet small" onClick={startEditing} disabled={!history}>
              {target === null ? 'Set target' : 'Change target'}
            </button>
          </>
        )}
      </div>
      <ErrorBanner message={error} />
      {history ? (
        <BarChart
          title={`${participantRef}: hours attended per week${target !== null ? `, against a target of ${formatHours(target)}` : ''}`}
          bars={bars}
          formatTick={(v) => formatHours(v)}
          target={target === null ? null : { value: target, label: formatHours(target) }}
          empty="No sessions in these weeks."
          testId="client-attendance-chart"
        />
      ) : (
        <p className="muted small">Loading attendance…</p>
      )}
      {history && (
        <div className="rating-chart" data-testid="client-rating">
          <h3>How they said they were at check-in</h3>
          {rated.length > 0 ? (
            <BarChart
              title={`${participantRef}: check-in rating per week, 0 (very bad) to 10 (very good)`}
              bars={ratingBars}
              formatTick={(v) => String(v)}
              empty="No check-in ratings in these weeks."
              wholeNumbers
              ceiling={10}
              testId="client-rating-chart"
            />
          ) : (
            <p className="muted small">No check-in ratings in these weeks.</p>
          )}
        </div>
      )}
    </section>
  );
}
