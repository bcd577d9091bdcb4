/** The scheduling form's date and times as a session's start and end (src/renderer/src/sessionTimes.ts). */
import { describe, expect, it } from 'vitest';
import { sessionTimes } from '../../src/renderer/src/sessionTimes';

const local = (s: string) => new Date(s).toISOString();

describe('a session’s times from one date and two times', () => {
  it('ends the same day when the end is later', () => {
    expect(sessionTimes('2026-12-05', '17:00', '18:30')).toEqual({ startsAt: local('2026-12-05T17:00'), endsAt: local('2026-12-05T18:30'), endsNextDay: false });
  });

  it('ends the next day when the end is earlier: an evening group past midnight', () => {
    // Scheduled at 22:10, the form offers 22:30 to 00:00: this was refused as "ending before it starts".
    expect(sessionTimes('2026-12-05', '22:30', '00:00')).toEqual({ startsAt: local('2026-12-05T22:30'), endsAt: local('2026-12-06T00:00'), endsNextDay: true });
    expect(sessionTimes('2026-12-31', '23:00', '00:30')).toMatchObject({ endsAt: local('2027-01-01T00:30'), endsNextDay: true });
  });

  it('says what is wrong with the same time twice or a missing value', () => {
    expect(sessionTimes('2026-12-05', '17:00', '17:00')).toBe('same time');
    expect(sessionTimes('', '17:00', '18:00')).toBe('incomplete');
    expect(sessionTimes('2026-12-05', '17:00', '')).toBe('incomplete');
  });
});
