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
import { t } from '../i18n';

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
      setError(t.charts.badTarget);
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
    const sessions = t.charts.sessions(w.sessions.length);
    return {
      key: w.weekStart,
      label,
      value: hours,
      low: target !== null && hours < target,
      describe: t.charts.weekBar(label, formatHours(hours), sessions, target !== null ? formatHours(target) : null),
    };
  });
  const metWeeks = target === null ? null : bars.filter((b) => !b.low).length;
  // How they said they were, week by week: only clinical readers are sent ratings at all.
  const ratings = weeklyRatings(weeks);
  const rated = ratings.filter((r) => r.mean !== null);
  const ratingBars = ratings.map((r) => {
    const label = weekLabel.format(new Date(r.weekStart));
    return {
      key: r.weekStart,
      label,
      value: r.mean ?? 0,
      missing: r.mean === null,
      low: r.mean !== null && r.mean <= 3,
      describe:
        r.mean === null
          ? t.charts.noRating(label)
          : t.charts.ratingBar(label, r.mean, r.count, r.words),
    };
  });

  return (
    <section className="panel roster-chart" aria-labelledby="client-chart-title" data-testid="client-chart">
      <div className="panel-head">
        <h2 id="client-chart-title">{t.charts.clientTitle(participantRef)}</h2>
        <button type="button" className="button quiet small no-print" onClick={onClose}>
          {t.charts.close}
        </button>
      </div>
      <div className="target-row">
        {editing ? (
          <form className="target-form" onSubmit={save} onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}>
            <label className="field inline">
              {t.charts.weeklyTarget}
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
              {t.charts.hours}
            </label>
            <button type="submit" className="button primary small" disabled={saving}>
              {t.charts.saveTarget}
            </button>
            <button type="button" className="button quiet small" onClick={() => setEditing(false)} disabled={saving}>
              {t.charts.cancel}
            </button>
            <span id="target-hint" className="muted small">
              {t.charts.noTargetHint}
            </span>
          </form>
        ) : (
          <>
            <span data-testid="client-target">
              {t.charts.targetIs} <strong>{target === null ? t.charts.noneSet : formatHours(target)}</strong>
              {metWeeks !== null && bars.length > 0 && (
                <span className="muted">{t.charts.met(metWeeks, bars.length)}</span>
              )}
            </span>
            <button type="button" className="button quiet small" onClick={startEditing} disabled={!history}>
              {target === null ? t.charts.setTarget : t.charts.changeTarget}
            </button>
          </>
        )}
      </div>
      <ErrorBanner message={error} />
      {history ? (
        <BarChart
          title={t.charts.clientChart(participantRef, target !== null ? formatHours(target) : null)}
          bars={bars}
          formatTick={(v) => formatHours(v)}
          target={target === null ? null : { value: target, label: formatHours(target) }}
          empty={t.charts.noWeeks}
          testId="client-attendance-chart"
        />
      ) : (
        <p className="muted small">{t.charts.loading}</p>
      )}
      {history && (
        <div className="rating-chart" data-testid="client-rating">
          <h3>{t.charts.ratingTitle}</h3>
          {rated.length > 0 ? (
            <BarChart
              title={t.charts.ratingChart(participantRef)}
              bars={ratingBars}
              formatTick={(v) => String(v)}
              empty={t.charts.noRatings}
              wholeNumbers
              ceiling={10}
              testId="client-rating-chart"
            />
          ) : (
            <p className="muted small">{t.charts.noRatings}</p>
          )}
        </div>
      )}
    </section>
  );
}
