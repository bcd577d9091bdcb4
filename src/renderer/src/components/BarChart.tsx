/**
 * A small hand-drawn SVG bar chart for the rosters screen: one bar per period, an optional
 * lighter bar behind it (what was possible, e.g. clients invited) and an optional dashed
 * target line. Screen readers get the chart's title and a sentence per bar as its
 * description; each bar also carries a <title> for a pointer hovering over it.
 */
import { useId } from 'react';
import { niceScale } from './chartMath';
import { t } from '../i18n';

export interface Bar {
  key: string;
  /** Under the bar (short: "3 Nov"). */
  label: string;
  value: number;
  /** Drawn behind the bar, lighter. */
  behind?: number;
  /** Said for this bar (hover and screen readers): "Week of 3 Nov: 2.5 h of 9 h". */
  describe: string;
  /** Below target: drawn in the warning colour. */
  low?: boolean;
  current?: boolean;
  /** Nothing was measured this period (not a zero): no bar at all, only its label. */
  missing?: boolean;
}

export interface BarChartProps {
  title: string;
  bars: Bar[];
  formatTick: (value: number) => string;
  target?: { value: number; label: string } | null;
  /** Said when there are no bars. */
  empty: string;
  /** Counts of people: gridlines only on whole numbers. */
  wholeNumbers?: boolean;
  /** The scale's end (a rating's 10), whatever the bars are; ticks in fifths of it. */
  ceiling?: number;
  testId?: string;
}

const W = 640;
const H = 230;
const M = { top: 14, right: 14, bottom: 34, left: 50 };

export function BarChart({ title, bars, formatTick, target, empty, wholeNumbers, ceiling, testId }: BarChartProps) {
  const id = useId();
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const max = Math.max(0, ...bars.map((b) => Math.max(b.value, b.behind ?? 0)), target?.value ?? 0, ceiling ?? 0);
  const scale = niceScale(max);
  // A scale with a fixed end (a rating's 0 to 10) is drawn to it, in fifths.
  const fixed = ceiling !== undefined && max <= ceiling;
  const step = fixed ? ceiling / 5 : wholeNumbers ? Math.max(1, Math.ceil(scale.step)) : scale.step;
  const top = fixed ? ceiling : wholeNumbers ? step * Math.max(1, Math.ceil(max / step)) : scale.top;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const y = (v: number) => M.top + plotH - (Math.min(v, top) / top) * plotH;
  const band = bars.length > 0 ? plotW / bars.length : plotW;
  const barW = Math.min(46, band * 0.62);
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  // Label every bar while they fit; beyond that every second or third, so labels never collide.
  const labelEvery = Math.max(1, Math.ceil(bars.length / 14));
  const description =
    bars.length === 0 ? empty : [...(target ? [t.charts.target(target.label)] : []), ...bars.map((b) => `${b.describe}.`)].join(' ');

  return (
    <svg
      className="chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-labelledby={`${titleId} ${descId}`}
      data-testid={testId}
      preserveAspectRatio="xMidYMid meet"
    >
      <title id={titleId}>{title}</title>
      <desc id={descId}>{description}</desc>
      <g className="chart-grid" aria-hidden="true">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} />
            <text x={M.left - 8} y={y(t)} dy="0.32em" textAnchor="end">
              {formatTick(t)}
            </text>
          </g>
        ))}
      </g>
      {bars.length === 0 && (
        <text className="chart-empty" x={M.left + plotW / 2} y={M.top + plotH / 2} textAnchor="middle" aria-hidden="true">
          {empty}
        </text>
      )}
      {bars.map((b, i) => {
        const cx = M.left + band * i + band / 2;
        return (
          <g key={b.key} className={`chart-bar${b.low ? ' low' : ''}${b.current ? ' current' : ''}`} data-value={b.value} data-missing={b.missing ? 'true' : undefined}>
            <title>{b.describe}</title>
            {b.behind !== undefined && b.behind > 0 && (
              <rect className="behind" x={cx - barW / 2} width={barW} y={y(b.behind)} height={y(0) - y(b.behind)} rx={3} />
            )}
            {/* A zero still gets a hairline, so "no attendance" reads as a measured zero. */}
            {!b.missing && (
              <rect className="value" x={cx - barW / 2} width={barW} y={Math.min(y(b.value), y(0) - 1.5)} height={Math.max(y(0) - y(b.value), 1.5)} rx={3} />
            )}
            {i % labelEvery === 0 && (
              <text className="chart-label" x={cx} y={H - M.bottom + 16} textAnchor="middle" aria-hidden="true">
                {b.label}
              </text>
            )}
          </g>
        );
      })}
      <line className="chart-axis" x1={M.left} x2={W - M.right} y1={y(0)} y2={y(0)} aria-hidden="true" />
      {target && (
        <g className="chart-target" aria-hidden="true">
          <line x1={M.left} x2={W - M.right} y1={y(target.value)} y2={y(target.value)} />
          <text x={M.left + 6} y={y(target.value) - 5} textAnchor="start">
            {t.charts.targetLine(target.label)}
          </text>
        </g>
      )}
    </svg>
  );
}
