/**
 * The arithmetic behind the rosters screen's charts, kept free of the DOM so it can be
 * tested on its own: axis scales, the weeks a client's chart spans, and which sessions
 * make up "the same group".
 */
import { UTC_ZONE, weeksBetween } from '../../../shared/clinicWeeks';
import type { AttendanceHistory, AttendanceWeek, RosterSummary } from '../../../shared/protocol';

/**
 * The top of an axis that holds `max` (and `floor`, e.g. a target line), rounded up to 1, 2,
 * 2.5 or 5 times a power of ten so gridlines fall on round numbers; with the step between
 * `ticks` gridlines. Never zero, so an empty chart still has an axis.
 */
export function niceScale(max: number, ticks = 4): { top: number; step: number } {
  const wanted = Math.max(max, 0) / ticks;
  if (!(wanted > 0) || !Number.isFinite(wanted)) return { top: ticks, step: 1 };
  const power = 10 ** Math.floor(Math.log10(wanted));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= wanted - 1e-9) ?? 10 * power;
  return { top: step * ticks, step };
}

/**
 * One entry per week of the range, the server's where it sent one and an empty week where
 * the client had no session, so a missed week shows as a gap at zero rather than vanishing.
 */
export function fillWeeks(history: AttendanceHistory, from: Date, to: Date): AttendanceWeek[] {
  const byWeek = new Map(history.weeks.map((w) => [w.weekStart.slice(0, 10), w]));
  // The clinic's weeks, as the server says it counted them (a server that does not say counted UTC's).
  const filled: AttendanceWeek[] = weeksBetween(from, to, history.timeZone ?? UTC_ZONE).map(
    (weekStart) => byWeek.get(weekStart) ?? { weekStart, minutesPresent: 0, sessions: [] },
  );
  // A week the server reported outside the computed span (a clock at the edge) is still shown.
  for (const [weekStart, w] of byWeek) if (!filled.some((f) => f.weekStart.slice(0, 10) === weekStart)) filled.push(w);
  return filled.sort((a, b) => a.weekStart.localeCompare(b.weekStart));
}

/** A week's check-in ratings: their mean (null when none was given that week), and the words said. */
export interface WeekRatings {
  weekStart: string;
  mean: number | null;
  count: number;
  words: string[];
}

/** The check-in ratings of each week, from the sessions of a client's weeks (issue 20). */
export function weeklyRatings(weeks: readonly AttendanceWeek[]): WeekRatings[] {
  return weeks.map((w) => {
    const ratings = w.sessions.flatMap((s) => (s.checkInRating ? [s.checkInRating] : []));
    const sum = ratings.reduce((total, r) => total + r.score, 0);
    return {
      weekStart: w.weekStart,
      mean: ratings.length === 0 ? null : Math.round((sum / ratings.length) * 10) / 10,
      count: ratings.length,
      words: ratings.flatMap((r) => (r.word ? [r.word] : [])),
    };
  });
}

/** The sessions of the same group as `sessionId`: same title and lead facilitator, oldest first. */
export function sameGroup(list: readonly RosterSummary[], sessionId: string): RosterSummary[] {
  const one = list.find((s) => s.session.id === sessionId);
  if (!one) return [];
  const title = one.session.title.trim().toLowerCase();
  return list
    .filter((s) => s.session.facilitatorId === one.session.facilitatorId && s.session.title.trim().toLowerCase() === title)
    .sort((a, b) => a.session.startsAt.localeCompare(b.session.startsAt));
}

/** Minutes as the roster shows them: whole minutes, or hours and minutes past the hour. */
export function formatMinutes(minutes: number): string {
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return rest === 0 ? `${h} h` : `${h} h ${rest} min`;
}

/** Hours with at most two decimals and no trailing zeros (1.25 h, 1.5 h, 2 h), for axes and labels. */
export function formatHours(hours: number): string {
  return `${Number(hours.toFixed(2))} h`;
}
