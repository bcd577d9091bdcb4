import { describe, expect, it } from 'vitest';
import { fillWeeks, formatHours, formatMinutes, niceScale, sameGroup, weeklyRatings } from '../../src/renderer/src/components/chartMath';
import { defaultRostersFilter } from '../../src/renderer/src/store/rostersSlice';
import { filterProblem, rangeOf } from '../../src/renderer/src/services/rosters';
import type { RosterSummary } from '../../src/shared/protocol';

describe('chart scales', () => {
  it('round the top of the axis up to 1, 2, 2.5 or 5 times a power of ten, holding the largest value', () => {
    expect(niceScale(4)).toEqual({ top: 4, step: 1 });
    expect(niceScale(9)).toEqual({ top: 10, step: 2.5 });
    expect(niceScale(1.42)).toEqual({ top: 2, step: 0.5 });
    expect(niceScale(130)).toEqual({ top: 200, step: 50 });
    for (const max of [0.3, 1, 7.5, 12, 99, 101, 1234]) {
      const { top, step } = niceScale(max);
      expect(top).toBeGreaterThanOrEqual(max);
      expect(top / step).toBeCloseTo(4);
    }
  });

  it('still give an axis when there is nothing to show', () => {
    expect(niceScale(0)).toEqual({ top: 4, step: 1 });
    expect(niceScale(Number.NaN)).toEqual({ top: 4, step: 1 });
  });
});

describe("a client's weeks", () => {
  it("are the clinic's weeks, in the zone the server's answer names", () => {
    const history = {
      participantRef: 'IOP-1042',
      targetHoursPerWeek: null,
      timeZone: 'America/Chicago',
      weeks: [{ weekStart: '2026-11-02', minutesPresent: 90, sessions: [{ sessionId: 's', title: 'G', startsAt: '2026-11-09T01:00:00Z', minutesPresent: 90, checkInRating: null }] }],
    };
    // Sunday 8 November 19:00 in Chicago is Monday in UTC; the chart keeps it in the week of 2 November.
    const filled = fillWeeks(history, new Date('2026-11-02T06:00:00Z'), new Date('2026-11-16T06:00:00Z'));
    expect(filled.map((w) => [w.weekStart, w.minutesPresent])).toEqual([
      ['2026-11-02', 90],
      ['2026-11-09', 0],
    ]);
  });

  it("from a server that names no zone, UTC's weeks (what it counted)", () => {
    const filled = fillWeeks({ participantRef: 'r', targetHoursPerWeek: null, weeks: [] }, new Date('2026-11-04T10:00:00Z'), new Date('2026-11-23T00:00:00Z'));
    expect(filled.map((w) => w.weekStart)).toEqual(['2026-11-02', '2026-11-09', '2026-11-16']);
  });

  it('show a week with no session as zero instead of leaving it out', () => {
    const filled = fillWeeks(
      {
        participantRef: 'IOP-1042',
        targetHoursPerWeek: 3,
        weeks: [{ weekStart: '2026-11-09', minutesPresent: 90, sessions: [{ sessionId: 's', title: 'G', startsAt: '2026-11-10T18:00:00Z', minutesPresent: 90, checkInRating: null }] }],
      },
      new Date('2026-11-02T00:00:00Z'),
      new Date('2026-11-23T00:00:00Z'),
    );
    expect(filled.map((w) => [w.weekStart, w.minutesPresent])).toEqual([
      ['2026-11-02', 0],
      ['2026-11-09', 90],
      ['2026-11-16', 0],
    ]);
  });
});

describe('the same group', () => {
  const summary = (id: string, title: string, facilitatorId: string, startsAt: string): RosterSummary => ({
    // Only the fields the grouping reads; the rest of a session does not matter here.
    session: { id, title, startsAt, endsAt: startsAt, facilitatorId, coFacilitatorIds: [], state: 'ended' } as unknown as RosterSummary['session'],
    facilitatorName: facilitatorId,
    invited: 4,
    attended: 3,
    removed: 0,
    minutesPresentTotal: 200,
  });

  it('is the sessions with the same title and lead facilitator, oldest first', () => {
    const list = [
      summary('c', 'Tuesday group', 'ana', '2026-11-17T18:00:00Z'),
      summary('a', 'Tuesday group ', 'ana', '2026-11-03T18:00:00Z'),
      summary('x', 'Tuesday group', 'sam', '2026-11-10T18:00:00Z'),
      summary('y', 'Thursday group', 'ana', '2026-11-12T18:00:00Z'),
    ];
    expect(sameGroup(list, 'c').map((s) => s.session.id)).toEqual(['a', 'c']);
    expect(sameGroup(list, 'nope')).toEqual([]);
  });
});

describe('figures and ranges', () => {
  it('say minutes and hours the way a person reads them', () => {
    expect(formatMinutes(0.2)).toBe('0 min');
    expect(formatMinutes(47.6)).toBe('48 min');
    expect(formatMinutes(60)).toBe('1 h');
    expect(formatMinutes(145)).toBe('2 h 25 min');
    expect(formatHours(1.25)).toBe('1.25 h');
    expect(formatHours(85 / 60)).toBe('1.42 h');
    expect(formatHours(2)).toBe('2 h');
  });

  it('default to this week and the three before it, Monday to Sunday', () => {
    const f = defaultRostersFilter(new Date(2026, 10, 25, 15, 0)); // Wednesday 25 November
    expect(f).toEqual({ from: '2026-11-02', to: '2026-11-29', facilitatorId: '' });
    const range = rangeOf(f);
    expect(new Date(range.from).getTime()).toBe(new Date(2026, 10, 2).getTime());
    // The last day is included: the range runs to the next midnight.
    expect(new Date(range.to).getTime()).toBe(new Date(2026, 10, 30).getTime());
  });

  it('name a range the server would refuse before asking', () => {
    expect(filterProblem({ from: '2026-11-10', to: '2026-11-02', facilitatorId: '' })).toMatch(/before/);
    expect(filterProblem({ from: '', to: '2026-11-02', facilitatorId: '' })).toMatch(/both dates/);
    expect(filterProblem({ from: '2026-11-02', to: '2026-11-02', facilitatorId: '' })).toBeNull();
  });
});

describe('a client’s check-in ratings over weeks', () => {
  it('average each week’s ratings, keep the words, and leave a week without one empty rather than zero', () => {
    const session = (startsAt: string, checkInRating: { score: number; word?: string } | null) => ({ sessionId: startsAt, title: 'G', startsAt, minutesPresent: 60, checkInRating });
    const weeks = weeklyRatings([
      { weekStart: '2026-11-02', minutesPresent: 120, sessions: [session('2026-11-03T18:00:00Z', { score: 3, word: 'tired' }), session('2026-11-05T18:00:00Z', { score: 6 })] },
      { weekStart: '2026-11-09', minutesPresent: 60, sessions: [session('2026-11-10T18:00:00Z', null)] },
      { weekStart: '2026-11-16', minutesPresent: 0, sessions: [] },
      { weekStart: '2026-11-23', minutesPresent: 60, sessions: [session('2026-11-24T18:00:00Z', { score: 0 })] },
    ]);
    expect(weeks).toEqual([
      { weekStart: '2026-11-02', mean: 4.5, count: 2, words: ['tired'] },
      { weekStart: '2026-11-09', mean: null, count: 0, words: [] },
      { weekStart: '2026-11-16', mean: null, count: 0, words: [] },
      // A zero said is a zero, not a week without a rating.
      { weekStart: '2026-11-23', mean: 0, count: 1, words: [] },
    ]);
  });
});
