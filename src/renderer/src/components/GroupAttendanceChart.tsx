/**
 * A group's attendance over time: every session in the range with the same title and lead
 * facilitator as the open one, clients who attended against clients invited.
 */
import type { RosterSummary } from '../../../shared/protocol';
import { BarChart } from './BarChart';
import { formatMinutes, sameGroup } from './chartMath';

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
      describe: `${label}: ${s.attended} of ${s.invited} attended, ${formatMinutes(s.minutesPresentTotal)} present in total`,
    };
  });
  return (
    <section className="panel roster-chart" aria-labelledby="group-chart-title" data-testid="group-chart">
      <div className="panel-head">
        <h2 id="group-chart-title">This group over time</h2>
      </div>
      <p className="muted small">
        {one.session.title} with {one.facilitatorName}: {group.length === 1 ? '1 session' : `${group.length} sessions`} in the
        dates shown.
      </p>
      <p className="chart-legend muted small" aria-hidden="true">
        <span className="legend legend-value">Attended</span>
        <span className="legend legend-behind">Invited</span>
      </p>
      <BarChart
        title={`Attendance at ${one.session.title} with ${one.facilitatorName}, clients attended of invited per session`}
        bars={bars}
        formatTick={(v) => String(v)}
        wholeNumbers
        empty="No sessions of this group in these dates."
        testId="group-attendance-chart"
      />
    </section>
  );
}
