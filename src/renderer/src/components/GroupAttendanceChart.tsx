/**
 * A group's attendance over time: every session in the range with the same title and lead
 * facilitator as the open one, clients who attended against clients invited.
 */
import type { RosterSummary } from '../../../shared/protocol';
import { BarChart } from './BarChart';
import { formatMinutes, sameGroup } from './chartMath';
import { t } from '../i18n';

const dayLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

export function GroupAttendanceChart({ list, sessionId }: { list: readonly RosterSummary[]; sessionId: string }) {
  const group = sameGroup(list, sessionId);
  const one = group.find((s) => s.session.id === sessionId);
  if (!one) return null;
  const bars = group.map((s) => {
    const label = dayLabel.format(new Date(s.session.startsAt));
    return {
      key: s.session.id,
      label,
      value: s.attended,
      behind: s.invited,
      current: s.session.id === sessionId,
      describe: t.charts.groupBar(label, s.attended, s.invited, formatMinutes(s.minutesPresentTotal)),
    };
  });
  return (
    <section className="panel roster-chart" aria-labelledby="group-chart-title" data-testid="group-chart">
      <div className="panel-head">
        <h2 id="group-chart-title">{t.charts.groupTitle}</h2>
      </div>
      <p className="muted small">
        {t.charts.groupLead(one.session.title, one.facilitatorName, t.charts.sessions(group.length))}
      </p>
      <p className="chart-legend muted small" aria-hidden="true">
        <span className="legend legend-value">{t.charts.attended}</span>
        <span className="legend legend-behind">{t.charts.invited}</span>
      </p>
      <BarChart
        title={t.charts.groupChart(one.session.title, one.facilitatorName)}
        bars={bars}
        formatTick={(v) => String(v)}
        wholeNumbers
        empty={t.charts.groupEmpty}
        testId="group-attendance-chart"
      />
    </section>
  );
}
