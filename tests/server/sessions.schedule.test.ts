/**
 * Scheduling over HTTP and the states a session moves through, on the real server with an
 * injected clock (the server's sign-in, tokens and session states all read it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totp, totpStep } from '../../src/server/auth/totp.js';
import { startDemo, type RunningDemo } from '../../src/server/demo.js';
import { IssuedInvitation, SessionSummary } from '../../src/shared/protocol.js';
import { api, FAST_SCRYPT, makeClinician, type TestClinician } from './support/api.js';
import { postLogin } from './support/signIn.js';
import { clinicianHello } from '../support/clinicianHello.js';
import { TestClient } from './support/wsClient.js';

let demo: RunningDemo;
let clock = Date.now();
const HOUR = 3_600_000;
const MIN = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

let lead: TestClinician;
let coFac: TestClinician;
let inactive: TestClinician;
let supervisorOnly: TestClinician;
let admin: TestClinician;
const lastStep = new Map<string, number>();

/** Signs in at the server's (fake) time, moving it on a step if this account's code was used. */
async function tokenOf(c: TestClinician): Promise<string> {
  if ((lastStep.get(c.username) ?? -1) >= totpStep(clock)) clock += 30_000;
  lastStep.set(c.username, totpStep(clock));
  const res = await postLogin(demo.server.httpUrl, { username: c.username, password: c.password, totp: totp(c.secret, clock) });
  expect(res.status).toBe(200);
  return String(res.body.token);
}

beforeAll(async () => {
  demo = await startDemo({ invitations: 0, workers: 1, participantDir: '/nonexistent', start: { now: () => new Date(clock), scrypt: FAST_SCRYPT } });
  lead = await makeClinician(demo.server, 'lena', ['facilitator']);
  coFac = await makeClinician(demo.server, 'cole', ['facilitator']);
  inactive = await makeClinician(demo.server, 'ina', ['facilitator']);
  await demo.server.store.clinicians.setActive(inactive.id, false);
  supervisorOnly = await makeClinician(demo.server, 'sue', ['supervisor']);
  admin = await makeClinician(demo.server, 'adam', ['admin']);
});
afterAll(async () => {
  await demo.close();
});

