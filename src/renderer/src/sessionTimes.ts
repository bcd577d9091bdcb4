/**
 * A session's start and end from the scheduling form's one date and two times. An end at or
 * before the start is on the next day: an evening group that runs past midnight (22:30 to
 * 00:00) is what a facilitator means, not a mistake. The same time twice is a mistake.
 */
export interface SessionTimes {
  startsAt: string;
  endsAt: string;
  /** The end falls on the day after the date given. */
  endsNextDay: boolean;
}

export type SessionTimesProblem = 'incomplete' | 'same time';

export function sessionTimes(date: string, from: string, to: string): SessionTimes | SessionTimesProblem {
  const start = new Date(`${date}T${from}`);
  const end = new Date(`${date}T${to}`);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return 'incomplete';
  if (end.getTime() === start.getTime()) return 'same time';
  const endsNextDay = end.getTime() < start.getTime();
  // The next calendar day on the local clock (a DST change keeps the wall-clock time).
  if (endsNextDay) end.setDate(end.getDate() + 1);
  return { startsAt: start.toISOString(), endsAt: end.toISOString(), endsNextDay };
}
