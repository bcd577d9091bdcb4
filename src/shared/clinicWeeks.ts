/**
 * The clinic's weeks: Monday 00:00 to the next Monday 00:00 on the clinic's wall clock, in an
 * IANA time zone. The one place week arithmetic lives, for the server's attendance history
 * and the console's charts and week pickers alike.
 *
 * Why luxon rather than adding 7 × 24 hours: a week holding a daylight-saving change is 167
 * or 169 hours long, and a Sunday-evening group in Chicago is already Monday in UTC. Weeks are
 * named by their Monday's date (`YYYY-MM-DD`) on the clinic's calendar.
 */
import { DateTime, IANAZone } from 'luxon';

export const UTC_ZONE = 'UTC';

/** Whether `name` is a time zone luxon (and so this module) can compute in. */
export function isValidTimeZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

function inZone(at: Date | string | number, zone: string): DateTime {
  const dt =
    typeof at === 'string'
      ? DateTime.fromISO(at, { zone, setZone: false }).setZone(zone)
      : DateTime.fromMillis(typeof at === 'number' ? at : at.getTime(), { zone });
  if (!dt.isValid) throw new RangeError(`not a time in ${zone}: ${String(at)}`);
  return dt;
}

/** The Monday (`YYYY-MM-DD`, on the clinic's calendar) of the week `at` falls in. */
export function weekStartOf(at: Date | string | number, zone: string): string {
  return inZone(at, zone).startOf('week').toISODate() ?? '';
}

/** The instant the week `at` falls in began: that Monday 00:00 in `zone`. */
export function weekStartInstant(at: Date | string | number, zone: string): Date {
  return inZone(at, zone).startOf('week').toJSDate();
}

/** The instant the week named by its Monday (`YYYY-MM-DD`) begins in `zone`. */
export function mondayInstant(monday: string, zone: string): Date {
  const dt = DateTime.fromISO(monday, { zone });
  if (!dt.isValid) throw new RangeError(`not a day: ${monday}`);
  return dt.startOf('day').toJSDate();
}

/** The same wall-clock time `weeks` calendar weeks later (or, negative, earlier) in `zone`. */
export function addWeeks(at: Date | string | number, weeks: number, zone: string): Date {
  return inZone(at, zone).plus({ weeks }).toJSDate();
}

/** How many weeks [from, to) touches on the clinic's calendar (0 when `to` is not after `from`). */
export function weekCount(from: Date, to: Date, zone: string): number {
  if (to.getTime() <= from.getTime()) return 0;
  const first = inZone(from, zone).startOf('week');
  const last = inZone(to.getTime() - 1, zone).startOf('week');
  return Math.round(last.diff(first, 'weeks').weeks) + 1;
}

/**
 * Every week overlapping [from, to), by its Monday, oldest first. At most `max` (a range that
 * long is a mistake, and the caller decides what to say about it: see `weekCount`).
 */
export function weeksBetween(from: Date, to: Date, zone: string, max = 520): string[] {
  const weeks: string[] = [];
  for (let w = inZone(from, zone).startOf('week'); w.toMillis() < to.getTime() && weeks.length < max; w = w.plus({ weeks: 1 })) {
    weeks.push(w.toISODate() ?? '');
  }
  return weeks;
}

/** A day on the clinic's calendar as `YYYY-MM-DD` (what `<input type="date">` speaks). */
export function dayOf(at: Date | string | number, zone: string): string {
  return inZone(at, zone).toISODate() ?? '';
}

/** The day `days` after (or, negative, before) the given `YYYY-MM-DD` day. */
export function addDays(day: string, days: number): string {
  return DateTime.fromISO(day, { zone: UTC_ZONE }).plus({ days }).toISODate() ?? day;
}

/** The zone this process runs in (the console's viewer, or a server's host), UTC when unknown. */
export function localTimeZone(): string {
  const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && isValidTimeZone(zone) ? zone : UTC_ZONE;
}
