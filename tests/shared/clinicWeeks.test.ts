/** The clinic's weeks: Monday 00:00 on the clinic's wall clock, daylight-saving changes included. */
import { describe, expect, it } from 'vitest';
import { addDays, addWeeks, isValidTimeZone, weekCount, weeksBetween, weekStartInstant, weekStartOf } from '../../src/shared/clinicWeeks.js';

describe('weekStartOf', () => {
  it('in UTC is the Monday (UTC) of the week', () => {
    expect(weekStartOf('2026-11-24T17:00:00.000Z', 'UTC')).toBe('2026-11-23');
    expect(weekStartOf('2026-11-23T00:00:00.000Z', 'UTC')).toBe('2026-11-23');
    expect(weekStartOf('2026-11-29T23:59:59.000Z', 'UTC')).toBe('2026-11-23');
    expect(weekStartOf('2026-11-30T00:00:00.000Z', 'UTC')).toBe('2026-11-30');
  });

  it("in Chicago, Sunday 19:00 belongs to that Sunday's week although UTC has reached Monday", () => {
    expect(weekStartOf('2026-11-09T01:00:00.000Z', 'America/Chicago')).toBe('2026-11-02');
    expect(weekStartOf('2026-11-09T06:00:00.000Z', 'America/Chicago')).toBe('2026-11-09'); // Monday 00:00 CST
  });

  it('east of UTC, Monday 00:30 local is already the new week while UTC is still on Sunday', () => {
    expect(weekStartOf('2026-11-08T23:30:00.000Z', 'Europe/Berlin')).toBe('2026-11-09');
  });
});

describe('weeks across a daylight-saving change', () => {
  it('begin at local midnight on Monday whatever the offset', () => {
    expect(weekStartInstant('2026-03-10T12:00:00Z', 'America/Chicago').toISOString()).toBe('2026-03-09T05:00:00.000Z'); // CDT
    expect(weekStartInstant('2026-03-05T12:00:00Z', 'America/Chicago').toISOString()).toBe('2026-03-02T06:00:00.000Z'); // CST
  });

  it('are listed once each, seven calendar days apart', () => {
    expect(weeksBetween(new Date('2026-03-02T06:00:00Z'), new Date('2026-03-23T05:00:00Z'), 'America/Chicago')).toEqual([
      '2026-03-02',
      '2026-03-09',
      '2026-03-16',
    ]);
    expect(weeksBetween(new Date('2026-10-19T05:00:00Z'), new Date('2026-11-09T06:00:00Z'), 'America/Chicago')).toEqual([
      '2026-10-19',
      '2026-10-26',
      '2026-11-02',
    ]);
  });

  it('are counted whole: a 167-hour week is one week', () => {
    expect(weekCount(new Date('2026-03-02T06:00:00Z'), new Date('2026-03-16T05:00:00Z'), 'America/Chicago')).toBe(2);
    expect(weekCount(new Date('2026-03-02T06:00:00Z'), new Date('2026-03-02T06:00:00Z'), 'America/Chicago')).toBe(0);
  });

  it('step by calendar weeks, keeping the wall-clock time', () => {
    expect(addWeeks('2026-03-02T06:00:00Z', 1, 'America/Chicago').toISOString()).toBe('2026-03-09T05:00:00.000Z');
    expect(addDays('2026-03-02', 6)).toBe('2026-03-08');
  });
});

describe('zones', () => {
  it('are IANA names', () => {
    expect(isValidTimeZone('America/Chicago')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});