describe('who may schedule', () => {
  it('a facilitator schedules their own session; it starts out scheduled', async () => {
    const token = await tokenOf(lead);
    const res = await api(demo.server, 'POST', '/api/sessions', token, {
      title: '  Thursday group  ',
      startsAt: iso(clock + 3 * HOUR),
      endsAt: iso(clock + 4.5 * HOUR),
      coFacilitatorIds: [coFac.id],
    });
    expect(res.status).toBe(201);
    expect(SessionSummary.parse(res.body)).toMatchObject({ title: 'Thursday group', facilitatorId: lead.id, coFacilitatorIds: [coFac.id], state: 'scheduled' });
  });

  it('a facilitator cannot schedule for someone else; a supervisor cannot schedule at all', async () => {
    const body = { title: 'X', startsAt: iso(clock + HOUR), endsAt: iso(clock + 2 * HOUR) };
    const other = await api(demo.server, 'POST', '/api/sessions', await tokenOf(lead), { ...body, facilitatorId: coFac.id });
    expect([other.status, other.body.error?.code]).toEqual([403, 'FORBIDDEN']);
    const sup = await api(demo.server, 'POST', '/api/sessions', await tokenOf(supervisorOnly), body);
    expect([sup.status, sup.body.error?.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('an admin schedules for any active facilitator, but not with a non-facilitator as lead', async () => {
    const token = await tokenOf(admin);
    const body = { title: 'Admin-made', startsAt: iso(clock + HOUR), endsAt: iso(clock + 2 * HOUR) };
    expect((await api(demo.server, 'POST', '/api/sessions', token, { ...body, facilitatorId: coFac.id })).status).toBe(201);
    const self = await api(demo.server, 'POST', '/api/sessions', token, body);
    expect([self.status, self.body.error?.message]).toEqual([400, 'the lead facilitator must be an active facilitator']);
  });

  it('co-facilitators must be active facilitators other than the lead; times must make sense', async () => {
    const token = await tokenOf(lead);
    const body = { title: 'Y', startsAt: iso(clock + HOUR), endsAt: iso(clock + 2 * HOUR) };
    for (const co of [inactive.id, supervisorOnly.id, lead.id, 'no-such-id']) {
      const res = await api(demo.server, 'POST', '/api/sessions', token, { ...body, coFacilitatorIds: [co] });
      expect([co, res.status]).toEqual([co, 400]);
    }
    const backwards = await api(demo.server, 'POST', '/api/sessions', token, { ...body, endsAt: iso(clock) });
    expect(backwards.status).toBe(400);
    const past = await api(demo.server, 'POST', '/api/sessions', token, { ...body, startsAt: iso(clock - 3 * HOUR), endsAt: iso(clock - 2 * HOUR) });
    expect(past.body.error?.message).toBe('a session cannot end in the past');
  });
});

describe('editing and listing', () => {
  it('the lead and admins edit; a co-facilitator cannot', async () => {
    const leadToken = await tokenOf(lead);
    const made = SessionSummary.parse((await api(demo.server, 'POST', '/api/sessions', leadToken, {
      title: 'Editable', startsAt: iso(clock + 5 * HOUR), endsAt: iso(clock + 6 * HOUR), coFacilitatorIds: [coFac.id],
    })).body);
    const byCo = await api(demo.server, 'PATCH', `/api/sessions/${made.id}`, await tokenOf(coFac), { title: 'Mine now' });
    expect(byCo.status).toBe(403);
    const byLead = await api(demo.server, 'PATCH', `/api/sessions/${made.id}`, leadToken, { title: 'Renamed', coFacilitatorIds: [] });
    expect(SessionSummary.parse(byLead.body)).toMatchObject({ title: 'Renamed', coFacilitatorIds: [] });
    const byAdmin = await api(demo.server, 'PATCH', `/api/sessions/${made.id}`, await tokenOf(admin), { endsAt: iso(clock + 7 * HOUR) });
    expect(byAdmin.body.endsAt).toBe(iso(clock + 7 * HOUR));
    const inverted = await api(demo.server, 'PATCH', `/api/sessions/${made.id}`, leadToken, { startsAt: iso(clock + 8 * HOUR) });
    expect(inverted.status).toBe(400);
    expect((await api(demo.server, 'PATCH', '/api/sessions/nope', leadToken, { title: 'x' })).status).toBe(404);
  });

  it('lists sessions overlapping ?from&to', async () => {
    const token = await tokenOf(lead);
    const all = (await api(demo.server, 'GET', '/api/sessions', token)).list;
    expect(all.length).toBeGreaterThanOrEqual(2);
    const window = (await api(demo.server, 'GET', `/api/sessions?from=${iso(clock + 4 * HOUR)}&to=${iso(clock + 5.5 * HOUR)}`, token)).list;
    const titles = window.map((s) => s.title);
    expect(titles).toContain('Thursday group');
    expect(titles).toContain('Renamed');
    expect(titles).not.toContain('Admin-made');
    expect((await api(demo.server, 'GET', '/api/sessions?from=yesterday', token)).status).toBe(400);
  });
});

describe('a session\'s states', () => {
  it('scheduled → open → live → ended, with the waiting room opening on time and an ended session immutable', async () => {
    const start = clock + 2 * HOUR;
    const leadToken = await tokenOf(lead);
    const session = SessionSummary.parse((await api(demo.server, 'POST', '/api/sessions', leadToken, {
      title: 'Lifecycle', startsAt: iso(start), endsAt: iso(start + 90 * MIN),
    })).body);
    const issued = IssuedInvitation.parse((await api(demo.server, 'POST', `/api/sessions/${session.id}/invitations`, leadToken, { participantRef: 'IOP-9' })).body);
    const state = async (): Promise<string> =>
      String((await api(demo.server, 'GET', '/api/sessions', await tokenOf(lead))).list.find((s) => s.id === session.id)?.state);

    // Too early: the client is told when the waiting room opens; clinicians too, when they may join.
    const early = await TestClient.connect(demo.info.wsUrl);
    const refused = await early.request('hello', { as: 'participant', invite: issued.token, passcode: issued.passcode });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: `the waiting room opens at ${iso(start - 15 * MIN)}`, reason: 'waiting-room-not-open', params: { at: iso(start - 15 * MIN) } },
    });
    const tooEarly = await early.request('hello', await clinicianHello(demo.info.httpUrl, await tokenOf(lead), session.id));
    expect(tooEarly).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: `clinicians may join from ${iso(start - 60 * MIN)}`, reason: 'join-too-early', params: { at: iso(start - 60 * MIN) } },
    });
    await early.close();
    expect(await state()).toBe('scheduled');

    clock = start - 15 * MIN;
    expect(await state()).toBe('open');
    const client = await TestClient.connect(demo.info.wsUrl);
    expect(await client.call('hello', { as: 'participant', invite: issued.token, passcode: issued.passcode })).toMatchObject({ state: 'check-in' });

    const fac = await TestClient.connect(demo.info.wsUrl);
    const hello = await fac.call('hello', await clinicianHello(demo.info.httpUrl, await tokenOf(lead), session.id));
    expect(hello.session).toMatchObject({ id: session.id, state: 'live' });
    expect(await state()).toBe('live');

    await fac.call('end', {});
    await client.closed;
    expect(await state()).toBe('ended');
    const edit = await api(demo.server, 'PATCH', `/api/sessions/${session.id}`, await tokenOf(lead), { title: 'Later' });
    expect([edit.status, edit.body.error?.code]).toEqual([409, 'CONFLICT']);
  });

  it('ends by itself an hour after its end time, expiring its invitations', async () => {
    const leadToken = await tokenOf(lead);
    const start = clock + 20 * MIN;
    const session = SessionSummary.parse((await api(demo.server, 'POST', '/api/sessions', leadToken, {
      title: 'Forgotten', startsAt: iso(start), endsAt: iso(start + HOUR),
    })).body);
    const issued = IssuedInvitation.parse((await api(demo.server, 'POST', `/api/sessions/${session.id}/invitations`, leadToken, { participantRef: 'IOP-10' })).body);
    clock = start + 2 * HOUR - MIN;
    expect((await api(demo.server, 'GET', '/api/sessions', await tokenOf(lead))).list.find((s) => s.id === session.id)?.state).toBe('open');
    clock = start + 2 * HOUR;
    expect((await api(demo.server, 'GET', '/api/sessions', await tokenOf(lead))).list.find((s) => s.id === session.id)?.state).toBe('ended');
    const late = await TestClient.connect(demo.info.wsUrl);
    expect(await late.request('hello', { as: 'participant', invite: issued.token, passcode: issued.passcode })).toMatchObject({
      error: { code: 'SESSION_ENDED' },
    });
    await late.close();
    // The sweep records it, expiring the invitations with the session.
    expect(await demo.server.lifecycle.endOverdue()).toBeGreaterThanOrEqual(1);
    expect((await demo.server.store.sessions.byId(session.id))?.state).toBe('ended');
    expect((await demo.server.store.invitations.bySession(session.id)).every((i) => i.expiredAt !== null)).toBe(true);
    const invitations = (await api(demo.server, 'GET', `/api/sessions/${session.id}/invitations`, await tokenOf(lead))).list;
    expect(invitations.map((i) => i.state)).toEqual(['expired']);
  });
});
