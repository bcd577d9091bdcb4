/**
 * A client's weekly attendance counts in the clinic's weeks (setting `timeZone`), not UTC's:
 * a Sunday-evening group in Chicago is that Sunday's week, weeks holding a daylight-saving
 * change are whole weeks, and the answer names the zone so the console need not guess. A
 * history over a range of centuries is refused with the maximum in the message instead of
 * building thousands of empty weeks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/server/config.js';
import { AttendanceHistory } from '../../src/shared/protocol.js';
import { api, makeClinician } from './support/api.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const demo = sharedTestDemo(0, { timeZone: 'America/Chicago' });
let token: string;
const REF = 'CHI-2001';

async function sessionAt(startsAt: string, minutes = 90): Promise<string> {
  const { store } = demo.server;
  const facilitatorId = (await store.clinicians.byUsername('facilitator'))!.id;
  const start = new Date(startsAt);
  const session = await store.sessions.create({ title: 'Sunday evening group', startsAt: start, endsAt: new Date(start.getTime() + minutes * 60_000), facilitatorId });
  await store.invitations.create({ sessionId: session.id, participantRef: REF, tokenHash: session.id.replace(/-/g, '').padEnd(64, '0'), passcodeHash: 'x' });
  return session.id;
}

beforeAll(async () => {
  token = await (await makeClinician(demo.server, 'weeks.admin', ['admin'])).signIn();
}, 60_000);

async function history(from: string, to: string) {
  const answer = await api(demo.server, 'GET', `/api/attendance/${REF}?from=${from}&to=${to}`, token);
  expect(answer.status).toBe(200);
  return AttendanceHistory.parse(answer.body);
}

describe("the clinic's weeks", () => {
  it("a Sunday 19:00 session in Chicago counts toward that Sunday's week, not the next", async () => {
    // Sunday 8 November 2026, 19:00 CST, is Monday 01:00 UTC.
    const id = await sessionAt('2026-11-09T01:00:00Z');
    const h = await history('2026-11-02T06:00:00Z', '2026-11-16T06:00:00Z');
    expect(h.timeZone).toBe('America/Chicago');
    expect(h.weeks.map((w) => [w.weekStart, w.sessions.map((s) => s.sessionId)])).toEqual([
      ['2026-11-02', [id]],
      ['2026-11-09', []],
    ]);
  });

  it('across the spring change (8 March 2026) every week is whole and starts at local midnight on Monday', async () => {
    const sundayNight = await sessionAt('2026-03-09T01:30:00Z'); // Sunday 8 March, 20:30 CDT
    const mondayEarly = await sessionAt('2026-03-09T05:30:00Z'); // Monday 9 March, 00:30 CDT
    const h = await history('2026-02-23T06:00:00Z', '2026-03-23T05:00:00Z');
    expect(h.weeks.map((w) => w.weekStart)).toEqual(['2026-02-23', '2026-03-02', '2026-03-09', '2026-03-16']);
    expect(h.weeks.find((w) => w.weekStart === '2026-03-02')!.sessions.map((s) => s.sessionId)).toEqual([sundayNight]);
    expect(h.weeks.find((w) => w.weekStart === '2026-03-09')!.sessions.map((s) => s.sessionId)).toEqual([mondayEarly]);
  });

  it('across the autumn change (1 November 2026) too', async () => {
    const sunday = await sessionAt('2026-11-02T03:00:00Z'); // Sunday 1 November, 21:00 CST
    const h = await history('2026-10-26T05:00:00Z', '2026-11-09T06:00:00Z');
    expect(h.weeks.map((w) => w.weekStart)).toEqual(['2026-10-26', '2026-11-02']);
    expect(h.weeks[0]!.sessions.map((s) => s.sessionId)).toEqual([sunday]);
  });
});

describe('the range of a history', () => {
  it('is capped: centuries are a 400 that names the maximum', async () => {
    const answer = await api(demo.server, 'GET', `/api/attendance/${REF}?from=1900-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`, token);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.message).toMatch(/at most 104 weeks/);
  });

  it('only `from` far in the past (to = now) is the same 400', async () => {
    const answer = await api(demo.server, 'GET', `/api/attendance/${REF}?from=1970-01-01T00:00:00Z`, token);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.message).toMatch(/at most 104 weeks/);
  });

  it('104 weeks exactly is answered', async () => {
    const h = await history('2025-01-06T06:00:00Z', '2027-01-04T06:00:00Z');
    expect(h.weeks.length).toBe(104);
  });
});

describe('the setting', () => {
  it('is an IANA zone; anything else stops the start with a message naming it', () => {
    expect(parseConfig({ dataDir: '/tmp/x', timeZone: 'Europe/Berlin' }).timeZone).toBe('Europe/Berlin');
    expect(() => parseConfig({ dataDir: '/tmp/x', timeZone: 'Mars/Olympus' })).toThrow(/invalid setting timeZone \(CONFIDANT_TIME_ZONE\)/);
  });

  it("defaults to the server's own zone", () => {
    expect(parseConfig({ dataDir: '/tmp/x' }).timeZone).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});
